import { describe, expect, it } from 'vitest';
import {
  answerCountAt,
  answerRecords,
  expectedVerdictAt,
  formatServer,
  fullAnswerBytes,
  growthTimeline,
  kubernetesResolvConf,
  labIpv4,
  labIpv6,
  lookupName,
  probeCommand,
  SCENARIOS,
  scenarioById,
  withGrowEvery,
  zoneOf,
} from '../../../src/lab/scenarios.ts';
import { isDocumentationAddress } from './helpers.ts';

const SERVERS = { main: { host: '127.0.0.1', port: 5300 }, udpOnly: { host: '127.0.0.1', port: 5301 } };

function get(id: string) {
  const s = scenarioById(id);
  if (s === undefined) throw new Error(`no scenario ${id}`);
  return s;
}

describe('SCENARIOS table', () => {
  it('has every behaviour PRODUCT.md section 4 asks for, plus the hostile ones', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual([
      'fits',
      'near-limit',
      'exact-512',
      'over-513',
      'partial',
      'empty',
      'cname-fits',
      'cname-partial',
      'cname-only',
      'aaaa-overflow',
      'headless-growth',
      'tcp-refused',
      'tcp-hang',
      'servfail',
      'search-walk',
      'cut-512',
      'garbage',
      'wrong-id',
      'wrong-question',
      'other-port',
      'tcp-close',
      'silent',
    ]);
  });

  it('uses unique ids and unique owner names (names and CNAME targets)', () => {
    const ids = SCENARIOS.map((s) => s.id);
    const names = SCENARIOS.flatMap((s) => [s.name, ...s.cnames]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SCENARIOS)('$id: lower-case name in a lab zone, one-sentence description', (s) => {
    expect(s.name).toBe(s.name.toLowerCase());
    expect(zoneOf(s.name)).toBeDefined();
    expect(s.description).toMatch(/^[A-Z0-9].*\.$/);
    expect(s.hostile).toBe(s.expectedVerdict === 'error');
    expect(Object.isFrozen(s)).toBe(true);
  });

  it.each(SCENARIOS)('$id: every address is from a documentation range', (s) => {
    const end = s.growth === null ? 0 : 1e9;
    for (const qtype of [1, 28]) {
      for (const rr of answerRecords({ scenario: s, hop: 0 }, qtype, end)) {
        if (rr.type === 'A' || rr.type === 'AAAA') expect(isDocumentationAddress(rr.address)).toBe(true);
      }
    }
  });

  it.each([
    { id: 'fits', a: 95, aaaa: 87 },
    { id: 'near-limit', a: 463, aaaa: 31 },
    { id: 'exact-512', a: 512, aaaa: 32 },
    { id: 'over-513', a: 513, aaaa: 33 },
    { id: 'partial', a: 674, aaaa: 34 },
    { id: 'cname-fits', a: 172, aaaa: 76 },
    { id: 'aaaa-overflow', a: 99, aaaa: 595 },
    { id: 'headless-growth', a: 431, aaaa: 47 },
  ])('$id: complete answers are $a (A) and $aaaa (AAAA) bytes at time 0', ({ id, a, aaaa }) => {
    expect(fullAnswerBytes(get(id), 'A', 0)).toBe(a);
    expect(fullAnswerBytes(get(id), 'AAAA', 0)).toBe(aaaa);
  });
});

describe('growth', () => {
  const growth = { start: 24, max: 50, growEverySeconds: 20 };
  it.each([
    { elapsedMs: -5, count: 24 },
    { elapsedMs: 0, count: 24 },
    { elapsedMs: 19_999, count: 24 },
    { elapsedMs: 20_000, count: 25 },
    { elapsedMs: 120_000, count: 30 },
    { elapsedMs: 520_000, count: 50 },
    { elapsedMs: 1e12, count: 50 },
  ])('answerCountAt($elapsedMs) = $count', ({ elapsedMs, count }) => {
    expect(answerCountAt(growth, elapsedMs)).toBe(count);
  });

  it.each([
    { elapsedMs: 0, verdict: 'ok' },
    { elapsedMs: 39_999, verdict: 'ok' },
    { elapsedMs: 40_000, verdict: 'at_risk' },
    { elapsedMs: 100_000, verdict: 'at_risk' },
    { elapsedMs: 120_000, verdict: 'degraded' },
  ])('headless-growth verdict at $elapsedMs ms is $verdict', ({ elapsedMs, verdict }) => {
    expect(expectedVerdictAt(get('headless-growth'), elapsedMs)).toBe(verdict);
  });

  it('static scenarios keep their verdict', () => {
    expect(expectedVerdictAt(get('empty'), 1e9)).toBe('failing');
  });

  it('timeline of the default headless growth', () => {
    expect(growthTimeline(get('headless-growth'))).toEqual([
      { atSeconds: 0, a: 24, verdict: 'ok' },
      { atSeconds: 40, a: 26, verdict: 'at_risk' },
      { atSeconds: 120, a: 30, verdict: 'degraded' },
    ]);
    expect(growthTimeline(get('fits'))).toEqual([]);
  });

  it('withGrowEvery changes only the growth step', () => {
    const fast = withGrowEvery(SCENARIOS, 2);
    const headless = fast.find((s) => s.id === 'headless-growth');
    expect(headless?.growth).toEqual({ start: 24, max: 50, growEverySeconds: 2 });
    expect(answerCountAt(headless?.growth ?? growth, 12_000)).toBe(30);
    expect(fast.filter((s) => s.growth === null)).toEqual(SCENARIOS.filter((s) => s.growth === null));
  });
});

describe('zone helpers', () => {
  it.each([
    { name: 'partial.lab.test', id: 'partial', hop: 0 },
    { name: 'cname-partial.edge.lab.test', id: 'cname-partial', hop: 1 },
    { name: 'pool.cname-partial.edge.lab.test', id: 'cname-partial', hop: 2 },
    { name: 'web.default.svc.cluster.local', id: 'headless-growth', hop: 0 },
  ])('lookupName($name)', ({ name, id, hop }) => {
    const hit = lookupName(name);
    expect([hit?.scenario.id, hit?.hop]).toEqual([id, hop]);
  });

  it.each(['nope.lab.test', 'walk.lab.test.default.svc.cluster.local', 'lab.test', ''])(
    'lookupName(%j) is undefined',
    (name) => {
      expect(lookupName(name)).toBeUndefined();
    },
  );

  it.each([
    { name: 'a.lab.test', zone: 'lab.test' },
    { name: 'lab.test', zone: 'lab.test' },
    { name: 'web.default.svc.cluster.local', zone: 'cluster.local' },
    { name: 'xlab.test', zone: undefined },
    { name: 'example.com', zone: undefined },
  ])('zoneOf($name) = $zone', ({ name, zone }) => {
    expect(zoneOf(name)).toBe(zone);
  });

  it.each([
    { i: 0, v4: '192.0.2.1', v6: '2001:db8::1' },
    { i: 253, v4: '192.0.2.254', v6: '2001:db8::fe' },
    { i: 254, v4: '198.51.100.1', v6: '2001:db8::ff' },
    { i: 761, v4: '203.0.113.254', v6: '2001:db8::2fa' },
  ])('address #$i', ({ i, v4, v6 }) => {
    expect(labIpv4(i)).toBe(v4);
    expect(labIpv6(i)).toBe(v6);
  });

  it('runs out of IPv4 addresses after three /24s', () => {
    expect(() => labIpv4(762)).toThrow(RangeError);
  });
});

describe('commands and resolv.conf', () => {
  it.each([
    { id: 'partial', command: 'dns-headroom probe partial.lab.test --server 127.0.0.1:5300' },
    { id: 'tcp-refused', command: 'dns-headroom probe tcp-refused.lab.test --server 127.0.0.1:5301' },
    {
      id: 'search-walk',
      command:
        'dns-headroom probe walk.lab.test --server 127.0.0.1:5300 --resolv-conf lab-kubernetes.resolv.conf',
    },
  ])('probeCommand($id)', ({ id, command }) => {
    expect(probeCommand(get(id), SERVERS)).toBe(command);
  });

  it.each([
    { host: '127.0.0.1', port: 5300, text: '127.0.0.1:5300' },
    { host: '::1', port: 5300, text: '[::1]:5300' },
  ])('formatServer($host)', ({ host, port, text }) => {
    expect(formatServer({ host, port })).toBe(text);
  });

  it('kubernetesResolvConf is what kubelet writes for namespace default', () => {
    const lines = kubernetesResolvConf('127.0.0.1')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      'nameserver 127.0.0.1',
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'options ndots:5',
    ]);
  });
});
