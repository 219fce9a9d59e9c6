/**
 * The scheduler: runs every job once per interval, forever, within a concurrency limit, and keeps
 * one job's failure from touching any other (STYLE.md sections 0 and 6).
 *
 * Shape, chosen for 10,000 jobs at a few percent of one core:
 * - One timer in total, armed for the earliest due job. Jobs not running sit in a binary min-heap
 *   keyed by due time (`waiting`); when the timer fires, every job now due moves to a second heap
 *   (`ready`, same key) and is started while a concurrency slot is free. A tick costs
 *   O(k log n) for the k jobs due; there is no per-job timer and no polling.
 * - Fixed rate: the next run is due `interval ± jitter` after the previous run's START, so a
 *   probe's own duration does not make the period drift. A run that overruns its interval is not
 *   doubled up: the next one starts when it ends (counted late; whole periods missed are counted
 *   as skipped). Jitter is drawn per run, uniform in [interval·(1-j), interval·(1+j)): with the
 *   default 0.1 it keeps the nodes of a DaemonSet, started in the same second, from querying
 *   CoreDNS in lockstep.
 * - New jobs are spread evenly over the first interval, from a random phase, so 10,000 targets
 *   (or a reload that adds many) never fire at once, and two nodes do not share a phase.
 * - Timer coalescing (`tickMs`): the timer fires only on multiples of the tick, and each firing starts
 *   every job due by then. Each wake-up of an idle process costs far more than the work it does
 *   (measured on the bench VM: an empty 15 ms interval timer alone takes 0.9% of a core), so
 *   1,000 targets every 30 s woken one by one (33 wake-ups a second, plus one per reply) cost
 *   more than their probes. With a 1 s tick the same load wakes about once a second, sends that
 *   second's queries together and reads their replies in a few batches. A job starts at most one
 *   tick after it was due; the spread over the interval is unchanged at any scale above the tick.
 * - Isolation: `run` may throw or reject; that becomes `onError(job, err)` and nothing else changes.
 */
import { type Clock, systemClock } from '../clock.ts';
import { DueHeap, type HeapItem } from './due-heap.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';

/** Runs one job once. Should honour `signal` (aborted on removal and at the end of a stop's grace). */
export type RunJob<J> = (job: J, signal: AbortSignal) => Promise<void>;

/** The settings a config reload can change. */
export interface SchedulerSettings {
  /** Period of each job, in milliseconds; > 0. */
  readonly intervalMs: number;
  /** Fraction of the interval each period varies by, 0 to 0.5. */
  readonly jitter: number;
  /** Runs in flight at most; an integer >= 1. */
  readonly concurrency: number;
  /**
   * Timer granularity in milliseconds (0: fire at each due time). The timer fires only on
   * multiples of it, starting every job due by then; must be below the interval.
   */
  readonly tickMs?: number;
}

/** How to build a scheduler. The constructor starts nothing. */
export interface SchedulerOptions<J> extends SchedulerSettings {
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
  readonly run: RunJob<J>;
  /**
   * Called when a run throws or rejects, unless the scheduler had aborted that run (the job was
   * removed, or a stop ran out of grace). Must not throw; if it does, that is swallowed.
   */
  readonly onError: (job: J, err: unknown) => void;
  /** Called each time `firstRoundDone` becomes true. */
  readonly onRoundComplete?: () => void;
  /** A run that starts more than this after its due time counts as late; default 1000 ms. */
  readonly lateToleranceMs?: number;
}

/** Counters for the daemon's metrics; runs started = finished + in flight. */
export interface SchedulerStats {
  /** Jobs in the current set. */
  readonly jobs: number;
  readonly runsStarted: number;
  /** Runs that ended, however they ended. */
  readonly runsFinished: number;
  /** Runs that threw or rejected (each one reached `onError`). */
  readonly runsFailed: number;
  /** Runs whose signal the scheduler aborted (job removed, or stop out of grace). */
  readonly runsAborted: number;
  /** Runs that started more than `lateToleranceMs` after they were due (overrun or no free slot). */
  readonly lateRuns: number;
  /** Whole periods that got no run at all because the previous run of the job was still going. */
  readonly skippedRuns: number;
  readonly inFlight: number;
  /** Jobs due and waiting for a concurrency slot. */
  readonly queueLength: number;
}

/** Options of `Scheduler.stop`. */
export interface StopOptions {
  /** How long in-flight runs may continue before their signals are aborted; default 0. */
  readonly graceMs?: number;
}

/** Default for `lateToleranceMs`. */
export const DEFAULT_LATE_TOLERANCE_MS = 1000;

type Place = 'waiting' | 'ready' | 'running' | 'idle';

interface Entry<J> extends HeapItem {
  readonly key: string;
  job: J;
  place: Place;
  /** Still in the job set; false for a removed job whose last run is still in flight. */
  current: boolean;
  lastStartMs: number;
  controller: AbortController | null;
}

/** Runs keyed jobs periodically; see the file comment for the rules. */
export class Scheduler<J extends { readonly key: string }> {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #run: RunJob<J>;
  readonly #onError: (job: J, err: unknown) => void;
  readonly #onRoundComplete: (() => void) | undefined;
  readonly #lateToleranceMs: number;
  #intervalMs: number;
  #jitter: number;
  #concurrency: number;
  #tickMs: number;

  #state: 'new' | 'running' | 'stopped' = 'new';
  /** Current jobs, plus removed ones whose run is still in flight (`current: false`). */
  readonly #entries = new Map<string, Entry<J>>();
  readonly #waiting = new DueHeap<Entry<J>>();
  readonly #ready = new DueHeap<Entry<J>>();
  readonly #running = new Set<Entry<J>>();
  /** Keys of current jobs that have not completed a run yet. */
  readonly #pendingFirst = new Set<string>();
  #roundDone = false;
  #seq = 0;
  #jobs = 0;

  #timer: TimerHandle | null = null;
  #timerDue = 0;
  #graceTimer: TimerHandle | null = null;
  #drained: (() => void) | null = null;
  #stopping: Promise<void> | null = null;

  #runsStarted = 0;
  #runsFinished = 0;
  #runsFailed = 0;
  #runsAborted = 0;
  #lateRuns = 0;
  #skippedRuns = 0;

  constructor(options: SchedulerOptions<J>) {
    checkSettings(options);
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#random = options.random ?? Math.random;
    this.#run = options.run;
    this.#onError = options.onError;
    this.#onRoundComplete = options.onRoundComplete;
    this.#lateToleranceMs = options.lateToleranceMs ?? DEFAULT_LATE_TOLERANCE_MS;
    this.#intervalMs = options.intervalMs;
    this.#jitter = options.jitter;
    this.#concurrency = options.concurrency;
    this.#tickMs = options.tickMs ?? 0;
  }

  /**
   * True once every current job has completed at least one run (success or error) since it joined
   * the set, while running. A `setJobs` that adds jobs makes it false until they have run too.
   * With no jobs it is true as soon as the scheduler starts.
   */
  get firstRoundDone(): boolean {
    return this.#roundDone;
  }

  /** The settings in force. */
  get settings(): SchedulerSettings {
    return {
      intervalMs: this.#intervalMs,
      jitter: this.#jitter,
      concurrency: this.#concurrency,
      tickMs: this.#tickMs,
    };
  }

  /** A snapshot of the counters. */
  get stats(): SchedulerStats {
    return {
      jobs: this.#jobs,
      runsStarted: this.#runsStarted,
      runsFinished: this.#runsFinished,
      runsFailed: this.#runsFailed,
      runsAborted: this.#runsAborted,
      lateRuns: this.#lateRuns,
      skippedRuns: this.#skippedRuns,
      inFlight: this.#running.size,
      queueLength: this.#ready.size,
    };
  }

  /**
   * Replaces the job set, by key. New keys get first runs spread evenly over the next interval;
   * kept keys keep their schedule (and run with the new job value from their next run); removed
   * keys are dropped, and a run of theirs still in flight has its signal aborted, is not
   * rescheduled and does not reach `onError`. Keys must be unique (a repeated key keeps the last).
   * O(n) per call, O(log n) per added or removed job.
   */
  setJobs(jobs: Iterable<J>): void {
    const next = new Map<string, J>();
    for (const job of jobs) next.set(job.key, job);

    for (const entry of [...this.#entries.values()]) {
      if (entry.current && !next.has(entry.key)) this.#remove(entry);
    }

    const added: Entry<J>[] = [];
    for (const [key, job] of next) {
      const entry = this.#entries.get(key);
      if (entry === undefined) {
        const fresh: Entry<J> = {
          key,
          job,
          place: 'idle',
          current: true,
          lastStartMs: Number.NaN,
          controller: null,
          due: 0,
          seq: this.#seq++,
          heapIndex: -1,
        };
        this.#entries.set(key, fresh);
        added.push(fresh);
        continue;
      }
      entry.job = job;
      if (!entry.current) {
        // Removed while running and now back: it keeps its in-flight run (already aborted) and is
        // rescheduled when that ends, like any job; it counts as new for the first round.
        entry.current = true;
        this.#jobs++;
        this.#pendingFirst.add(key);
      }
    }

    // Even spread over one interval from a random phase: with m new jobs, one every interval/m.
    const base = this.#base();
    const phase = this.#random();
    for (const [i, entry] of added.entries()) {
      entry.due = base + ((i + phase) / added.length) * this.#intervalMs;
      this.#jobs++;
      this.#pendingFirst.add(entry.key);
      if (this.#state !== 'stopped') this.#enqueue(entry);
    }

    this.#checkRound();
    this.#pump();
  }

  /**
   * Applies reloaded settings. A new interval rescales the time each waiting job has left in
   * proportion (so a shorter interval takes effect within one new interval, and the spread is
   * kept); new jitter applies from the next run; a higher concurrency starts queued jobs at once, a
   * lower one lets the runs in flight finish.
   */
  setOptions(settings: Partial<SchedulerSettings>): void {
    const merged = {
      intervalMs: settings.intervalMs ?? this.#intervalMs,
      jitter: settings.jitter ?? this.#jitter,
      concurrency: settings.concurrency ?? this.#concurrency,
      tickMs: settings.tickMs ?? this.#tickMs,
    };
    checkSettings(merged);
    if (merged.intervalMs !== this.#intervalMs) {
      const ratio = merged.intervalMs / this.#intervalMs;
      const base = this.#base();
      this.#waiting.mapDue((due) => (due > base ? base + (due - base) * ratio : due));
      if (this.#timer !== null) this.#clearTimer();
    }
    this.#intervalMs = merged.intervalMs;
    this.#jitter = merged.jitter;
    this.#concurrency = merged.concurrency;
    if (merged.tickMs !== this.#tickMs) this.#clearTimer();
    this.#tickMs = merged.tickMs;
    this.#pump();
  }

  /** Starts scheduling. Throws if already started or stopped. */
  start(): void {
    if (this.#state !== 'new') throw new Error(`Scheduler.start() in state ${this.#state}`);
    this.#state = 'running';
    // Before start, due times are offsets from 0 (see #base); make them times from now.
    const now = this.#clock.monotonicMs();
    this.#waiting.mapDue((due) => due + now);
    this.#checkRound();
    this.#pump();
  }

  /**
   * Stops scheduling: nothing new starts; runs in flight may finish for `graceMs`, then their
   * signals are aborted. Resolves when every run has settled (so `run` must honour its signal).
   * Idempotent: later calls return the same promise.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    this.#state = 'stopped';
    this.#clearTimer();
    for (const entry of this.#waiting.values()) entry.place = 'idle';
    for (const entry of this.#ready.values()) entry.place = 'idle';
    while (this.#waiting.pop() !== undefined);
    while (this.#ready.pop() !== undefined);
    if (this.#running.size === 0) {
      this.#stopping = Promise.resolve();
      return this.#stopping;
    }
    this.#stopping = new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
    const abortAll = (): void => {
      this.#graceTimer = null;
      for (const entry of this.#running) entry.controller?.abort(new Error('scheduler stopped'));
    };
    const graceMs = options.graceMs ?? 0;
    if (graceMs > 0) this.#graceTimer = this.#timers.setTimeout(abortAll, graceMs);
    else abortAll();
    return this.#stopping;
  }

  /** "Now" for due times: the clock while running; before start, 0 (start() shifts to the clock). */
  #base(): number {
    return this.#state === 'new' ? 0 : this.#clock.monotonicMs();
  }

  #enqueue(entry: Entry<J>): void {
    entry.place = 'waiting';
    this.#waiting.push(entry);
  }

  #remove(entry: Entry<J>): void {
    entry.current = false;
    this.#jobs--;
    this.#pendingFirst.delete(entry.key);
    if (entry.place === 'running') {
      entry.controller?.abort(new Error('job removed'));
      return; // #settle drops the entry.
    }
    this.#waiting.remove(entry);
    this.#ready.remove(entry);
    entry.place = 'idle';
    this.#entries.delete(entry.key);
  }

  /** Moves due jobs to the ready queue, starts what fits, and re-arms the one timer. */
  #pump(): void {
    if (this.#state !== 'running') return;
    const now = this.#clock.monotonicMs();
    for (let top = this.#waiting.peek(); top !== undefined && top.due <= now; top = this.#waiting.peek()) {
      this.#waiting.pop();
      top.place = 'ready';
      this.#ready.push(top);
    }
    while (this.#running.size < this.#concurrency && this.#state === 'running') {
      const entry = this.#ready.pop();
      if (entry === undefined) break;
      this.#start(entry);
    }
    this.#arm();
  }

  #arm(): void {
    const next = this.#waiting.peek();
    if (this.#state !== 'running' || next === undefined) {
      this.#clearTimer();
      return;
    }
    // The first tick at or after the due time (see "Timer coalescing" above).
    const fireAt = this.#tickMs > 0 ? Math.ceil(next.due / this.#tickMs) * this.#tickMs : next.due;
    if (this.#timer !== null && this.#timerDue === fireAt) return;
    this.#clearTimer();
    // Whole milliseconds, at least 1 when not yet due: real timers may fire a little before the
    // clock reaches `due`, and the next #pump simply re-arms.
    const delayMs = Math.max(0, Math.ceil(fireAt - this.#clock.monotonicMs()));
    this.#timerDue = fireAt;
    this.#timer = this.#timers.setTimeout(this.#onTimer, delayMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#pump();
  };

  #clearTimer(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #start(entry: Entry<J>): void {
    const now = this.#clock.monotonicMs();
    if (now - entry.due > this.#lateToleranceMs) this.#lateRuns++;
    entry.place = 'running';
    entry.lastStartMs = now;
    const controller = new AbortController();
    entry.controller = controller;
    this.#running.add(entry);
    this.#runsStarted++;
    let done: Promise<void>;
    try {
      done = Promise.resolve(this.#run(entry.job, controller.signal));
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      () => this.#settle(entry, controller, false, undefined),
      (err: unknown) => this.#settle(entry, controller, true, err),
    );
  }

  #settle(entry: Entry<J>, controller: AbortController, failed: boolean, err: unknown): void {
    this.#running.delete(entry);
    if (entry.controller === controller) entry.controller = null;
    this.#runsFinished++;
    const aborted = controller.signal.aborted;
    if (aborted) {
      this.#runsAborted++;
    } else if (failed) {
      this.#runsFailed++;
      try {
        this.#onError(entry.job, err);
      } catch {
        // onError is the isolation net itself; a throw from it must not stop the schedule.
      }
    }
    if (!entry.current) {
      entry.place = 'idle';
      if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    } else {
      if (!aborted) this.#pendingFirst.delete(entry.key);
      if (this.#state === 'stopped') {
        entry.place = 'idle';
      } else {
        this.#reschedule(entry);
      }
      this.#checkRound();
    }
    if (this.#state === 'stopped' && this.#running.size === 0) this.#finishStop();
    this.#pump();
  }

  /** Fixed rate: due one jittered interval after the last start; if that passed, due now (late). */
  #reschedule(entry: Entry<J>): void {
    const period = this.#intervalMs * (1 + this.#jitter * (2 * this.#random() - 1));
    entry.due = entry.lastStartMs + period;
    const now = this.#clock.monotonicMs();
    if (entry.due < now) {
      // Periods that began while the run was still going, beyond the one that runs now.
      this.#skippedRuns += Math.max(0, Math.floor((now - entry.lastStartMs) / this.#intervalMs) - 1);
    }
    entry.seq = this.#seq++;
    this.#enqueue(entry);
  }

  #checkRound(): void {
    const done = this.#state !== 'new' && this.#pendingFirst.size === 0;
    if (done === this.#roundDone) return;
    this.#roundDone = done;
    if (!done || this.#onRoundComplete === undefined) return;
    try {
      this.#onRoundComplete();
    } catch {
      // A readiness callback must not break scheduling.
    }
  }

  #finishStop(): void {
    if (this.#graceTimer !== null) {
      this.#timers.clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
    }
    const drained = this.#drained;
    this.#drained = null;
    drained?.();
  }
}

function checkSettings(settings: SchedulerSettings): void {
  const { intervalMs, jitter, concurrency, tickMs = 0 } = settings;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new RangeError(`intervalMs must be a positive number: ${intervalMs}`);
  }
  if (!(jitter >= 0 && jitter <= 0.5)) throw new RangeError(`jitter must be between 0 and 0.5: ${jitter}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1: ${concurrency}`);
  }
  if (!(tickMs >= 0 && tickMs < intervalMs)) {
    throw new RangeError(`tickMs must be at least 0 and below intervalMs: ${tickMs}`);
  }
}
