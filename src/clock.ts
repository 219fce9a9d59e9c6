/** Injected time (STYLE.md principle 3): tests drive a fake, production uses the process clock. */
export interface Clock {
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps shown to people. */
  nowMs(): number;
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({
  monotonicMs: () => performance.now(),
  nowMs: () => Date.now(),
});
