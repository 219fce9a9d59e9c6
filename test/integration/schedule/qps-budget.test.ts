/**
 * The query budget end to end: the real scheduler runs 1,000 real probes against the lab over
 * loopback, with every exchange gated by the token bucket, and the LAB's own query counter (what a
 * CoreDNS would see) must never show more than the budget allows over any sliding 1 s window:
 * `burst + rate * span`. The interval is far too short for the budget (1,000 probes of 2 queries
 * every 2 s want 1,000 queries/s), so the budget is what limits the pace, and the test checks that
 * it is really reached, not just respected. The lab runs in a worker thread (lab-worker.ts) so its
 * counter is read as queries arrive, not when the probes' event loop has a moment.
 */
import { randomInt } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { createNetTransport, type ProbeResult, probe, type ServerAddress } from '../../../src/probe/index.ts';
import { Scheduler, TokenBucket, withQueryBudget } from '../../../src/schedule/index.ts';

const JOBS = 1_000;
const RATE = 400;
const BURST = 20;
/**
 * A query granted just before a window opens reaches the lab a little later: loopback takes
 * microseconds, but the send itself happens on a later turn of this thread's event loop (socket
 * bind, TCP connect). So the bound allows `rate x` (this much + the worst event-loop delay seen).
 */
const SLACK_MS = 5;

type FromLab = { type: 'ready'; main: ServerAddress } | { type: 'samples'; samples: [number, number][] };

let worker: Worker;
let server: ServerAddress;

function next(type: FromLab['type']): Promise<FromLab> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromLab) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

beforeAll(async () => {
  worker = new Worker(new URL('./lab-worker.ts', import.meta.url));
  const ready = await next('ready');
  if (ready.type === 'ready') server = ready.main;
});
afterAll(async () => {
  await worker.terminate();
});

/** Polls `condition` every 20 ms; fails after `maxMs`. */
async function until(condition: () => boolean, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('1,000 probes through the scheduler never exceed the query budget, and all of them run', async () => {
  const bucket = new TokenBucket({ ratePerSecond: RATE, burst: BURST });
  const grants: number[] = [];
  const deps = {
    transport: withQueryBudget(createNetTransport(systemClock), {
      // Records each grant, to check the bucket itself exactly and that nothing bypasses it.
      take: async (n?: number, signal?: AbortSignal) => {
        await bucket.take(n, signal);
        grants.push(performance.now());
      },
    }),
    clock: systemClock,
    randomId: () => randomInt(0, 65_536),
  };
  const firstResult = new Map<string, ProbeResult>();
  const errors: unknown[] = [];
  const scheduler = new Scheduler<{ key: string }>({
    intervalMs: 2_000,
    jitter: 0.1,
    concurrency: 64,
    run: async (job, signal) => {
      const result = await probe(
        { name: 'fits.lab.test', family: 'inet', server, search: [], ndots: 1, timeoutMs: 5_000 },
        deps,
        signal,
      );
      if (!firstResult.has(job.key)) firstResult.set(job.key, result);
    },
    onError: (_job, err) => errors.push(err),
  });
  scheduler.setJobs(Array.from({ length: JOBS }, (_, i) => ({ key: `target-${i}` })));

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const started = performance.now();
  scheduler.start();
  try {
    // Generous bound: the whole suite runs in parallel on two cores, and a starved event loop is slow.
    await until(() => scheduler.firstRoundDone, 40_000);
  } finally {
    await scheduler.stop({ graceMs: 1_000 });
    bucket.close();
  }
  const stopped = next('samples');
  worker.postMessage('stop');
  const reply = await stopped;
  const samples = reply.type === 'samples' ? reply.samples.map(([at, total]) => ({ at, total })) : [];
  const elapsedMs = performance.now() - started;
  loopDelay.disable();
  const slackMs = SLACK_MS + loopDelay.max / 1e6;

  expect(errors).toEqual([]);
  // Every target probed, and every exchange answered: waiting for budget never ate the deadline.
  expect(firstResult.size).toBe(JOBS);
  for (const result of firstResult.values()) {
    expect(result.probes.A?.udp.ok).toBe(true);
    expect(result.probes.A?.tcp?.ok).toBe(true);
  }

  // Every window of at least 1 s between two samples: queries counted <= burst + rate * span.
  let worstExcess = Number.NEGATIVE_INFINITY;
  let peakQps = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    const end = samples[i] as { at: number; total: number };
    while (j + 1 < i && end.at - (samples[j + 1] as { at: number }).at >= 1_000) j++;
    const begin = samples[j] as { at: number; total: number };
    const spanMs = end.at - begin.at;
    if (spanMs < 1_000) continue;
    const count = end.total - begin.total;
    const allowed = BURST + (RATE * (spanMs + slackMs)) / 1_000;
    worstExcess = Math.max(worstExcess, count - allowed);
    peakQps = Math.max(peakQps, (count * 1_000) / spanMs);
  }
  const total = samples.at(-1)?.total ?? 0;
  console.info(
    `qps-budget: ${total} queries in ${(elapsedMs / 1000).toFixed(2)} s, mean ${((total * 1000) / elapsedMs).toFixed(1)}/s, ` +
      `peak over 1 s windows ${peakQps.toFixed(1)}/s (budget ${RATE}/s, burst ${BURST}), ` +
      `max event-loop delay ${(loopDelay.max / 1e6).toFixed(1)} ms, headroom to the bound ${(-worstExcess).toFixed(1)} queries; scheduler ${JSON.stringify(scheduler.stats)}`,
  );
  expect(worstExcess).toBeLessThanOrEqual(0);
  // The grants themselves meet the bound over 1 s windows. They are timed when their awaits resume,
  // which on a busy event loop can be up to one loop delay after the bucket granted them (seen in a
  // full CI run: 423 against a bound of 422 with only 5 ms of slack), hence the same loop-aware slack
  // as above. The bucket's exact arithmetic is tested with a fake clock in test/unit/schedule.
  let lo = 0;
  for (let hi = 0; hi < grants.length; hi++) {
    while ((grants[hi] as number) - (grants[lo] as number) > 1_000) lo++;
    expect(hi - lo + 1).toBeLessThanOrEqual(BURST + (RATE * (1_000 + slackMs)) / 1_000);
  }
  // Every query the lab saw went through the budget.
  expect(total).toBeLessThanOrEqual(grants.length);
  // The budget was the limit, not something else: the pace reached it.
  expect(peakQps).toBeGreaterThan(RATE * 0.8);
  // Each probe of fits.lab.test (inet) is one UDP and one TCP query.
  expect(total).toBeGreaterThanOrEqual(2 * JOBS);
}, 60_000);
