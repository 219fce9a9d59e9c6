import type { Clock } from '../../src/clock.ts';

/** A clock the test moves by hand: time passes only when `advance` says so. */
export class FakeClock implements Clock {
  #ms: number;
  constructor(startMs = 0) {
    this.#ms = startMs;
  }
  monotonicMs(): number {
    return this.#ms;
  }
  nowMs(): number {
    return 1_700_000_000_000 + this.#ms;
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(ms: number): void {
    this.#ms = ms;
  }
}
