/**
 * A config file as a source for the store: loaded once at start, again when the file changes, and
 * on demand (`reload()`, which `main` calls on SIGHUP). Reading problems are config issues like any
 * other: the last good config stays.
 *
 * Why the directory is watched, not the file: Kubernetes updates a ConfigMap volume atomically by
 * writing a new `..<timestamp>` directory and renaming a `..data_tmp` symlink over `..data`;
 * `config.yaml` is a symlink into `..data` and is never itself written
 * (kubernetes/kubernetes pkg/volume/util/atomic_writer.go). A watch on the file would keep
 * following the old inode. Editors that save by rename have the same effect on a plain file.
 */

import { basename, dirname, resolve } from 'node:path';
import { watch as fsWatch, readFile, stat } from '../builtins.ts';
import { DnsHeadroomError, ERROR_CODES } from '../errors.ts';
import type { ConfigIssue } from './issues.ts';
import { parseConfigText } from './parse.ts';
import { type ApplyOutcome, type ConfigLog, type ConfigStore, SILENT_LOG } from './store.ts';

/** Larger files are refused unread: a ConfigMap holds at most 1 MiB, so this is a wrong path. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Quiet time after the last directory event before the file is read again. */
export const DEFAULT_DEBOUNCE_MS = 250;

/** Reads a file as UTF-8 text; rejects with a Node error (`code`) when it cannot. */
export type ReadText = (path: string) => Promise<string>;

/** A running directory watch. */
export interface DirectoryWatch {
  close(): void;
}

/** Starts watching a directory: `onEvent` for any change in it, `onError` when the watch breaks. */
export type WatchDirectory = (
  dir: string,
  onEvent: () => void,
  onError: (err: Error) => void,
) => DirectoryWatch;

/** Runs `fn` after `ms`; returns a function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** Options of `FileConfigSource`. */
export interface FileConfigSourceOptions {
  readonly path: string;
  readonly store: ConfigStore;
  readonly log?: ConfigLog;
  readonly readText?: ReadText;
  readonly watch?: WatchDirectory;
  readonly schedule?: Schedule;
  readonly debounceMs?: number;
}

/** The real file reader: refuses files over `MAX_CONFIG_BYTES` before reading them. */
export const readTextFile: ReadText = async (path) => {
  const info = await stat(path);
  if (info.size > MAX_CONFIG_BYTES) {
    throw Object.assign(new Error(`file is ${info.size} bytes, more than the ${MAX_CONFIG_BYTES} allowed`), {
      code: 'EFBIG',
    });
  }
  return readFile(path, 'utf8');
};

/** The real watcher: `fs.watch` on the directory (inotify on Linux). Does not keep the process alive. */
export const watchDirectory: WatchDirectory = (dir, onEvent, onError) => {
  const watcher = fsWatch(dir, { persistent: false }, () => onEvent());
  watcher.on('error', onError);
  return { close: () => watcher.close() };
};

/** `setTimeout` that does not keep the process alive. */
export const scheduleTimer: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Feeds a config file into a `ConfigStore`; constructing it starts nothing. */
export class FileConfigSource {
  readonly #path: string;
  readonly #dir: string;
  readonly #store: ConfigStore;
  readonly #log: ConfigLog;
  readonly #readText: ReadText;
  readonly #watch: WatchDirectory;
  readonly #schedule: Schedule;
  readonly #debounceMs: number;
  #watcher: DirectoryWatch | null = null;
  #cancelTimer: (() => void) | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #checkQueued = false;
  /** What the last read saw (the text, or the read error), so an unchanged file is not applied again. */
  #lastSeen: string | null = null;
  #state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: FileConfigSourceOptions) {
    this.#path = options.path;
    this.#dir = dirname(resolve(options.path));
    this.#store = options.store;
    this.#log = options.log ?? SILENT_LOG;
    this.#readText = options.readText ?? readTextFile;
    this.#watch = options.watch ?? watchDirectory;
    this.#schedule = options.schedule ?? scheduleTimer;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  /** Starts watching, then loads the file once; resolves to whether that first load was applied. */
  async start(): Promise<boolean> {
    if (this.#state !== 'new') {
      throw new DnsHeadroomError(ERROR_CODES.INTERNAL, 'FileConfigSource.start() called twice');
    }
    this.#state = 'started';
    // Watch first: a change made while the first read runs then triggers one more (cheap) read.
    this.#startWatch();
    const outcome = await this.#enqueue(true);
    return outcome.applied;
  }

  /** Reads and applies the file now, even if it did not change (SIGHUP: the operator asked). */
  reload(): Promise<ApplyOutcome> {
    if (this.#state === 'started' && this.#watcher === null) this.#startWatch();
    return this.#enqueue(true);
  }

  /** Resolves when no read is running or queued (tests, shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.#queue) {
      seen = this.#queue;
      await seen;
    }
  }

  /** Stops watching; waits for a read in progress. */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#watcher?.close();
    this.#watcher = null;
    await this.idle();
  }

  #startWatch(): void {
    try {
      this.#watcher = this.#watch(
        this.#dir,
        () => this.#onEvent(),
        (err) => this.#onWatchError(err),
      );
    } catch (err) {
      this.#watcher = null;
      this.#log.warn({ err, dir: this.#dir }, 'cannot watch config directory; changes apply on SIGHUP only');
    }
  }

  #onWatchError(err: Error): void {
    this.#log.warn({ err, dir: this.#dir }, 'config directory watch failed; changes apply on SIGHUP only');
    this.#watcher?.close();
    this.#watcher = null;
  }

  /** Any event in the directory: Kubernetes' symlink swap names `..data`, not our file, so no filtering. */
  #onEvent(): void {
    if (this.#state !== 'started') return;
    this.#cancelTimer?.();
    this.#cancelTimer = this.#schedule(() => {
      this.#cancelTimer = null;
      if (this.#state !== 'started' || this.#checkQueued) return;
      this.#checkQueued = true;
      void this.#enqueue(false);
    }, this.#debounceMs);
  }

  /** One read-and-apply at a time, in order. */
  #enqueue(force: boolean): Promise<ApplyOutcome> {
    const run = this.#queue.then(() => {
      if (!force) this.#checkQueued = false;
      return this.#check(force);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #check(force: boolean): Promise<ApplyOutcome> {
    let text: string;
    try {
      text = await this.#readText(this.#path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const seen = `error ${code ?? ''} ${(err as Error).message}`;
      const unchanged = seen === this.#lastSeen;
      this.#lastSeen = seen;
      if (unchanged && !force) return { applied: false, changed: false, issues: [] };
      return this.#store.apply({ ok: false, issues: [readIssue(this.#path, err)] }, this.#path);
    }
    // The text itself, compared exactly: about 25 bytes a target (250 KB at 10,000) is cheaper to
    // keep than node:crypto, which a digest would need, is to load (query-id.ts).
    const seen = `text ${text}`;
    if (seen === this.#lastSeen && !force) {
      this.#log.debug({ path: this.#path }, 'config directory changed but the file did not');
      return { applied: false, changed: false, issues: [] };
    }
    this.#lastSeen = seen;
    return this.#store.apply(parseConfigText(text, this.#path), this.#path);
  }
}

/** A read failure as a config issue. */
function readIssue(path: string, err: unknown): ConfigIssue {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ELOOP: 'too many symbolic links',
  };
  const reason = (code !== undefined ? reasons[code] : undefined) ?? (err as Error).message;
  return {
    path: '(file)',
    message: `cannot read ${basename(path)}: ${reason}${code ? ` (${code})` : ''}`,
    source: path,
  };
}
