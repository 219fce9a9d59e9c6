/**
 * Stored reports: what comes out is exactly what went in, timings included; the compressed body is
 * reused while only timings change and rebuilt when anything else does; and it is small.
 */
import { describe, expect, it } from 'vitest';
import { packReport, unpackReport } from '../../../src/daemon/packed-report.ts';
import type { ProbeReportJson } from '../../../src/report/index.ts';
import { failedExchange, okExchange, reportFixture } from '../server/fixtures.ts';

function withTimings(report: ProbeReportJson, seed: number): ProbeReportJson {
  const probes: ProbeReportJson['probes'] = {};
  for (const [qtype, p] of Object.entries(report.probes)) {
    if (!p) continue;
    probes[qtype as 'A' | 'AAAA'] = {
      name: p.name,
      udp: { ...p.udp, durationSeconds: 0.001 * seed + 0.0001 },
      tcp: p.tcp && { ...p.tcp, durationSeconds: 0.002 * seed + 0.0003 },
      edns: p.edns && { ...p.edns, durationSeconds: 0.003 * seed },
    };
  }
  return {
    ...report,
    probes,
    startedAt: new Date(1_700_000_000_000 + seed * 30_000).toISOString(),
    durationSeconds: 0.01 * seed + 0.000_123_456_789,
  };
}

const reports: Record<string, ProbeReportJson> = {
  fits: reportFixture(),
  dualStack: reportFixture({
    family: 'unspec',
    probes: {
      A: {
        name: 'big.lab.test',
        udp: okExchange(500, 30, { addressList: ['192.0.2.1', '192.0.2.2'], truncated: true }),
        tcp: okExchange(800, 50, { cnames: ['a.lab.test', 'b.lab.test'] }),
        edns: okExchange(800, 50),
      },
      AAAA: { name: 'big.lab.test', udp: failedExchange('timeout'), tcp: null, edns: null },
    },
  }),
  // Non-ASCII in a diagnosis must survive the one-byte storage of the compressed bytes.
  unicode: reportFixture({ diagnosis: 'naïve → ünïcode ✓ 名前' }),
};

describe('packReport / unpackReport', () => {
  for (const [label, base] of Object.entries(reports)) {
    it(`gives back the same report, timings and key order included (${label})`, () => {
      const report = withTimings(base, 3);
      const back = unpackReport(packReport(report, null));
      expect(back).toEqual(report);
      expect(JSON.stringify(back)).toBe(JSON.stringify(report));
    });
  }

  it('updates the stored report in place, reusing the compressed body while only timings change', () => {
    const stored = packReport(withTimings(reports.dualStack as ProbeReportJson, 1), null);
    const body = stored.body;
    const timings = stored.timings;
    const again = packReport(withTimings(reports.dualStack as ProbeReportJson, 2), stored);
    expect(again).toBe(stored);
    expect(again.timings).toBe(timings);
    expect(again.body).toBe(body);
    expect(unpackReport(again)).toEqual(withTimings(reports.dualStack as ProbeReportJson, 2));
  });

  it('compresses again when anything but the timings changes, and swaps back to the previous body', () => {
    const before = withTimings(reportFixture({ fullBytes: 95 }), 1);
    const after = withTimings(reportFixture({ fullBytes: 96 }), 2);
    const stored = packReport(before, null);
    const first = stored.body;
    packReport(after, stored);
    const second = stored.body;
    expect(second).not.toBe(first);
    expect(unpackReport(stored)).toEqual(after);
    // The way back (a TCP-check round and the one after it): the previous body returns, with the
    // report it holds, and the body it replaces is kept in turn.
    packReport(withTimings(before, 3), stored);
    expect(stored.body).toBe(first);
    expect(stored.previousBody).toBe(second);
    expect(unpackReport(stored)).toEqual(withTimings(before, 3));
    packReport(withTimings(after, 4), stored);
    expect(stored.body).toBe(second);
    expect(unpackReport(stored)).toEqual(withTimings(after, 4));
    // A third body is compressed afresh and pushes out the oldest.
    const third = withTimings(reportFixture({ fullBytes: 97 }), 5);
    packReport(third, stored);
    expect([first, second]).not.toContain(stored.body);
    expect(stored.previousBody).toBe(second);
    expect(unpackReport(stored)).toEqual(third);
  });

  it('keeps a typical report in well under a quarter of its JSON size', () => {
    const report = withTimings(reports.dualStack as ProbeReportJson, 5);
    const packed = packReport(report, null);
    const json = JSON.stringify(report).length;
    expect(packed.body.length).toBeLessThan(json / 4);
  });
});
