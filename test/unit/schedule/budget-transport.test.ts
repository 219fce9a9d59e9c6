/**
 * The budget decorator: one token per exchange, taken before the inner transport is called (so
 * the inner deadline starts after the wait), and cancelled waits that neither leak nor hang.
 */
import { describe, expect, it } from 'vitest';
import type { DnsTransport, Exchange, ExchangeRequest } from '../../../src/probe/index.ts';
import { TokenBucket, withQueryBudget } from '../../../src/schedule/index.ts';
import { FakeTimers } from './fake-timers.ts';

const OK: Exchange = {
  ok: true,
  transport: 'udp',
  queryBytes: 30,
  durationSeconds: 0,
  ignored: { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 },
  oversize: false,
  bytes: 46,
  truncated: false,
  rcode: 'NOERROR',
  ancount: 1,
  qdcount: 1,
  cut: false,
  addresses: ['192.0.2.1'],
  addressEnds: [46],
  cnames: [],
  ednsPayloadSize: null,
};

/** Records when each exchange reached the wire (the inner transport), by fake time. */
function setup(rate: number, burst: number) {
  const timers = new FakeTimers();
  const bucket = new TokenBucket({ ratePerSecond: rate, burst, clock: timers.clock, timers });
  const sent: { kind: 'udp' | 'tcp'; at: number }[] = [];
  const inner: DnsTransport = {
    udp: async () => {
      sent.push({ kind: 'udp', at: timers.clock.monotonicMs() });
      return OK;
    },
    tcp: async () => {
      sent.push({ kind: 'tcp', at: timers.clock.monotonicMs() });
      return { ...OK, transport: 'tcp' };
    },
  };
  return { timers, bucket, sent, transport: withQueryBudget(inner, bucket) };
}

function request(signal?: AbortSignal, ednsPayloadSize?: number): ExchangeRequest {
  return {
    server: { host: '127.0.0.1', port: 53 },
    query: { id: 1, name: 'fits.lab.test', qtype: 'A', ednsPayloadSize },
    timeoutMs: 1_000,
    signal,
  };
}

describe.each(['udp', 'tcp'] as const)('%s exchanges', (kind) => {
  it('each takes one token before it is sent: 50 at 10/s reach the wire at the budgeted pace', async () => {
    const { timers, sent, transport } = setup(10, 5);
    const results = Array.from({ length: 50 }, () => transport[kind](request()));
    await timers.advance(0);
    expect(sent).toHaveLength(5);
    await timers.advance(1_000);
    expect(sent).toHaveLength(15);
    await timers.advance(3_500);
    expect(sent).toHaveLength(50);
    expect(sent.every((s) => s.kind === kind)).toBe(true);
    for (const result of await Promise.all(results)) expect(result.ok).toBe(true);
  });

  it('a cancelled wait resolves as an aborted exchange, sends nothing and costs no token', async () => {
    const { timers, bucket, sent, transport } = setup(1, 1);
    await transport[kind](request());
    const controller = new AbortController();
    const cancelled = transport[kind](request(controller.signal));
    const next = transport[kind](request());
    await timers.advance(500);
    controller.abort(new Error('stop'));
    const result = await cancelled;
    expect(result).toMatchObject({ ok: false, reason: 'aborted', transport: kind, durationSeconds: 0 });
    expect(result.queryBytes).toBeGreaterThan(12);
    expect(bucket.waiting).toBe(1);
    await timers.advance(500);
    expect((await next).ok).toBe(true);
    expect(sent.map((s) => s.at)).toEqual([0, 1_000]);
  });

  it('with a token free, hands the exchange on at once (no promise turn) and spends the token', async () => {
    const { bucket, sent, transport } = setup(1, 2);
    const result = transport[kind](request());
    expect(sent).toHaveLength(1); // synchronously, before anything was awaited
    expect(bucket.tryTake(1)).toBe(true);
    expect(bucket.tryTake(1)).toBe(false); // two tokens of burst: one for the exchange, one here
    expect((await result).ok).toBe(true);
  });

  it('an exchange whose signal already aborted is not sent even with tokens free', async () => {
    const { bucket, sent, transport } = setup(10, 5);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(await transport[kind](request(controller.signal))).toMatchObject({ ok: false, reason: 'aborted' });
    expect(sent).toHaveLength(0);
    expect(bucket.tryTake(5)).toBe(true); // no token was spent
  });

  it('a closed budget fails waiting exchanges as aborted instead of hanging', async () => {
    const { bucket, sent, transport } = setup(1, 1);
    await transport[kind](request());
    const waiting = transport[kind](request());
    bucket.close();
    expect(await waiting).toMatchObject({ ok: false, reason: 'aborted' });
    expect(await transport[kind](request())).toMatchObject({ ok: false, reason: 'aborted' });
    expect(sent).toHaveLength(1);
  });
});

it('reports an aborted EDNS0 query as transport edns', async () => {
  const { transport } = setup(1, 1);
  const result = await transport.udp(request(AbortSignal.abort(), 1232));
  expect(result).toMatchObject({ ok: false, reason: 'aborted', transport: 'edns' });
});
