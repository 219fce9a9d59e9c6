/**
 * The probe against the lab over real loopback sockets: every scenario, over UDP and TCP (the
 * probe always sends both), must reach the verdict the lab promises, with the sizes and counts the
 * lab serves; every hostile reply must give its own failure reason and nothing may crash.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import {
  addressCountsAt,
  fullAnswerBytes,
  growthTimeline,
  KUBERNETES_SEARCH,
  type LabAddresses,
  LabServer,
  SCENARIOS,
  type Scenario,
} from '../../../src/lab/index.ts';
import { createNetTransport, type ProbeResult, probe } from '../../../src/probe/index.ts';
import { judge } from '../../../src/verdict/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const labClock = new FakeClock(0);
let lab: LabServer;
let servers: LabAddresses;

beforeAll(async () => {
  lab = new LabServer({ address: '127.0.0.1', port: 0, clock: labClock });
  servers = await lab.start();
});
afterAll(async () => {
  await lab.stop();
});

function run(s: Scenario, timeoutMs = 1000): Promise<ProbeResult> {
  const kubernetes = s.resolvConf === 'kubernetes';
  return probe(
    {
      name: s.name,
      family: 'unspec',
      server: s.server === 'udp-only' ? servers.udpOnly : servers.main,
      search: kubernetes ? KUBERNETES_SEARCH : [],
      ndots: kubernetes ? 5 : 1,
      timeoutMs,
    },
    { transport: createNetTransport(systemClock), clock: systemClock, randomId: () => randomInt(0, 65_536) },
  );
}

const benign = SCENARIOS.filter((s) => !s.hostile);
const hostile = SCENARIOS.filter((s) => s.hostile);

describe('benign lab scenarios', () => {
  it.each(benign.map((s) => [s.id, s] as const))('%s reaches its expected verdict', async (_id, s) => {
    labClock.set(0);
    const result = await run(s);
    const assessment = judge(result, { warnBytes: 64 });
    expect(assessment.verdict, assessment.diagnosis).toBe(s.expectedVerdict);
    expect(assessment.diagnosis.length).toBeGreaterThan(20);
  });

  it.each(benign.filter((s) => s.tcp === 'answer' && s.server === 'main').map((s) => [s.id, s] as const))(
    '%s: UDP and TCP sizes, TC and counts match what the lab serves',
    async (_id, s) => {
      labClock.set(0);
      const result = await run(s);
      const counts = addressCountsAt(s, 0);
      for (const qtype of ['A', 'AAAA'] as const) {
        const p = result.probes[qtype];
        if (!p?.udp.ok || !p.tcp?.ok) throw new Error(`${qtype}: exchange failed`);
        const expected = qtype === 'A' ? counts.a : counts.aaaa;
        // A NODATA answer carries the zone's SOA, which the lab's answer-size figure leaves out.
        if (expected === 0) continue;
        const full = fullAnswerBytes(s, qtype, 0);
        // TCP carries the complete answer.
        expect(p.tcp.bytes).toBe(full);
        expect(p.tcp.truncated).toBe(false);
        if (s.rcode === 'NOERROR') expect(p.tcp.addresses).toHaveLength(expected);
        // Over UDP: whole when it fits; otherwise TC (or a silent cut) and never more than 512 bytes.
        if (full <= 512) {
          expect(p.udp.bytes).toBe(full);
          expect(p.udp.truncated).toBe(false);
        } else {
          expect(p.udp.bytes).toBeLessThanOrEqual(512);
          expect(p.udp.truncated).toBe(s.truncation !== 'cut');
          expect(p.udp.cut).toBe(s.truncation === 'cut');
          expect(p.udp.addresses.length).toBeLessThan(expected);
        }
        expect(p.tcp.cnames).toEqual(s.cnames);
      }
    },
  );

  it.each(benign.filter((s) => s.growth !== null).map((s) => [s.id, s] as const))(
    '%s walks through its timeline as it grows',
    async (_id, s) => {
      const timeline = growthTimeline(s);
      expect(timeline.length).toBeGreaterThan(2);
      for (const step of timeline) {
        labClock.set(step.atSeconds * 1000);
        const result = await run(s);
        const a = result.probes.A;
        expect(a?.tcp?.ok && a.tcp.addresses.length).toBe(step.a);
        expect(judge(result, { warnBytes: 64 }).verdict).toBe(step.verdict);
      }
      labClock.set(0);
    },
  );
});

describe('hostile replies', () => {
  // Each hostile behaviour must surface as its own reason, on the transport that misbehaves.
  const REASONS: Readonly<Record<string, { udp: string | null; tcp: string | null }>> = {
    garbage: { udp: 'malformed', tcp: 'malformed' },
    'wrong-id': { udp: 'id_mismatch', tcp: 'id_mismatch' },
    'wrong-question': { udp: 'question_mismatch', tcp: 'question_mismatch' },
    'other-port': { udp: 'source_mismatch', tcp: null },
    'tcp-close': { udp: null, tcp: 'closed' },
    silent: { udp: 'timeout', tcp: 'timeout' },
  };

  it('covers every hostile scenario of the lab', () => {
    expect(hostile.map((s) => s.id).sort()).toEqual(Object.keys(REASONS).sort());
  });

  it.each(hostile.map((s) => [s.id, s] as const))(
    '%s gives its own reason and verdict error',
    async (id, s) => {
      const result = await run(s, 300);
      const expected = REASONS[id];
      for (const qtype of ['A', 'AAAA'] as const) {
        const p = result.probes[qtype];
        expect(p).toBeDefined();
        if (!p) continue;
        expect(p.udp.ok ? null : p.udp.reason).toBe(expected?.udp);
        expect(p.tcp?.ok ? null : p.tcp?.reason).toBe(expected?.tcp);
      }
      expect(judge(result, { warnBytes: 64 }).verdict).toBe('error');
    },
  );

  it('keeps serving and probing after every hostile scenario', async () => {
    await Promise.all(hostile.map((s) => run(s, 200)));
    const fits = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
    expect(judge(await run(fits), { warnBytes: 64 }).verdict).toBe('ok');
  });
});
