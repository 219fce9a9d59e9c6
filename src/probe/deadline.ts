/**
 * One timer per exchange, plus the caller's cancel signal. Cheaper than `AbortSignal.any([
 * AbortSignal.timeout(ms), signal])`, which allocates a composite signal and a DOMException per
 * query: at thousands of queries a minute that was a visible share of the daemon's CPU.
 */

/** The listener options, made once: every exchange registers a listener. */
const ONCE = Object.freeze({ once: true });

/** Why a wait ended early. */
export type DeadlineCause = 'timeout' | 'aborted';

/** Calls `onEnd` once when `timeoutMs` passes or `signal` aborts; returns the function that cancels both. */
export function startDeadline(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onEnd: (cause: DeadlineCause) => void,
): () => void {
  let done = false;
  const onAbort = () => end('aborted');
  const timer = setTimeout(() => end('timeout'), timeoutMs);
  function end(cause: DeadlineCause) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    onEnd(cause);
  }
  if (signal?.aborted) {
    // Defer so the caller finishes setting up before it hears the end.
    queueMicrotask(() => end('aborted'));
  } else {
    signal?.addEventListener('abort', onAbort, ONCE);
  }
  return () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
}
