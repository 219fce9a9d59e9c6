/**
 * A ConfigMap as the config source: one key (`config.yaml`) of one ConfigMap, listed and watched
 * through a resilient watch and applied through the same `ConfigStore` as a file, so validation,
 * last-good and the reload gauges are shared (STYLE.md section 5). A deleted ConfigMap or a
 * missing key is a config issue like any other: the last good config stays.
 *
 * The watch selects the one object by `metadata.name` (a field selector), which is what lets the
 * Role grant `list` and `watch` on that ConfigMap alone (`resourceNames`); see docs/kubernetes.md.
 */
import {
  type ApplyOutcome,
  type ConfigIssue,
  type ConfigLog,
  type ConfigStore,
  parseConfigText,
  SILENT_LOG,
} from '../config/index.ts';
import type { ConfigMapObject } from './objects.ts';
import type { ResilientWatch } from './watch.ts';

/** The key holding the YAML, unless told otherwise. */
export const DEFAULT_CONFIGMAP_KEY = 'config.yaml';

/** How long `start()` waits for the API server before giving up (the kubelet then restarts the pod). */
export const DEFAULT_CONFIGMAP_START_TIMEOUT_MS = 30_000;

/** A ConfigMap reference: `NAMESPACE/NAME`. */
export interface ConfigMapRef {
  readonly namespace: string;
  readonly name: string;
}

// DNS-1123 subdomain for names, label for namespaces (apimachinery validation).
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Parses `NAMESPACE/NAME`; null when it is not one. */
export function parseConfigMapRef(text: string): ConfigMapRef | null {
  const m = /^([^/]+)\/([^/]+)$/.exec(text.trim());
  if (!m || !NAMESPACE.test(m[1] as string) || !NAME.test(m[2] as string)) return null;
  return { namespace: m[1] as string, name: m[2] as string };
}

/** How issues and logs name the source: `configmap ns/name`. */
export function configMapSourceName(ref: ConfigMapRef): string {
  return `configmap ${ref.namespace}/${ref.name}`;
}

/** Options of `ConfigMapSource`. */
export interface ConfigMapSourceOptions {
  readonly ref: ConfigMapRef;
  readonly key?: string;
  readonly store: ConfigStore;
  /** Builds the watch of the ConfigMap (field selector `metadata.name=NAME`); `onChange` is its change callback. */
  readonly watch: (onChange: () => void) => ResilientWatch<ConfigMapObject>;
  readonly log?: ConfigLog;
  readonly startTimeoutMs?: number;
  /** Runs `fn` after `ms`; returns a cancel function. Default: an unref'd timer. */
  readonly schedule?: (fn: () => void, ms: number) => () => void;
}

/** How `start()` went: loaded, no answer from the API in time, or a first config that is not valid. */
export type ConfigMapStart =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'timeout'; readonly reason: string }
  | { readonly ok: false; readonly kind: 'invalid'; readonly issues: readonly ConfigIssue[] };

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Feeds one ConfigMap key into a `ConfigStore`; constructing it starts nothing. */
export class ConfigMapSource {
  readonly #ref: ConfigMapRef;
  readonly #key: string;
  readonly #source: string;
  readonly #store: ConfigStore;
  readonly #log: ConfigLog;
  readonly #options: ConfigMapSourceOptions;
  #watch: ResilientWatch<ConfigMapObject> | null = null;
  /** What the last check saw, so an unchanged ConfigMap (a resync, a relist) is not applied again. */
  #lastSeen: string | null = null;
  #pending = false;
  #started = false;

  constructor(options: ConfigMapSourceOptions) {
    this.#options = options;
    this.#ref = options.ref;
    this.#key = options.key ?? DEFAULT_CONFIGMAP_KEY;
    this.#source = configMapSourceName(options.ref);
    this.#store = options.store;
    this.#log = options.log ?? SILENT_LOG;
  }

  /** `configmap ns/name`. */
  get source(): string {
    return this.#source;
  }

  /** The watch, for its state (null before `start()`). */
  get watch(): ResilientWatch<ConfigMapObject> | null {
    return this.#watch;
  }

  /**
   * Starts the watch and waits for the first list (at most `startTimeoutMs`), then applies what it
   * found. Resolves `ok: false` when the API did not answer in time or the first config is not valid.
   */
  async start(): Promise<ConfigMapStart> {
    if (this.#started) throw new Error('ConfigMapSource.start() called twice');
    this.#started = true;
    const watch = this.#options.watch(() => this.#onChange());
    this.#watch = watch;
    watch.start();
    const timeoutMs = this.#options.startTimeoutMs ?? DEFAULT_CONFIGMAP_START_TIMEOUT_MS;
    let cancel = () => {};
    const timedOut = await Promise.race([
      watch.whenSynced().then(() => false),
      new Promise<boolean>((resolve) => {
        cancel = (this.#options.schedule ?? defaultSchedule)(() => resolve(true), timeoutMs);
      }),
    ]);
    cancel();
    if (timedOut) {
      const error = watch.state().lastError;
      const issue: ConfigIssue = {
        path: '(configmap)',
        message: `the API server did not list ${this.#source} within ${timeoutMs / 1000} s${error ? ` (last error: ${error})` : ''}`,
        source: this.#source,
      };
      this.#store.apply({ ok: false, issues: [issue] }, this.#source);
      return { ok: false, kind: 'timeout', reason: issue.message };
    }
    const outcome = this.#check(true);
    if (outcome.applied) return { ok: true };
    return { ok: false, kind: 'invalid', issues: outcome.issues };
  }

  /** Applies the ConfigMap as cached now, even if unchanged (SIGHUP: the operator asked). */
  reload(): Promise<ApplyOutcome> {
    return Promise.resolve(this.#check(true));
  }

  /** Stops the watch. */
  async stop(): Promise<void> {
    await this.#watch?.stop();
  }

  #onChange(): void {
    // A relist calls back once per object: look once, after the burst.
    if (this.#pending || !this.#watch?.state().synced) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#check(false);
    });
  }

  #check(force: boolean): ApplyOutcome {
    const cm = this.#watch
      ?.list()
      .find((o) => o.metadata?.name === this.#ref.name && o.metadata?.namespace === this.#ref.namespace);
    let seen: string;
    let issue: ConfigIssue | null = null;
    if (cm === undefined) {
      seen = 'missing';
      issue = {
        path: '(configmap)',
        message: `${this.#source} does not exist (deleted, or not created yet)`,
        source: this.#source,
      };
    } else if (typeof cm.data?.[this.#key] !== 'string') {
      const keys = Object.keys(cm.data ?? {}).sort();
      seen = `nokey ${keys.join(',')}`;
      issue = {
        path: '(configmap)',
        message: `${this.#source} has no key "${this.#key}"${keys.length > 0 ? ` (it has ${keys.map((k) => `"${k}"`).join(', ')})` : ''}`,
        source: this.#source,
      };
    } else {
      seen = `text ${cm.data[this.#key]}`;
    }
    if (seen === this.#lastSeen && !force) {
      this.#log.debug({ source: this.#source }, 'configmap event without a change to the config');
      return { applied: false, changed: false, issues: [] };
    }
    this.#lastSeen = seen;
    if (issue !== null) return this.#store.apply({ ok: false, issues: [issue] }, this.#source);
    return this.#store.apply(parseConfigText(cm?.data?.[this.#key] as string, this.#source), this.#source);
  }
}
