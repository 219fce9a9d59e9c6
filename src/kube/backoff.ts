/**
 * Restart delays for a failed watch: exponential, capped, jittered; pure (the random number is
 * passed in). "Equal jitter": half the step is fixed, half random, so a whole DaemonSet that lost
 * the API server at the same moment does not come back in lockstep, and no restart comes sooner
 * than half its step (the trade-off discussed in the AWS "Exponential Backoff And Jitter" note and
 * used by client-go's `wait.Backoff` with `Jitter`).
 */

/** Backoff shape. */
export interface BackoffOptions {
  /** Delay before the first restart (before jitter). */
  readonly initialMs: number;
  /** Cap of the un-jittered delay. */
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * Defaults: 1 s, doubling, capped at 60 s. client-node's ListWatch reconnects a closed stream
 * after 1 s doubling to 30 s; a failing API server (5xx, refused) deserves a longer cap, and a
 * minute of staleness is harmless for a config and for Service sizes.
 */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 1000, maxMs: 60_000, factor: 2 });

/** Delay before restart number `attempt` (1-based), with `random` in [0, 1). */
export function backoffDelayMs(
  attempt: number,
  random: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const step = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * Math.min(Math.max(random, 0), 1));
}

/** Waits `ms`, or less if `signal` aborts; never rejects. */
export type DelayFn = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real delay: a timer that does not keep the process alive and ends early on abort. */
export const realDelay: DelayFn = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
