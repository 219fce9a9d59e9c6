/**
 * Process plumbing for the truth tests: run a command with a hard deadline, run many with a
 * small pool, and poll a condition with a bound. Nothing here sleeps on wall-clock time except
 * the interval of a bounded poll.
 */
import { spawn } from 'node:child_process';

/** What a finished command produced. `timedOut` is true when we killed it at the deadline. */
export interface RunResult {
  readonly command: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Options for {@link run}. */
export interface RunOptions {
  /** Hard deadline; the process gets SIGKILL when it passes. */
  readonly timeoutMs: number;
  /** Replaces the environment entirely (never merged with ours: libc reads LOCALDOMAIN, RES_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** A minimal environment: a PATH that finds the Debian tools and nothing a resolver could read. */
export const CLEAN_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
});

/** Quotes a command line for messages (never executed through a shell). */
export function describeCommand(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))
    .join(' ');
}

/** Runs `file args` to completion or to its deadline. Never throws for a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const command = describeCommand(file, args);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...(options.env ?? CLEAN_ENV) },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command, code, signal, stdout, stderr, timedOut, durationMs: performance.now() - started });
    });
  });
}

/** Like {@link run}, but throws with the command, exit status and stderr unless it exited 0. */
export async function runOk(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `command failed (${result.timedOut ? `timed out after ${options.timeoutMs} ms` : `exit ${result.code ?? result.signal}`}): ${result.command}\n${result.stderr}${result.stdout}`,
    );
  }
  return result;
}

/** Maps `items` through `fn` with at most `concurrency` calls in flight; results keep input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** Options for {@link pollUntil}. */
export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Named in the error when the bound is reached. */
  readonly what: string;
}

/**
 * Calls `probe` until it returns a value other than `undefined`, at most until `timeoutMs`.
 * `probe` may throw to abort the poll early (e.g. the server process died).
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(
        `gave up waiting for ${options.what} after ${options.timeoutMs} ms (${attempts} attempts)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
