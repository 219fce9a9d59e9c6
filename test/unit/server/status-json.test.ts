/** The /status document: the snapshot, worst first, with ISO times next to the ms fields. */
import { describe, expect, it } from 'vitest';
import { notReadyReason } from '../../../src/server/readiness.ts';
import { statusDocument } from '../../../src/server/status-json.ts';
import { degradedReport, NOW_MS, reportFixture, snapshotFixture, targetFixture } from './fixtures.ts';

describe('statusDocument', () => {
  it('keeps every field, adds ISO times and sorts targets worst first', () => {
    const ok = targetFixture(reportFixture());
    const degraded = targetFixture(degradedReport());
    const pending = targetFixture(null);
    const failure = {
      atMs: NOW_MS,
      key: degraded.key,
      name: degraded.name,
      family: degraded.family,
      server: degraded.server,
      verdict: 'degraded' as const,
      diagnosis: 'truncated',
    };
    const doc = statusDocument(snapshotFixture([ok, pending, degraded], { recentFailures: [failure] }));
    expect(doc.generatedAt).toBe('2023-11-14T22:13:20.000Z');
    expect(doc.generatedAtMs).toBe(NOW_MS);
    expect(doc.config.lastReloadAt).toBe('2023-11-14T22:12:20.000Z');
    expect(doc.targets.map((t) => t.verdict)).toEqual(['degraded', 'pending', 'ok']);
    expect(doc.targets[0]).toEqual({
      ...degraded,
      verdictSince: '2023-11-14T21:13:20.000Z',
      lastProbeAt: '2023-11-14T22:13:15.000Z',
    });
    expect(doc.targets[1]).toMatchObject({ verdictSince: null, lastProbeAt: null, report: null });
    expect(doc.recentFailures).toEqual([{ ...failure, at: '2023-11-14T22:13:20.000Z' }]);
    // It survives JSON as is.
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe('notReadyReason', () => {
  it.each([
    [true, true, null],
    [true, false, null],
    [false, true, 'first probe round not finished'],
    [false, false, 'config not loaded'],
  ])('ready %s, config loaded %s -> %s', (ready, loaded, reason) => {
    const snapshot = snapshotFixture([], {
      ready,
      config: { loaded, lastReloadSuccessful: null, lastReloadAtMs: null, issues: [] },
    });
    expect(notReadyReason(snapshot)).toBe(reason);
  });
});
