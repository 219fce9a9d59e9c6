/**
 * The forecast arithmetic against real answers: for N = 1..40 ready endpoints, the predicted size
 * equals what the lab returns over TCP for that name with N A records (and 1..20 AAAA records), and
 * over UDP the answer is truncated exactly when N passes the forecast's max safe endpoints. The lab
 * serves the Service names as growing scenarios whose count the test sets through its clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { forecastAnswer, serviceDnsName } from '../../../src/kube/index.ts';
import { LabServer, SCENARIOS, type Scenario } from '../../../src/lab/index.ts';
import { createNetTransport, type Qtype, type ServerAddress } from '../../../src/probe/index.ts';

const base = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
const SERVICES = [
  ['web', 'shop'],
  ['web', 'default'],
  ['payments-backend-canary', 'team-payments-production'],
] as const;

/** One growing scenario per Service name: 1 A record at time 0, one more per second, up to 40. */
const A_SCENARIOS: Scenario[] = SERVICES.map(([svc, ns]) => ({
  ...base,
  id: `a-${svc}-${ns}`,
  name: serviceDnsName(svc, ns, 'cluster.local'),
  a: 1,
  aaaa: 0,
  growth: { start: 1, max: 40, growEverySeconds: 1 },
  truncation: 'partial',
}));
/** AAAA: one scenario per count (the lab grows A records only). */
const AAAA_SCENARIOS: Scenario[] = Array.from({ length: 20 }, (_, i) => ({
  ...base,
  id: `aaaa-${i + 1}`,
  name: serviceDnsName(`v6-${String(i + 1).padStart(2, '0')}`, 'shop', 'cluster.local'),
  a: 0,
  aaaa: i + 1,
  growth: null,
  truncation: 'partial',
}));

let labMs = 0;
let lab: LabServer;
let server: ServerAddress;
const transport = createNetTransport(systemClock);
let id = 1;

beforeAll(async () => {
  lab = new LabServer({
    address: '127.0.0.1',
    port: 0,
    clock: { monotonicMs: () => labMs, nowMs: () => Date.now() },
    scenarios: [...A_SCENARIOS, ...AAAA_SCENARIOS],
  });
  server = (await lab.start()).main;
});
afterAll(async () => {
  transport.close();
  await lab.stop();
});

async function ask(name: string, qtype: Qtype, via: 'udp' | 'tcp') {
  const exchange = await transport[via]({
    server,
    query: { id: id++ & 0xffff, name, qtype },
    timeoutMs: 2000,
  });
  if (!exchange.ok) throw new Error(`${via} ${name}: ${exchange.reason}`);
  return exchange;
}

const counts = Array.from({ length: 40 }, (_, i) => i + 1);

describe.each(A_SCENARIOS.map((s) => [s.name, s] as const))('%s', (name) => {
  it('predicted A bytes equal the lab answer over TCP for 1..40 records; UDP truncates past max safe', async () => {
    const rows: [number, number, number, boolean][] = [];
    const expected: [number, number, number, boolean][] = [];
    for (const n of counts) {
      labMs = (n - 1) * 1000;
      const tcp = await ask(name, 'A', 'tcp');
      const udp = await ask(name, 'A', 'udp');
      const f = forecastAnswer(name, 'A', n);
      rows.push([n, tcp.bytes, tcp.addresses.length, udp.truncated]);
      expected.push([n, f.predictedBytes, n, n > f.maxSafeEndpoints]);
    }
    expect(rows).toEqual(expected);
  });
});

describe('AAAA', () => {
  it.each(AAAA_SCENARIOS.map((s) => [s.name, s.aaaa] as const))('%s with %i records', async (name, n) => {
    const tcp = await ask(name, 'AAAA', 'tcp');
    const udp = await ask(name, 'AAAA', 'udp');
    const f = forecastAnswer(name, 'AAAA', n);
    expect([tcp.bytes, tcp.addresses.length, udp.truncated]).toEqual([
      f.predictedBytes,
      n,
      n > f.maxSafeEndpoints,
    ]);
  });
});
