/**
 * The status tracker: verdict transitions, failures kept, the stored report, and the size history
 * behind the "shrinking toward 512" trend (a ring of HISTORY_SAMPLES).
 */
import { describe, expect, it } from 'vitest';
import {
  HISTORY_SAMPLES,
  MAX_FAILURES,
  StatusTracker,
  TREND_HORIZON_MS,
  type TrackedTarget,
} from '../../../src/daemon/tracker.ts';
import type { ProbeReportJson } from '../../../src/report/index.ts';
import type { Verdict } from '../../../src/verdict/index.ts';
import { allClients, reportFixture } from '../server/fixtures.ts';

const TARGET: TrackedTarget = {
  key: 'web.example.test unspec 192.0.2.53:53',
  name: 'web.example.test',
  family: 'unspec',
  server: '192.0.2.53:53',
  labels: { team: 'web' },
  warnBytes: 64,
};

/** A whole report (the tracker stores it packed), varying in the fields the tracker reads. */
function report(verdict: Verdict, fullBytes: number | null): ProbeReportJson {
  return reportFixture({
    name: TARGET.name,
    verdict,
    diagnosis: `${verdict} at ${fullBytes}`,
    fullBytes,
    headroomBytes: fullBytes === null ? null : 512 - fullBytes,
    clients: { ...allClients(3), glibc: { addresses: 3, error: null } },
  });
}

const MINUTE = 60_000;

describe('StatusTracker', () => {
  it('starts pending, reports a transition once per change, and keeps the whole last report', () => {
    const t = new StatusTracker();
    t.setTargets([TARGET]);
    expect(t.targets()[0]).toMatchObject({ verdict: 'pending', report: null, lastProbeAtMs: null });
    const first = t.record(TARGET.key, report('ok', 100), 1_000);
    expect(first).toMatchObject({ from: 'pending', to: 'ok' });
    expect(t.record(TARGET.key, report('ok', 101), 2_000)).toBeNull();
    const worse = t.record(TARGET.key, report('degraded', 600), 3_000);
    expect(worse).toMatchObject({ from: 'ok', to: 'degraded' });
    const [status] = t.targets();
    expect(status).toMatchObject({ verdict: 'degraded', verdictSinceMs: 3_000, lastProbeAtMs: 3_000 });
    expect(status?.report).toEqual(report('degraded', 600));
    expect(t.failures()).toEqual([
      expect.objectContaining({ atMs: 3_000, verdict: 'degraded', diagnosis: 'degraded at 600' }),
    ]);
  });

  it('keeps the last MAX_FAILURES failures, newest first', () => {
    const t = new StatusTracker();
    t.setTargets([TARGET]);
    for (let i = 0; i < MAX_FAILURES + 5; i++) {
      t.record(TARGET.key, report(i % 2 === 0 ? 'failing' : 'degraded', 600), i);
    }
    expect(t.failures()).toHaveLength(MAX_FAILURES);
    expect(t.failures()[0]?.atMs).toBe(MAX_FAILURES + 4);
  });

  it('an internal error turns the target to error once, with the last report in the transition', () => {
    const t = new StatusTracker();
    t.setTargets([TARGET]);
    expect(t.recordInternalError(TARGET.key, 'boom', 1)).toBeNull(); // no report yet to show
    t.record(TARGET.key, report('ok', 100), 2);
    const transition = t.recordInternalError(TARGET.key, 'boom', 3);
    expect(transition).toMatchObject({ from: 'ok', to: 'error' });
    expect(transition?.report).toEqual(report('ok', 100));
    expect(t.recordInternalError(TARGET.key, 'boom again', 4)).toBeNull();
  });

  it('ignores probes of targets removed by a reload, and keeps the state of kept ones', () => {
    const t = new StatusTracker();
    t.setTargets([TARGET]);
    t.record(TARGET.key, report('at_risk', 460), 1);
    t.setTargets([{ ...TARGET, labels: { team: 'platform' } }]);
    expect(t.targets()[0]).toMatchObject({ verdict: 'at_risk', labels: { team: 'platform' } });
    t.setTargets([]);
    expect(t.record(TARGET.key, report('ok', 100), 2)).toBeNull();
    expect(t.targets()).toEqual([]);
  });

  describe('shrinking (the trend of the complete size)', () => {
    it('sees an answer growing toward 512 within the horizon', () => {
      const t = new StatusTracker();
      t.setTargets([TARGET]);
      // +10 bytes a minute from 300: 512 is about 20 minutes away.
      for (let i = 0; i < 5; i++) t.record(TARGET.key, report('ok', 300 + 10 * i), i * MINUTE);
      expect(t.shrinking(TARGET.key, 5 * MINUTE, 350)).toBe(true);
    });

    it('does not for a flat answer, a shrinking one, or one that grows too slowly', () => {
      const t = new StatusTracker();
      t.setTargets([TARGET]);
      for (let i = 0; i < 5; i++) t.record(TARGET.key, report('ok', 300), i * MINUTE);
      expect(t.shrinking(TARGET.key, 5 * MINUTE, 300)).toBe(false);
      const down = new StatusTracker();
      down.setTargets([TARGET]);
      for (let i = 0; i < 5; i++) down.record(TARGET.key, report('ok', 400 - 10 * i), i * MINUTE);
      expect(down.shrinking(TARGET.key, 5 * MINUTE, 350)).toBe(false);
      const slow = new StatusTracker();
      slow.setTargets([TARGET]);
      // +1 byte a day per sample: 200 days from 512.
      for (let i = 0; i < 5; i++) slow.record(TARGET.key, report('ok', 300 + i), i * TREND_HORIZON_MS);
      expect(slow.shrinking(TARGET.key, 5 * TREND_HORIZON_MS, 305)).toBe(false);
    });

    it('looks at the last HISTORY_SAMPLES sizes only: old growth is forgotten', () => {
      const t = new StatusTracker();
      t.setTargets([TARGET]);
      // Growth long ago, then a flat run longer than the ring: the ring holds only flat sizes.
      for (let i = 0; i < 5; i++) t.record(TARGET.key, report('ok', 300 + 20 * i), i * MINUTE);
      for (let i = 5; i < 5 + HISTORY_SAMPLES; i++) t.record(TARGET.key, report('ok', 380), i * MINUTE);
      expect(t.shrinking(TARGET.key, (5 + HISTORY_SAMPLES) * MINUTE, 380)).toBe(false);
      // One sample short of a full flat ring, the old growth still shows.
      const u = new StatusTracker();
      u.setTargets([TARGET]);
      for (let i = 0; i < 5; i++) u.record(TARGET.key, report('ok', 300 + 20 * i), i * MINUTE);
      for (let i = 5; i < 5 + HISTORY_SAMPLES - 4; i++) u.record(TARGET.key, report('ok', 380), i * MINUTE);
      expect(u.shrinking(TARGET.key, (1 + HISTORY_SAMPLES) * MINUTE, 380)).toBe(true);
    });

    it('never for a size already over 512 or unknown', () => {
      const t = new StatusTracker();
      t.setTargets([TARGET]);
      for (let i = 0; i < 5; i++) t.record(TARGET.key, report('ok', 480 + 10 * i), i * MINUTE);
      expect(t.shrinking(TARGET.key, 5 * MINUTE, 530)).toBe(false);
      expect(t.shrinking(TARGET.key, 5 * MINUTE, null)).toBe(false);
    });
  });
});
