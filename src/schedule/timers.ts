/**
 * The timer seam (STYLE.md principle 3): the scheduler and the token bucket ask an injected
 * `Timers` for their one pending timer each, so unit tests drive a fake timer queue from a fake
 * clock and never wait on wall-clock time.
 */

/** Whatever `setTimeout` returned; only ever handed back to `clearTimeout`. */
export type TimerHandle = unknown;

/** The two timer functions the schedule module uses. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's timers. */
export const systemTimers: Timers = Object.freeze({
  setTimeout: (callback: () => void, ms: number): TimerHandle => setTimeout(callback, ms),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
