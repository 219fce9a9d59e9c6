/**
 * Deterministic timers driven by a FakeClock: `setTimeout` queues a callback at clock + ms, and
 * `advance` moves the clock forward timer by timer, letting promise continuations run after each
 * one, so async code under test sees time pass exactly as it would, without waiting.
 */
import type { Timers } from '../../../src/schedule/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets every queued promise continuation run (a macrotask turn; no wall-clock wait). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A timer queue on a fake clock. */
export class FakeTimers implements Timers {
  readonly clock: FakeClock;
  #pending: Pending[] = [];
  #nextId = 1;
  /** Timers set so far (tests assert the scheduler keeps a single timer). */
  setCount = 0;

  constructor(clock: FakeClock = new FakeClock(0)) {
    this.clock = clock;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.setCount++;
    this.#pending.push({ id, at: this.clock.monotonicMs() + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((timer) => timer.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way in time order (ties: set order). */
  async advance(ms: number): Promise<void> {
    const target = this.clock.monotonicMs() + ms;
    await flush();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      this.#pending = this.#pending.filter((timer) => timer !== next);
      if (next.at > this.clock.monotonicMs()) this.clock.set(next.at);
      next.callback();
      await flush();
    }
    this.clock.set(target);
    await flush();
  }

  /** Advances in steps of `stepMs` until `condition()` holds; fails after `maxMs` of fake time. */
  async until(condition: () => boolean, maxMs: number, stepMs = 100): Promise<void> {
    for (let spent = 0; !condition(); spent += stepMs) {
      if (spent >= maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }

  #earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const timer of this.#pending) if (best === undefined || timer.at < best.at) best = timer;
    return best;
  }
}

/** A seeded uniform random source in [0, 1) (mulberry32), so spreads and jitter are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
