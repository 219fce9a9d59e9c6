/**
 * Giving memory back once the targets' first round is done (docs/footprint.md).
 *
 * Start-up is the most memory a daemon ever needs at once: loading its modules and probing every
 * target for the first time grow V8's young generation to its cap and fill the old generation with
 * garbage. The image runs node with --no-memory-reducer-favors-memory, so V8 keeps every page it
 * has once used (its page pool) and RSS stays at that high-water mark for good. One
 * memory-reducing collection after the first round gives those pages back. It also drops the
 * hidden classes nothing uses at that moment, which deoptimises some hot functions once; V8's
 * memory reducer did that every few minutes, which is why the image turns its reducing mode off.
 *
 * Measured (compiled daemon against the lab, daemons side by side, RSS at 420 s): 1,000 targets
 * 80.6-82.1 MiB against 84.1-84.2 MiB without, CPU within the noise (0.69-0.80% against
 * 0.65-0.78% of a core); the collection took 41-62 ms and RSS right after it was 69 MiB.
 */

/** V8's collector as node exposes it with --expose-gc. */
type ExposedGc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * A function that runs one memory-reducing full collection, or null when node runs without
 * --expose-gc (the image passes it; `npm run demo` and the tests do not need it).
 */
export function memoryRelease(scope: { gc?: unknown } = globalThis): (() => void) | null {
  const gc = scope.gc;
  if (typeof gc !== 'function') return null;
  // 'last-resort' is V8's CollectAllAvailableGarbage: full collections in the memory-reducing mode
  // until nothing more is freed, then the pooled pages and the young generation's spare pages go
  // back to the system.
  return () => (gc as ExposedGc)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
