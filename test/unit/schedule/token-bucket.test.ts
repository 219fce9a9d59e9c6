/** The token bucket on fake time: rate and burst bounds, FIFO fairness, cancellation, reloads. */
import { describe, expect, it } from 'vitest';
import { defaultBurst, TokenBucket } from '../../../src/schedule/index.ts';
import { FakeTimers } from './fake-timers.ts';

function bucket(ratePerSecond: number, burst?: number) {
  const timers = new FakeTimers();
  return { timers, bucket: new TokenBucket({ ratePerSecond, burst, clock: timers.clock, timers }) };
}

/** Most grants in any span of `spanMs` (closed interval). */
function maxInSpan(times: readonly number[], spanMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] as number) - (times[lo] as number) > spanMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('defaults', () => {
  it.each([
    [0.1, 1],
    [1, 1],
    [100, 100],
    [2.5, 2.5],
  ])('rate %s has a default burst of %s, and starts full', (rate, burst) => {
    expect(defaultBurst(rate)).toBe(burst);
    const { bucket: b } = bucket(rate);
    expect(b.burst).toBe(burst);
    expect(b.available).toBe(burst);
  });

  it.each([
    [0, undefined],
    [-1, undefined],
    [Number.NaN, undefined],
    [10, 0.5],
  ])('refuses rate %s with burst %s', (rate, burst) => {
    expect(() => bucket(rate, burst)).toThrow(RangeError);
  });

  it.each([0, -1, 11])('refuses to take %s tokens from a bucket of 10', async (n) => {
    const { bucket: b } = bucket(10);
    expect(() => b.tryTake(n)).toThrow(RangeError);
    await expect(b.take(n)).rejects.toThrow(RangeError);
  });
});

describe('rate', () => {
  it.each([
    [1, 1, 20],
    [10, 10, 100],
    [200, 200, 2_000],
    [200, 20, 2_000],
    [0.5, 1, 5],
  ])('rate %s/s, burst %s: %i queued takes are granted within burst + rate·T', async (rate, burst, n) => {
    const { timers, bucket: b } = bucket(rate, burst);
    const grants: number[] = [];
    for (let i = 0; i < n; i++) void b.take().then(() => grants.push(timers.clock.monotonicMs()));
    await timers.until(() => grants.length === n, 1_000_000, 50);
    // The burst goes at once, then one token every 1/rate seconds.
    expect(grants.filter((t) => t === 0)).toHaveLength(Math.floor(burst));
    const total = grants.at(-1) as number;
    expect(total).toBeGreaterThanOrEqual(((n - burst) / rate) * 1000 - 1);
    expect(total).toBeLessThanOrEqual(((n - burst) / rate) * 1000 + 2);
    for (const spanMs of [100, 1000, 5000]) {
      expect(maxInSpan(grants, spanMs)).toBeLessThanOrEqual(burst + (rate * spanMs) / 1000 + 1);
    }
    expect(timers.pending).toBe(0);
  });

  it('keeps at most one timer pending however many wait', async () => {
    const { timers, bucket: b } = bucket(10, 1);
    for (let i = 0; i < 500; i++) void b.take();
    expect(b.waiting).toBe(499);
    expect(timers.pending).toBe(1);
    await timers.advance(1_000);
    expect(timers.pending).toBe(1);
    expect(b.waiting).toBe(489);
  });

  it('refills up to the burst, not beyond', async () => {
    const { timers, bucket: b } = bucket(10, 5);
    for (let i = 0; i < 5; i++) expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    await timers.advance(200);
    expect(b.available).toBeCloseTo(2);
    await timers.advance(60_000);
    expect(b.available).toBe(5);
  });
});

describe('fairness', () => {
  it('serves waiters first-in first-out: a big request is not overtaken by small ones', async () => {
    const { timers, bucket: b } = bucket(10, 5);
    expect(b.tryTake(5)).toBe(true);
    const order: string[] = [];
    void b.take(4).then(() => order.push('four'));
    void b.take(1).then(() => order.push('one-a'));
    void b.take(1).then(() => order.push('one-b'));
    await timers.advance(100);
    // One token is there, but 'four' is at the head: nobody passes it.
    expect(order).toEqual([]);
    expect(b.tryTake()).toBe(false);
    await timers.advance(300);
    expect(order).toEqual(['four']);
    await timers.advance(200);
    expect(order).toEqual(['four', 'one-a', 'one-b']);
  });
});

describe('cancellation', () => {
  it('an aborted wait rejects with the reason, leaves the queue and costs no token', async () => {
    const { timers, bucket: b } = bucket(10, 1);
    expect(b.tryTake()).toBe(true);
    const controller = new AbortController();
    const cancelled = b.take(1, controller.signal);
    const grants: number[] = [];
    void b.take().then(() => grants.push(timers.clock.monotonicMs()));
    await timers.advance(50);
    controller.abort(new Error('shutdown'));
    await expect(cancelled).rejects.toThrow('shutdown');
    expect(b.waiting).toBe(1);
    // The second waiter gets the first token, at 100 ms: the cancelled one took nothing.
    await timers.advance(100);
    expect(grants).toEqual([100]);
    expect(b.waiting).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('a signal aborted before take() rejects at once without touching the tokens', async () => {
    const { bucket: b } = bucket(10, 3);
    const reason = new Error('already');
    await expect(b.take(1, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(b.available).toBe(3);
  });

  it('close() rejects every waiter and every later take, and clears its timer', async () => {
    const { timers, bucket: b } = bucket(1, 1);
    expect(b.tryTake()).toBe(true);
    const waits = [b.take(), b.take()];
    b.close(new Error('closed'));
    for (const wait of waits) await expect(wait).rejects.toThrow('closed');
    await expect(b.take()).rejects.toThrow('closed');
    expect(b.tryTake()).toBe(false);
    expect(b.waiting).toBe(0);
    expect(timers.pending).toBe(0);
  });
});

describe('setRate', () => {
  it('changes the rate at runtime, for waiters already queued too', async () => {
    const { timers, bucket: b } = bucket(1, 1);
    expect(b.tryTake()).toBe(true);
    const grants: number[] = [];
    for (let i = 0; i < 10; i++) void b.take().then(() => grants.push(timers.clock.monotonicMs()));
    await timers.advance(2_000);
    expect(grants).toEqual([1_000, 2_000]);
    b.setRate(100, 1);
    expect(b.rate).toBe(100);
    await timers.advance(100);
    expect(grants).toHaveLength(10);
    expect(grants.slice(2)).toEqual([2_010, 2_020, 2_030, 2_040, 2_050, 2_060, 2_070, 2_080]);
  });

  it('clamps the tokens to a smaller burst and rejects waiters that could never be served', async () => {
    const { bucket: b } = bucket(10, 10);
    expect(b.tryTake(5)).toBe(true);
    const big = b.take(8);
    b.setRate(2);
    await expect(big).rejects.toThrow(RangeError);
    expect(b.burst).toBe(2);
    expect(b.available).toBe(2);
  });
});
