/**
 * A watch that never gives up. `@kubernetes/client-node`'s informer (ListWatch, src/cache.ts
 * `doneHandler`) reconnects by itself only when a stream ends cleanly, times out, or says 410 Gone
 * (then it lists again); on any other error (a 500, a refused connection, a stream cut mid-way, a
 * failed list) it calls its `error` callbacks and stops for good. This class restarts it after a
 * capped, jittered exponential backoff (backoff.ts) with an injected delay, as the client's own
 * example does with a fixed 5 s timer (examples/typescript/informer/informer.ts), and reports its
 * state (connected, retrying, restarts) for the metrics and the status page.
 *
 * Restarting the same informer keeps its cache and resource version: it resumes the watch where it
 * was, and the server answers 410 if that is too old, which makes the informer list again. API
 * errors never leave this class as exceptions.
 */
import { type BackoffOptions, backoffDelayMs, DEFAULT_BACKOFF, type DelayFn, realDelay } from './backoff.ts';

/** What the resilient watch needs of an informer (client.ts adapts client-node's ListWatch). */
export interface InformerLike<T> {
  /** Called after any add, update or delete in the cache (a relist calls it per object). */
  onChange(listener: () => void): void;
  /** Called when the informer stopped on an error; it must be started again. */
  onError(listener: (err: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The cached objects. */
  list(): readonly T[];
}

/** Signals from inside the informer's requests (client.ts wires them to the list and watch calls). */
export interface InformerHooks {
  /** A list call returned: the cache is about to hold the full state. */
  listed(): void;
  /** A watch stream opened, or an event arrived on it. */
  connected(): void;
  /** The informer's own pause before reopening a stream that ended; ends at once on stop. */
  delay(ms: number): Promise<void>;
  /** False once the watch is stopped: the informer must open no new request. */
  active(): boolean;
}

/** Builds the informer, given the hooks it must call. */
export type InformerSource<T> = (hooks: InformerHooks) => InformerLike<T>;

/** Where a watch is. */
export type WatchPhase = 'idle' | 'starting' | 'connected' | 'retrying' | 'stopped';

/** A watch's state, for metrics, logs and /status. */
export interface WatchState {
  /** What is watched (the `resource` metric label): `configmap`, `services`, ... */
  readonly resource: string;
  readonly phase: WatchPhase;
  /** Restarts after errors since start. */
  readonly restarts: number;
  /** A list has completed at least once: the cache can be trusted. */
  readonly synced: boolean;
  /** The last error, short (status code or message), or null. */
  readonly lastError: string | null;
}

/** The log methods used; a pino logger fits. */
export interface WatchLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const NO_LOG: WatchLog = Object.freeze({ debug() {}, info() {}, warn() {} });

/** Options of `ResilientWatch`. */
export interface ResilientWatchOptions<T> {
  readonly resource: string;
  readonly source: InformerSource<T>;
  /** Default: a real, unref'd, abortable timer. */
  readonly delay?: DelayFn;
  /** Default Math.random. */
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  readonly log?: WatchLog;
  /** The cache changed. May be called many times in a row (a relist): coalesce. */
  readonly onChange?: () => void;
  /** The state changed (phase or restarts). */
  readonly onState?: (state: WatchState) => void;
}

/** A short, secret-free description of an API error: the HTTP status, or the first line of the message. */
export function describeApiError(err: unknown): string {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; cause?: { code?: unknown } };
  const status =
    typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.code === 'number' ? e.code : null;
  if (status !== null) return `HTTP ${status}`;
  const message = typeof e?.message === 'string' ? (e.message.split('\n')[0] ?? '') : String(err);
  const cause = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return `${message.slice(0, 200)}${cause}`;
}

/** An informer kept alive across API errors. Constructing it starts nothing. */
export class ResilientWatch<T> {
  readonly #options: ResilientWatchOptions<T>;
  readonly #delay: DelayFn;
  readonly #random: () => number;
  readonly #backoff: BackoffOptions;
  readonly #log: WatchLog;
  readonly #stop = new AbortController();
  #informer: InformerLike<T> | null = null;
  #phase: WatchPhase = 'idle';
  #restarts = 0;
  /** Consecutive failures since the last successful connection: the backoff step. */
  #attempt = 0;
  #synced = false;
  #lastError: string | null = null;
  #resolveSynced: () => void = () => {};
  readonly #syncedPromise: Promise<void>;
  #restarting: Promise<void> | null = null;

  constructor(options: ResilientWatchOptions<T>) {
    this.#options = options;
    this.#delay = options.delay ?? realDelay;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#log = options.log ?? NO_LOG;
    this.#syncedPromise = new Promise((resolve) => {
      this.#resolveSynced = resolve;
    });
  }

  /** Builds and starts the informer; failures are retried in the background. */
  start(): void {
    if (this.#phase !== 'idle') return;
    const signal = this.#stop.signal;
    const hooks: InformerHooks = {
      listed: () => {
        // The informer fills its cache and calls back right after the list promise settles;
        // setImmediate runs after those callbacks, so "synced" means the cache is complete.
        setImmediate(() => {
          if (signal.aborted) return;
          const first = !this.#synced;
          this.#synced = true;
          this.#connected();
          if (first) this.#resolveSynced();
          this.#options.onChange?.();
        });
      },
      connected: () => this.#connected(),
      delay: (ms) => this.#delay(ms, signal),
      active: () => !signal.aborted,
    };
    const informer = this.#options.source(hooks);
    this.#informer = informer;
    informer.onChange(() => {
      if (!signal.aborted) this.#options.onChange?.();
    });
    informer.onError((err) => this.#failed(err));
    this.#setPhase('starting');
    this.#run(informer);
  }

  /** Resolves once the first list has completed (never, if the API never answers; or on stop). */
  whenSynced(): Promise<void> {
    return this.#syncedPromise;
  }

  /** The cached objects (empty before the first list). */
  list(): readonly T[] {
    return this.#informer?.list() ?? [];
  }

  /** The current state. */
  state(): WatchState {
    return {
      resource: this.#options.resource,
      phase: this.#phase,
      restarts: this.#restarts,
      synced: this.#synced,
      lastError: this.#lastError,
    };
  }

  /** Stops the informer and any pending restart. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    this.#stop.abort();
    this.#setPhase('stopped');
    this.#resolveSynced();
    const informer = this.#informer;
    if (informer) {
      try {
        await informer.stop();
      } catch (err) {
        this.#log.debug({ err, resource: this.#options.resource }, 'informer stop failed');
      }
    }
    await this.#restarting;
  }

  #run(informer: InformerLike<T>): void {
    // start() awaits the list and the opening of the watch; a rejection is one more error.
    informer.start().catch((err: unknown) => this.#failed(err));
  }

  #connected(): void {
    if (this.#stop.signal.aborted || this.#phase === 'connected') return;
    const recovered = this.#phase === 'retrying';
    this.#attempt = 0;
    this.#setPhase('connected');
    if (recovered) {
      this.#log.info(
        { resource: this.#options.resource, restarts: this.#restarts },
        'kubernetes watch recovered',
      );
    }
  }

  #failed(err: unknown): void {
    // Stopping aborts the open request, which the informer reports as one more error.
    if (this.#stop.signal.aborted || this.#restarting !== null) return;
    const informer = this.#informer;
    if (informer === null) return;
    this.#lastError = describeApiError(err);
    this.#attempt++;
    const delayMs = backoffDelayMs(this.#attempt, this.#random(), this.#backoff);
    const data = {
      resource: this.#options.resource,
      error: this.#lastError,
      attempt: this.#attempt,
      retryInSeconds: delayMs / 1000,
    };
    if (this.#phase !== 'retrying') this.#log.warn(data, 'kubernetes watch failed; retrying');
    else this.#log.debug(data, 'kubernetes watch still failing');
    this.#setPhase('retrying');
    this.#restarting = (async () => {
      await this.#delay(delayMs, this.#stop.signal);
      this.#restarting = null;
      if (this.#stop.signal.aborted) return;
      this.#restarts++;
      this.#emitState();
      this.#run(informer);
    })();
  }

  #setPhase(phase: WatchPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#emitState();
  }

  #emitState(): void {
    try {
      this.#options.onState?.(this.state());
    } catch (err) {
      this.#log.warn({ err, resource: this.#options.resource }, 'watch state listener failed');
    }
  }
}
