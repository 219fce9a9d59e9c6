/**
 * The scheduler on a fake clock and fake timers: spread, jitter, fixed rate, one run per key,
 * the concurrency cap, reloads, isolation, stop, and first-round readiness.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../../src/schedule/index.ts';
import { FakeTimers, seededRandom } from './fake-timers.ts';

interface Job {
  readonly key: string;
  /** How long a run takes in fake time (0: resolves at once). */
  readonly durationMs?: number;
  /** 'throw' throws synchronously, 'reject' rejects after durationMs. */
  readonly fail?: 'throw' | 'reject';
}

interface Start {
  readonly key: string;
  readonly at: number;
}

/** A scheduler whose runs take fake time, recording each start and the runs in flight. */
function harness(options: Partial<SchedulerOptions<Job>> = {}) {
  const timers = new FakeTimers();
  const starts: Start[] = [];
  const errors: { key: string; err: unknown }[] = [];
  const aborted: string[] = [];
  const running = new Map<string, number>();
  let maxInFlight = 0;
  let overlap = false;
  let rounds = 0;
  const run = (job: Job, signal: AbortSignal): Promise<void> => {
    if (job.fail === 'throw') throw new Error(`boom ${job.key}`);
    starts.push({ key: job.key, at: timers.clock.monotonicMs() });
    const mine = (running.get(job.key) ?? 0) + 1;
    if (mine > 1) overlap = true;
    running.set(job.key, mine);
    const total = [...running.values()].reduce((a, b) => a + b, 0);
    maxInFlight = Math.max(maxInFlight, total);
    const end = () => running.set(job.key, (running.get(job.key) ?? 1) - 1);
    if (!job.durationMs) {
      end();
      return job.fail === 'reject' ? Promise.reject(new Error(`nope ${job.key}`)) : Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const handle = timers.setTimeout(() => {
        end();
        if (job.fail === 'reject') reject(new Error(`nope ${job.key}`));
        else resolve();
      }, job.durationMs as number);
      signal.addEventListener('abort', () => {
        timers.clearTimeout(handle);
        end();
        aborted.push(job.key);
        reject(signal.reason);
      });
    });
  };
  const scheduler = new Scheduler<Job>({
    clock: timers.clock,
    timers,
    random: seededRandom(42),
    intervalMs: 10_000,
    jitter: 0,
    concurrency: 1_000,
    run,
    onError: (job, err) => errors.push({ key: job.key, err }),
    onRoundComplete: () => rounds++,
    ...options,
  });
  return {
    timers,
    scheduler,
    starts,
    errors,
    aborted,
    startsOf: (key: string) => starts.filter((s) => s.key === key).map((s) => s.at),
    get maxInFlight() {
      return maxInFlight;
    },
    get overlap() {
      return overlap;
    },
    get rounds() {
      return rounds;
    },
  };
}

function jobs(n: number, extra: Omit<Job, 'key'> = {}): Job[] {
  return Array.from({ length: n }, (_, i) => ({ key: `job-${String(i).padStart(5, '0')}`, ...extra }));
}

/** Most starts in any window of `windowMs` (sliding over start times). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

describe('construction', () => {
  it('starts nothing until start()', async () => {
    const h = harness();
    h.scheduler.setJobs(jobs(3));
    await h.timers.advance(60_000);
    expect(h.starts).toEqual([]);
    expect(h.timers.pending).toBe(0);
    expect(h.scheduler.firstRoundDone).toBe(false);
  });

  it.each([
    [{ intervalMs: 0 }],
    [{ intervalMs: Number.POSITIVE_INFINITY }],
    [{ jitter: -0.1 }],
    [{ jitter: 0.6 }],
    [{ concurrency: 0 }],
    [{ concurrency: 1.5 }],
  ])('rejects invalid settings %o', (bad) => {
    expect(() => harness(bad)).toThrow(RangeError);
    const h = harness();
    expect(() => h.scheduler.setOptions(bad)).toThrow(RangeError);
  });

  it('cannot start twice or after stop', async () => {
    const h = harness();
    h.scheduler.start();
    expect(() => h.scheduler.start()).toThrow();
    await h.scheduler.stop();
    expect(() => h.scheduler.start()).toThrow();
  });
});

describe('spread of first runs', () => {
  it.each([
    [1_000, 30_000, 0.1],
    [1_000, 30_000, 0],
    [10_000, 60_000, 0.1],
  ])(
    '%i jobs every %i ms (jitter %s): no 1 s window holds more than 2x the average',
    async (n, intervalMs, jitter) => {
      const h = harness({ intervalMs, jitter });
      h.scheduler.setJobs(jobs(n));
      h.scheduler.start();
      await h.timers.advance(intervalMs);
      // Every job had its first run within the first interval (with jitter, the earliest ones may
      // already have had their second).
      const first = new Map<string, number>();
      for (const s of h.starts) if (!first.has(s.key)) first.set(s.key, s.at);
      expect(first.size).toBe(n);
      expect(Math.max(...first.values())).toBeLessThan(intervalMs);
      const average = n / (intervalMs / 1000);
      expect(maxInWindow([...first.values()], 1000)).toBeLessThanOrEqual(2 * average);
      // Steady state over more intervals: the jitter random walk keeps the spread.
      await h.timers.advance((n > 1_000 ? 1 : 3) * intervalMs);
      const later = h.starts.filter((s) => s.at >= intervalMs).map((s) => s.at);
      expect(maxInWindow(later, 1000)).toBeLessThanOrEqual(2 * average);
    },
  );

  it('keeps one pending timer however many jobs there are', async () => {
    const h = harness({ intervalMs: 60_000 });
    h.scheduler.setJobs(jobs(10_000));
    h.scheduler.start();
    expect(h.timers.pending).toBe(1);
    await h.timers.advance(30_000);
    expect(h.timers.pending).toBe(1);
    // About one timer set per run: no polling.
    expect(h.timers.setCount).toBeLessThanOrEqual(h.starts.length + 2);
  });

  it('spreads jobs added before start() from the moment of start()', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs(jobs(100));
    await h.timers.advance(50_000);
    h.scheduler.start();
    await h.timers.advance(10_000);
    expect(h.starts).toHaveLength(100);
    expect(Math.min(...h.starts.map((s) => s.at))).toBeGreaterThanOrEqual(50_000);
    expect(
      maxInWindow(
        h.starts.map((s) => s.at),
        1000,
      ),
    ).toBeLessThanOrEqual(2 * 10);
  });

  it('starts at a different phase with a different random source', async () => {
    const a = harness({ random: seededRandom(1) });
    const b = harness({ random: seededRandom(2) });
    for (const h of [a, b]) {
      h.scheduler.setJobs(jobs(1));
      h.scheduler.start();
      await h.timers.advance(10_000);
    }
    expect(a.startsOf('job-00000')).not.toEqual(b.startsOf('job-00000'));
  });
});

describe('tick (timer coalescing)', () => {
  it('starts jobs only on multiples of the tick, each at most one tick after it was due', async () => {
    const h = harness({ intervalMs: 30_000, jitter: 0.1, tickMs: 1000 });
    h.scheduler.setJobs(jobs(1_000));
    h.scheduler.start();
    await h.timers.advance(90_000);
    const times = h.starts.map((s) => s.at);
    expect(times.length).toBeGreaterThanOrEqual(2_900);
    expect(times.every((t) => t % 1000 === 0)).toBe(true);
    // About one timer per tick instead of one per start.
    expect(h.timers.setCount).toBeLessThanOrEqual(92);
    // Still spread: each 1 s batch holds about the average (1,000 / 30 s), never the whole set.
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(2 * (1_000 / 30));
    // Every job's periods stay within interval ± jitter, widened by one tick of rounding.
    for (const key of ['job-00000', 'job-00500', 'job-00999']) {
      for (const gap of gaps(h.startsOf(key))) {
        expect(gap).toBeGreaterThanOrEqual(27_000 - 1000);
        expect(gap).toBeLessThanOrEqual(33_000 + 1000);
      }
    }
  });

  it('without a tick, starts each job at its own due time', async () => {
    const h = harness({ intervalMs: 30_000, jitter: 0 });
    h.scheduler.setJobs(jobs(100));
    h.scheduler.start();
    await h.timers.advance(30_000);
    expect(h.starts.some((s) => s.at % 1000 !== 0)).toBe(true);
    expect(h.timers.setCount).toBeGreaterThanOrEqual(100);
  });

  it('rejects a tick that is negative or not below the interval', () => {
    expect(() => harness({ intervalMs: 1000, tickMs: 1000 })).toThrow(/tickMs/);
    expect(() => harness({ tickMs: -1 })).toThrow(/tickMs/);
    const h = harness({ intervalMs: 10_000, tickMs: 500 });
    expect(() => h.scheduler.setOptions({ intervalMs: 400 })).toThrow(/tickMs/);
    expect(h.scheduler.settings.tickMs).toBe(500);
  });
});

describe('period', () => {
  it.each([0, 0.1, 0.25, 0.5])(
    'jitter %s keeps every period within interval ± jitter·interval',
    async (jitter) => {
      const h = harness({ intervalMs: 10_000, jitter });
      h.scheduler.setJobs(jobs(1));
      h.scheduler.start();
      await h.timers.advance(2_000_000);
      const periods = gaps(h.startsOf('job-00000'));
      expect(periods.length).toBeGreaterThan(150);
      for (const period of periods) {
        expect(period).toBeGreaterThanOrEqual(Math.floor(10_000 * (1 - jitter)));
        expect(period).toBeLessThanOrEqual(Math.ceil(10_000 * (1 + jitter)));
      }
      const mean = periods.reduce((a, b) => a + b, 0) / periods.length;
      expect(Math.abs(mean - 10_000)).toBeLessThan(10_000 * jitter * 0.2 + 1);
      if (jitter > 0) expect(new Set(periods).size).toBeGreaterThan(10);
    },
  );

  it('is fixed-rate: a 3 s run does not push the next start (measured from the previous start)', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs(jobs(1, { durationMs: 3_000 }));
    h.scheduler.start();
    await h.timers.advance(60_000);
    expect(gaps(h.startsOf('job-00000'))).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(h.scheduler.stats.lateRuns).toBe(0);
  });

  it('never runs one key twice at once: an overrun delays the next run, counted late and skipped', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs(jobs(1, { durationMs: 25_000 }));
    h.scheduler.start();
    await h.timers.advance(100_000);
    expect(h.overlap).toBe(false);
    expect(gaps(h.startsOf('job-00000'))).toEqual([25_000, 25_000, 25_000]);
    const stats = h.scheduler.stats;
    // Every run after the first starts 15 s after its due time; each overrun lost one whole period.
    expect(stats.lateRuns).toBe(3);
    expect(stats.skippedRuns).toBe(3);
  });
});

describe('concurrency', () => {
  it('keeps at most N runs in flight, queues the rest and serves them in due order', async () => {
    const h = harness({ intervalMs: 10_000, concurrency: 4 });
    h.scheduler.setJobs(jobs(40, { durationMs: 2_000 }));
    h.scheduler.start();
    let maxQueue = 0;
    for (let t = 0; t < 60_000; t += 500) {
      await h.timers.advance(500);
      const stats = h.scheduler.stats;
      expect(stats.inFlight).toBeLessThanOrEqual(4);
      maxQueue = Math.max(maxQueue, stats.queueLength);
    }
    expect(h.maxInFlight).toBe(4);
    expect(maxQueue).toBeGreaterThan(0);
    // The first round starts in the order the jobs were spread (due order).
    expect(h.starts.slice(0, 40).map((s) => s.key)).toEqual(jobs(40).map((j) => j.key));
    expect(h.scheduler.stats.lateRuns).toBeGreaterThan(0);
  });

  it('setOptions raising the limit starts queued jobs at once; lowering it lets runs finish', async () => {
    const h = harness({ intervalMs: 10_000, concurrency: 1 });
    h.scheduler.setJobs(jobs(10, { durationMs: 60_000 }));
    h.scheduler.start();
    await h.timers.advance(10_000);
    expect(h.scheduler.stats).toMatchObject({ inFlight: 1, queueLength: 9 });
    h.scheduler.setOptions({ concurrency: 5 });
    expect(h.scheduler.stats).toMatchObject({ inFlight: 5, queueLength: 5 });
    h.scheduler.setOptions({ concurrency: 2 });
    expect(h.scheduler.stats).toMatchObject({ inFlight: 5, queueLength: 5 });
    expect(h.aborted).toEqual([]);
    expect(h.scheduler.settings).toEqual({ intervalMs: 10_000, jitter: 0, concurrency: 2, tickMs: 0 });
  });
});

describe('setJobs', () => {
  it('adds, removes and keeps by key', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
    h.scheduler.start();
    await h.timers.advance(25_000);
    const before = { b: h.startsOf('b'), c: h.startsOf('c') };
    h.scheduler.setJobs([{ key: 'b' }, { key: 'c' }, { key: 'd' }]);
    expect(h.scheduler.stats.jobs).toBe(3);
    await h.timers.advance(30_000);
    // a: no more runs. b, c: same phase as before. d: first run within one interval.
    expect(h.startsOf('a').every((t) => t < 25_000)).toBe(true);
    for (const key of ['b', 'c'] as const) {
      const all = h.startsOf(key);
      expect(all.slice(0, before[key].length)).toEqual(before[key]);
      expect(gaps(all).every((g) => g === 10_000)).toBe(true);
    }
    const d = h.startsOf('d');
    expect(d[0]).toBeGreaterThanOrEqual(25_000);
    expect(d[0]).toBeLessThan(35_000);
    expect(d.length).toBeGreaterThanOrEqual(2);
  });

  it('uses the new job value of a kept key from its next run', async () => {
    const seen: string[] = [];
    const timers = new FakeTimers();
    const scheduler = new Scheduler<{ key: string; v: number }>({
      clock: timers.clock,
      timers,
      random: () => 0,
      intervalMs: 1_000,
      jitter: 0,
      concurrency: 1,
      run: async (job) => {
        seen.push(`${job.key}${job.v}`);
      },
      onError: () => {},
    });
    scheduler.setJobs([{ key: 'x', v: 1 }]);
    scheduler.start();
    await timers.advance(1_500);
    scheduler.setJobs([{ key: 'x', v: 2 }]);
    await timers.advance(1_000);
    expect(seen).toEqual(['x1', 'x1', 'x2']);
  });

  it('lets a removed job finish without rescheduling it: signal aborted, no onError', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([{ key: 'slow', durationMs: 8_000, fail: 'reject' }, { key: 'other' }]);
    h.scheduler.start();
    await h.timers.until(() => h.scheduler.stats.inFlight === 1, 10_000, 10);
    h.scheduler.setJobs([{ key: 'other' }]);
    await h.timers.advance(1);
    expect(h.aborted).toEqual(['slow']);
    expect(h.errors).toEqual([]);
    expect(h.scheduler.stats).toMatchObject({ inFlight: 0, runsAborted: 1, runsFailed: 0, jobs: 1 });
    await h.timers.advance(50_000);
    expect(h.startsOf('slow')).toHaveLength(1);
  });

  it('re-adding a key whose removed run is still in flight does not run it twice at once', async () => {
    const timers = new FakeTimers();
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const scheduler = new Scheduler<{ key: string }>({
      clock: timers.clock,
      timers,
      random: () => 0,
      intervalMs: 1_000,
      jitter: 0,
      concurrency: 10,
      // Ignores its signal on purpose: ends after 5 s no matter what.
      run: () => {
        runs++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise((resolve) =>
          timers.setTimeout(() => {
            inFlight--;
            resolve();
          }, 5_000),
        );
      },
      onError: () => {},
    });
    scheduler.setJobs([{ key: 'k' }]);
    scheduler.start();
    await timers.advance(100);
    expect(runs).toBe(1);
    scheduler.setJobs([]);
    scheduler.setJobs([{ key: 'k' }]);
    await timers.advance(20_000);
    expect(maxInFlight).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});

describe('setOptions', () => {
  it('a shorter interval takes effect within one new interval, spread kept', async () => {
    const h = harness({ intervalMs: 60_000 });
    h.scheduler.setJobs(jobs(60));
    h.scheduler.start();
    await h.timers.advance(60_000);
    expect(h.starts).toHaveLength(60);
    h.scheduler.setOptions({ intervalMs: 6_000 });
    await h.timers.advance(6_000);
    expect(h.starts).toHaveLength(120);
    expect(
      maxInWindow(
        h.starts.slice(60).map((s) => s.at),
        1000,
      ),
    ).toBeLessThanOrEqual(2 * 10);
    await h.timers.advance(6_000);
    expect(h.starts).toHaveLength(180);
  });

  it('a longer interval stretches the remaining waits', async () => {
    const h = harness({ intervalMs: 1_000 });
    h.scheduler.setJobs(jobs(1));
    h.scheduler.start();
    await h.timers.advance(1_000);
    const first = h.startsOf('job-00000')[0] as number;
    h.scheduler.setOptions({ intervalMs: 10_000, jitter: 0.2 });
    await h.timers.advance(100_000);
    const periods = gaps(h.startsOf('job-00000'));
    expect(first).toBeLessThan(1_000);
    expect(periods.slice(1).every((p) => p >= 8_000 && p <= 12_000)).toBe(true);
  });
});

describe('isolation', () => {
  it('a job that throws or rejects reaches onError and every other job carries on', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([
      { key: 'throws', fail: 'throw' },
      { key: 'rejects', fail: 'reject', durationMs: 100 },
      { key: 'fine-1' },
      { key: 'fine-2', durationMs: 500 },
    ]);
    h.scheduler.start();
    await h.timers.advance(50_000);
    expect(h.startsOf('fine-1')).toHaveLength(5);
    expect(h.startsOf('fine-2')).toHaveLength(5);
    expect(h.startsOf('rejects')).toHaveLength(5);
    const byKey = (key: string) => h.errors.filter((e) => e.key === key);
    expect(byKey('throws')).toHaveLength(5);
    expect(byKey('rejects')).toHaveLength(5);
    expect(byKey('throws')[0]?.err).toEqual(new Error('boom throws'));
    expect(h.scheduler.stats).toMatchObject({ runsStarted: 20, runsFinished: 20, runsFailed: 10 });
  });

  it('survives onError and onRoundComplete throwing', async () => {
    const timers = new FakeTimers();
    let runs = 0;
    const scheduler = new Scheduler<{ key: string }>({
      clock: timers.clock,
      timers,
      random: () => 0.5,
      intervalMs: 1_000,
      jitter: 0,
      concurrency: 1,
      run: () => {
        runs++;
        return Promise.reject(new Error('x'));
      },
      onError: () => {
        throw new Error('onError broke');
      },
      onRoundComplete: () => {
        throw new Error('callback broke');
      },
    });
    scheduler.setJobs([{ key: 'a' }]);
    scheduler.start();
    await timers.advance(10_000);
    expect(runs).toBe(10);
    expect(scheduler.firstRoundDone).toBe(true);
  });
});

describe('stop', () => {
  it('stops scheduling, lets runs finish within the grace, aborts the rest, resolves when all settled', async () => {
    // Phase 0: first runs at 0 s, 33.3 s and 66.7 s.
    const h = harness({ intervalMs: 100_000, random: () => 0 });
    h.scheduler.setJobs([
      { key: 'long', durationMs: 60_000 },
      { key: 'short', durationMs: 2_000 },
      { key: 'later', durationMs: 1 },
    ]);
    h.scheduler.start();
    await h.timers.advance(34_000);
    expect(h.scheduler.stats.inFlight).toBe(2);
    let stopped = false;
    const stopping = h.scheduler.stop({ graceMs: 5_000 }).then(() => {
      stopped = true;
    });
    await h.timers.advance(4_000);
    expect(stopped).toBe(false);
    expect(h.aborted).toEqual([]);
    await h.timers.advance(1_000);
    await stopping;
    expect(stopped).toBe(true);
    expect(h.aborted).toEqual(['long']);
    expect(h.errors).toEqual([]);
    expect(h.scheduler.stats).toMatchObject({ inFlight: 0, runsAborted: 1, runsFailed: 0 });
    await h.timers.advance(500_000);
    expect(h.startsOf('later')).toEqual([]);
    expect(h.timers.pending).toBe(0);
  });

  it.each([undefined, 0])(
    'grace %s aborts at once; a second stop returns the same promise',
    async (graceMs) => {
      const h = harness({ intervalMs: 1_000 });
      h.scheduler.setJobs(jobs(3, { durationMs: 10_000 }));
      h.scheduler.start();
      await h.timers.advance(1_000);
      const first = h.scheduler.stop(graceMs === undefined ? undefined : { graceMs });
      expect(h.scheduler.stop()).toBe(first);
      await first;
      expect(h.aborted).toHaveLength(3);
    },
  );

  it('with nothing in flight resolves at once', async () => {
    const h = harness();
    h.scheduler.setJobs(jobs(5));
    h.scheduler.start();
    await h.scheduler.stop({ graceMs: 10_000 });
    expect(h.timers.pending).toBe(0);
  });
});

describe('firstRoundDone', () => {
  it('becomes true once every job completed a run, success or error, and calls back once', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([{ key: 'ok' }, { key: 'bad', fail: 'reject' }, { key: 'slow', durationMs: 15_000 }]);
    expect(h.scheduler.firstRoundDone).toBe(false);
    h.scheduler.start();
    await h.timers.advance(10_000);
    // 'slow' started but has not finished.
    expect(h.scheduler.firstRoundDone).toBe(false);
    await h.timers.until(() => h.scheduler.firstRoundDone, 20_000);
    expect(h.rounds).toBe(1);
    await h.timers.advance(50_000);
    expect(h.rounds).toBe(1);
  });

  it('goes false when setJobs adds jobs, true again when they have run, and ignores kept ones', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([{ key: 'a' }]);
    h.scheduler.start();
    await h.timers.advance(10_000);
    expect(h.scheduler.firstRoundDone).toBe(true);
    h.scheduler.setJobs([{ key: 'a' }]);
    expect(h.scheduler.firstRoundDone).toBe(true);
    h.scheduler.setJobs([{ key: 'a' }, { key: 'b' }]);
    expect(h.scheduler.firstRoundDone).toBe(false);
    await h.timers.advance(10_000);
    expect(h.scheduler.firstRoundDone).toBe(true);
    expect(h.rounds).toBe(2);
  });

  it('removing the only job that had not run yet completes the round', async () => {
    const h = harness({ intervalMs: 10_000 });
    h.scheduler.setJobs([{ key: 'a' }]);
    h.scheduler.start();
    await h.timers.advance(10_000);
    h.scheduler.setJobs([{ key: 'a' }, { key: 'b' }]);
    expect(h.scheduler.firstRoundDone).toBe(false);
    h.scheduler.setJobs([{ key: 'a' }]);
    expect(h.scheduler.firstRoundDone).toBe(true);
  });

  it('is true at start with no jobs', () => {
    const h = harness();
    h.scheduler.start();
    expect(h.scheduler.firstRoundDone).toBe(true);
    expect(h.rounds).toBe(1);
  });
});
