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
 * Measured with the collection at 45 s (compiled daemon against the lab, daemons side by side, RSS
 * at 420 s): 1,000 targets 80.0-82.1 MiB against 84.1-84.2 MiB without, CPU within the noise
 * (0.69-0.80% against 0.65-0.78% of a core), the collection 41-89 ms, RSS 69 MiB right after it;
 * 10,000 targets 115.4 against 119.1 MiB, 2.73% against 2.68%, 109 ms. `npm run bench` with it:
 * 100 targets 67.6 MiB (74.1-74.4 before), 1,000 targets 83.1 (84.7-84.9), 10,000 targets 111.5
 * (115.2-122.2), CPU 0.34%, 0.66% and 2.77% of a core. Less gained at 1,000 targets there: the
 * heap builds up again to the steady state's own high-water mark, and the bench's first scrape
 * comes right after the first round.
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
