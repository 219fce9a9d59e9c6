/**
 * A token bucket for the process-wide queries-per-second budget (Config.queriesPerSecond).
 *
 * Tokens refill continuously at `rate` per second up to `burst`; the bucket starts full. In any
 * span of T seconds at most `burst + rate * T` tokens are handed out, which is the bound the QPS
 * integration test checks against the lab's query counter.
 *
 * Waiters are served strictly first-in first-out: a large request at the head is not overtaken by
 * small ones behind it, and `tryTake` fails while anyone waits, so a caller that polls cannot starve
 * the ones that queued. One timer is pending at most, for the moment the head can be served.
 *
 * The waiting queue has no cap of its own: it is bounded by its callers. Through the scheduler that
 * is `concurrency` probes times the queries one probe sends at once (a handful: A and AAAA, UDP and
 * TCP), so it stays small; `waiting` reports its length for the metrics. A cancelled wait (its
 * signal aborted, or `close()`) leaves the queue at once and never consumed a token: tokens are
 * only deducted at the moment a waiter is granted.
 */
import { type Clock, systemClock } from '../clock.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';

/** How to build a token bucket. */
export interface TokenBucketOptions {
  /** Tokens added per second; > 0. */
  readonly ratePerSecond: number;
  /** Most tokens held at once (the largest burst); default `max(1, ratePerSecond)`, one second's worth. */
  readonly burst?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
}

/** Tolerance for float drift in the refill arithmetic (a timer due "exactly" when n tokens exist). */
const EPSILON = 1e-9;

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
  done: boolean;
}

/** The default burst for a rate: one second's worth, and at least one token so a slow rate can grant at all. */
export function defaultBurst(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond);
}

/** A FIFO-fair token bucket driven by an injected clock and timers. */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #timers: Timers;
  #rate: number;
  #burst: number;
  #tokens: number;
  #last: number;
  /** FIFO of waiters; entries before `#head` are served or cancelled. */
  #queue: Waiter[] = [];
  #head = 0;
  #live = 0;
  #timer: TimerHandle | null = null;
  #closed = false;
  #closeReason: unknown;

  constructor(options: TokenBucketOptions) {
    const burst = options.burst ?? defaultBurst(options.ratePerSecond);
    checkRate(options.ratePerSecond, burst);
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#rate = options.ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = this.#clock.monotonicMs();
  }

  /** Tokens per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Capacity. */
  get burst(): number {
    return this.#burst;
  }

  /** Tokens available now (fractional). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Callers waiting in `take`. */
  get waiting(): number {
    return this.#live;
  }

  /**
   * Takes `n` tokens now if nobody is waiting and they are there; never waits. Returns whether it
   * took them. Throws RangeError when `n` is not in 1..burst (programming error).
   */
  tryTake(n = 1): boolean {
    this.#checkN(n);
    if (this.#closed || this.#live > 0) return false;
    this.#refill();
    if (this.#tokens + EPSILON < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /**
   * Resolves once `n` tokens were taken for the caller, in arrival order. Rejects with the signal's
   * reason if `signal` aborts first (no token is consumed), with the `close()` reason after close,
   * and with RangeError when `n` is not in 1..burst.
   */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    try {
      this.#checkN(n);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(this.#closeReason);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryTake(n)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { n, resolve, reject, signal, onAbort: null, done: false };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#cancel(waiter, signal.reason);
          // The head may have changed: re-arm for the new one (or serve it, if it fits now).
          this.#pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#live++;
      if (this.#live === 1) this.#pump();
    });
  }

  /**
   * Changes the rate (and burst; default `max(1, rate)`) from now on, for a config reload. Tokens
   * earned so far are kept up to the new burst; waiters asking for more than the new burst are
   * rejected with RangeError, since they could never be served.
   */
  setRate(ratePerSecond: number, burst: number = defaultBurst(ratePerSecond)): void {
    checkRate(ratePerSecond, burst);
    this.#refill();
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
    for (let i = this.#head; i < this.#queue.length; i++) {
      const waiter = this.#queue[i] as Waiter;
      if (!waiter.done && waiter.n > burst) {
        this.#cancel(
          waiter,
          new RangeError(`waiting for ${waiter.n} tokens, more than the new burst ${burst}`),
        );
      }
    }
    this.#clearTimer();
    this.#pump();
  }

  /** Rejects every waiter and every later `take` with `reason`, and clears the timer (shutdown). */
  close(reason: unknown = new Error('token bucket closed')): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#clearTimer();
    for (let i = this.#head; i < this.#queue.length; i++) this.#cancel(this.#queue[i] as Waiter, reason);
    this.#queue = [];
    this.#head = 0;
  }

  #checkN(n: number): void {
    if (!(n > 0) || n > this.#burst)
      throw new RangeError(`cannot take ${n} tokens from a bucket of ${this.#burst}`);
  }

  #refill(): void {
    const now = this.#clock.monotonicMs();
    if (now > this.#last) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#rate) / 1000);
    }
    this.#last = now;
  }

  #settle(waiter: Waiter): void {
    waiter.done = true;
    this.#live--;
    if (waiter.onAbort !== null) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.onAbort = null;
  }

  #cancel(waiter: Waiter, reason: unknown): void {
    if (waiter.done) return;
    this.#settle(waiter);
    waiter.reject(reason);
  }

  /** Serves waiters from the head while tokens last, then arms the timer for the next head. */
  #pump(): void {
    if (this.#closed) return;
    this.#refill();
    for (;;) {
      const waiter = this.#queue[this.#head];
      if (waiter === undefined) break;
      if (waiter.done) {
        this.#head++;
        continue;
      }
      if (this.#tokens + EPSILON < waiter.n) break;
      this.#tokens = Math.max(0, this.#tokens - waiter.n);
      this.#head++;
      this.#settle(waiter);
      waiter.resolve();
    }
    // Drop served entries now and then instead of shifting the array on every grant.
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#clearTimer();
    const next = this.#queue[this.#head];
    if (next === undefined) return;
    // Ceil to whole milliseconds, at least 1: real timers can fire a little before the clock
    // says the deficit is covered, and then this simply re-arms.
    const delayMs = Math.max(1, Math.ceil(((next.n - this.#tokens) * 1000) / this.#rate));
    this.#timer = this.#timers.setTimeout(this.#onTimer, delayMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#pump();
  };

  #clearTimer(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function checkRate(ratePerSecond: number, burst: number): void {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`rate must be a positive number: ${ratePerSecond}`);
  }
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1: ${burst}`);
}
