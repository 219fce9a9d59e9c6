/**
 * The config the daemon runs on: the last good one. A candidate is swapped in whole (one
 * assignment of a deep-frozen value, so no reader ever sees half of a reload), or refused, and the
 * previous config stays. The model is blackbox_exporter's `SafeConfig.ReloadConfig`
 * (prometheus/blackbox_exporter:config/config.go), which also owns the reload-success gauges; here
 * the store only keeps their values and the metrics layer reads them (`reloadGauges()`).
 */
import type { Logger } from 'pino';
import { isDeepStrictEqual } from '../builtins.ts';
import { type Clock, systemClock } from '../clock.ts';
import { type ConfigIssue, formatIssue } from './issues.ts';
import type { ConfigResult } from './parse.ts';
import { type Config, deepFreeze } from './schema.ts';

/** The log methods the store and the file source use; a pino `Logger` fits. */
export type ConfigLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A logger that drops everything, for callers that pass none. */
export const SILENT_LOG: ConfigLog = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

/** At most this many issues go into one log entry; `apply()` and `lastReload` keep them all. */
export const MAX_LOGGED_ISSUES = 100;

/** How the last reload attempt went. */
export interface ReloadStatus {
  readonly successful: boolean;
  /** Wall-clock time of the attempt (ms since the epoch). */
  readonly atMs: number;
  readonly source: string;
  /** Empty when successful. */
  readonly issues: readonly ConfigIssue[];
}

/** A new config took effect. */
export interface ConfigChange {
  readonly config: Config;
  /** null on the first load. */
  readonly previous: Config | null;
  readonly source: string;
}

/** Called after a new config took effect; exceptions are logged and swallowed. */
export type ConfigListener = (change: ConfigChange) => void;

/** What `apply` did. */
export interface ApplyOutcome {
  /** The candidate is now the current config (possibly equal to the previous one). */
  readonly applied: boolean;
  /** Applied and different from the previous config: listeners were called. */
  readonly changed: boolean;
  readonly issues: readonly ConfigIssue[];
}

/** Values for `dnsheadroom_config_last_reload_successful` and `..._success_timestamp_seconds`. */
export interface ReloadGauges {
  readonly successful: 0 | 1;
  /** 0 until a config has been loaded. */
  readonly successTimestampSeconds: number;
}

/** Options of `ConfigStore`. */
export interface ConfigStoreOptions {
  readonly clock?: Clock;
  readonly log?: ConfigLog;
  /** Subscribed at construction; more with `subscribe()`. */
  readonly onChange?: ConfigListener;
  /**
   * Called after every attempt, applied or rejected, changed or not (the reload gauges follow
   * every file change, SIGHUP and ConfigMap event). Exceptions are logged and swallowed.
   */
  readonly onReload?: (status: ReloadStatus) => void;
}

/** Holds the last good config; constructing it starts nothing. */
export class ConfigStore {
  readonly #clock: Clock;
  readonly #log: ConfigLog;
  readonly #listeners = new Set<ConfigListener>();
  readonly #onReload: ((status: ReloadStatus) => void) | undefined;
  #config: Config | null = null;
  #lastReload: ReloadStatus | null = null;
  #lastSuccessAtMs: number | null = null;

  constructor(options: ConfigStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? SILENT_LOG;
    if (options.onChange) this.#listeners.add(options.onChange);
    this.#onReload = options.onReload;
  }

  /** The current config, or null before the first successful load. */
  current(): Config | null {
    return this.#config;
  }

  /** The last reload attempt, or null before the first. */
  get lastReload(): ReloadStatus | null {
    return this.#lastReload;
  }

  /** Wall-clock time of the last successful reload, or null if none yet. */
  get lastSuccessAtMs(): number | null {
    return this.#lastSuccessAtMs;
  }

  /** The reload gauges' values now; before any attempt, unsuccessful. */
  reloadGauges(): ReloadGauges {
    return {
      successful: this.#lastReload?.successful === true ? 1 : 0,
      successTimestampSeconds: this.#lastSuccessAtMs === null ? 0 : this.#lastSuccessAtMs / 1000,
    };
  }

  /** Adds a change listener; returns the function that removes it. */
  subscribe(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes a parse result from `source` (a path, later a ConfigMap): a valid config is frozen and
   * swapped in, and listeners hear about it if it differs from the previous one; an invalid one
   * leaves the current config in place and every issue is logged.
   */
  apply(result: ConfigResult, source: string): ApplyOutcome {
    const outcome = this.#apply(result, source);
    try {
      if (this.#lastReload) this.#onReload?.(this.#lastReload);
    } catch (err) {
      this.#log.error({ err, source }, 'config reload listener failed');
    }
    return outcome;
  }

  #apply(result: ConfigResult, source: string): ApplyOutcome {
    const atMs = this.#clock.nowMs();
    if (!result.ok) {
      this.#lastReload = Object.freeze({
        successful: false,
        atMs,
        source,
        issues: Object.freeze([...result.issues]),
      });
      const shown = result.issues.slice(0, MAX_LOGGED_ISSUES).map(formatIssue);
      this.#log.error(
        { source, issueCount: result.issues.length, issues: shown },
        this.#config === null
          ? 'config rejected; no valid config loaded yet'
          : 'config reload rejected; keeping previous config',
      );
      return { applied: false, changed: false, issues: result.issues };
    }
    const config = deepFreeze(result.config);
    // Configs are plain data, so structural equality is exact; it walks the two only on a reload.
    const previous = this.#config;
    const changed = previous === null || !isDeepStrictEqual(previous, config);
    this.#config = config;
    this.#lastReload = Object.freeze({ successful: true, atMs, source, issues: Object.freeze([]) });
    this.#lastSuccessAtMs = atMs;
    this.#log.info({ source, targets: config.targets.length, changed }, 'config loaded');
    if (changed) {
      for (const listener of [...this.#listeners]) {
        try {
          listener({ config, previous, source });
        } catch (err) {
          this.#log.error({ err, source }, 'config change listener failed');
        }
      }
    }
    return { applied: true, changed, issues: [] };
  }
}
