/**
 * Verdicts and diagnoses over scripted worlds: the probe driver runs against a fake transport,
 * then `judge` decides. One row per rule of PRODUCT.md section 2.
 */
import { describe, expect, it } from 'vitest';
import { probe } from '../../../src/probe/probe.ts';
import type { Exchange } from '../../../src/probe/types.ts';
import { judge } from '../../../src/verdict/index.ts';
import {
  failedExchange,
  type OkOptions,
  okExchange,
  type WorldSpec,
  world,
} from '../../helpers/exchanges.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeTransport } from '../../helpers/fake-transport.ts';

const N = 'web.lab.test';

/** A world where the name has `a` A records; UDP shaped by `udp`, TCP answering in full unless `tcp` says otherwise. */
function aWorld(a: number, udp: OkOptions | Exchange, tcp?: Exchange): WorldSpec {
  const full = okExchange({ addresses: a, transport: 'tcp' });
  return {
    [`${N}|A|udp`]: 'ok' in udp ? (udp as Exchange) : okExchange({ addresses: a, ...udp }),
    [`${N}|A|tcp`]: tcp ?? full,
  } as WorldSpec;
}

async function verdictOf(w: WorldSpec, options = { warnBytes: 64 }) {
  const transport = new FakeTransport(world(w));
  const result = await probe(
    {
      name: N,
      family: 'inet',
      server: { host: '192.0.2.53', port: 53 },
      search: [],
      ndots: 1,
      timeoutMs: 100,
    },
    { transport, clock: new FakeClock(), randomId: () => 1 },
  );
  return judge(result, options);
}

// okExchange sizes: 26-byte header+question, 16 bytes per A record.
describe('judge', () => {
  it.each([
    ['fits with room', aWorld(4, {}), 'ok', /Fits: 90 of 512 bytes, 422 bytes of headroom/],
    ['headroom under the threshold', aWorld(28, {}), 'at_risk', /only 38 bytes of headroom/],
    [
      'exactly 512',
      aWorld(30, { bytes: 512 }, okExchange({ addresses: 30, bytes: 512, transport: 'tcp' })),
      'at_risk',
      /no room for another A record/,
    ],
    [
      'partial truncation',
      aWorld(40, { addresses: 29, truncated: true, ancount: 29 }),
      'degraded',
      /musl <= 1.2.3 pods get 29 of 40 addresses/,
    ],
    [
      'empty truncation',
      aWorld(40, { addresses: 0, truncated: true, ancount: 0 }),
      'failing',
      /musl <= 1.2.3 pods get no address \(EAI_NONAME\).*empty answer/,
    ],
    [
      'CNAME-only truncation',
      aWorld(40, { addresses: 0, cnames: 2, truncated: true, ancount: 2 }),
      'failing',
      /CNAME chain alone/,
    ],
    [
      'TCP refused on a truncated name',
      aWorld(40, { addresses: 29, truncated: true }, failedExchange('refused', 'tcp')),
      'failing',
      /TCP to 192.0.2.53:53 fails \(refused\)/,
    ],
    ['TCP refused on a name that fits', aWorld(4, {}, failedExchange('refused', 'tcp')), 'ok', /Fits/],
    [
      'TCP stream closed mid-answer',
      aWorld(4, {}, failedExchange('closed', 'tcp')),
      'error',
      /could not complete/,
    ],
    ['no UDP reply', aWorld(4, failedExchange('timeout')), 'error', /could not complete/],
    ['SERVFAIL', aWorld(0, { rcode: 'SERVFAIL' }), 'failing', /answers SERVFAIL/],
    ['NXDOMAIN', {}, 'failing', /does not exist/],
    [
      'cut at 512 without TC',
      aWorld(40, { addresses: 30, cut: true, bytes: 512, ancount: 40 }),
      'failing',
      /without setting TC.*glibc rejects the broken reply and gets EAI_NODATA/,
    ],
  ])('%s -> %s', async (_label, w, verdict, diagnosis) => {
    const a = await verdictOf(w);
    expect(a.verdict).toBe(verdict);
    expect(a.diagnosis).toMatch(diagnosis);
  });

  it('reports full size and headroom from the TCP answer', async () => {
    const a = await verdictOf(aWorld(40, { addresses: 29, truncated: true }));
    expect(a.fullBytes).toBe(26 + 40 * 16);
    expect(a.headroomBytes).toBe(512 - (26 + 40 * 16));
    expect(a.tcpFallback).toBe('ok');
  });

  it('leaves the full size unknown when TCP fails on a truncated answer', async () => {
    const a = await verdictOf(
      aWorld(40, { addresses: 29, truncated: true }, failedExchange('timeout', 'tcp')),
    );
    expect(a.fullBytes).toBeNull();
    expect(a.headroomBytes).toBeNull();
    expect(a.tcpFallback).toBe('failed');
  });

  it('moves the at_risk line with warnBytes and with a shrinking trend', async () => {
    expect((await verdictOf(aWorld(4, {}), { warnBytes: 500 })).verdict).toBe('at_risk');
    expect((await verdictOf(aWorld(4, {}), { warnBytes: 0 })).verdict).toBe('ok');
    const transport = new FakeTransport(world(aWorld(4, {})));
    const result = await probe(
      {
        name: N,
        family: 'inet',
        server: { host: '192.0.2.53', port: 53 },
        search: [],
        ndots: 1,
        timeoutMs: 100,
      },
      { transport, clock: new FakeClock(), randomId: () => 1 },
    );
    expect(judge(result, { warnBytes: 64, shrinking: true }).verdict).toBe('at_risk');
  });
});
