/**
 * The real C libraries: test/truth/c/gai.c built against Debian's musl 1.2.3 (`musl-gcc -static`)
 * and glibc (`gcc`), run inside a namespace with a chosen resolv.conf.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Family } from '../../../src/probe/types.ts';
import type { NetworkNamespace } from './netns.ts';
import { run, runOk } from './run.ts';

/** The real libraries the truth tests run; keys match `probe --json` `clients`. */
export type RealLibrary = 'musl-1.2.3' | 'glibc';

/** Every real library, in report order. */
export const REAL_LIBRARIES: readonly RealLibrary[] = Object.freeze(['musl-1.2.3', 'glibc'] as const);

/**
 * What a real getaddrinfo returned. `error` is the EAI_* name the C client printed, or one of
 * two outcomes the client itself cannot print: `TIMEOUT` (killed at our deadline) and
 * `CRASH:<detail>` (no JSON line).
 */
export interface RealOutcome {
  readonly addresses: number;
  readonly error: string | null;
  readonly durationMs: number;
}

/** Paths of the two built clients. */
export type ClientBinaries = Readonly<Record<RealLibrary, string>>;

/** The C source of the getaddrinfo client. */
export const GAI_SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../c/gai.c');

/** Upper bound for one lookup. Every lookup here ends in well under a second unless a library blocks (glibc waits forever on a TCP server that never answers). */
export const CLIENT_TIMEOUT_MS = 30_000;

/**
 * Builds gai.c twice into `dir` (a temporary directory: the binaries are never committed). Checks that Debian's musl really is 1.2.3,
 * since the results are reported under that name.
 */
export async function buildClients(dir: string): Promise<ClientBinaries> {
  const dpkg = await runOk('dpkg-query', ['-W', 'musl'], { timeoutMs: 10_000 });
  const version = dpkg.stdout.trim().split('\t')[1] ?? '';
  if (!version.startsWith('1.2.3')) {
    throw new Error(
      `the truth tests report results as musl-1.2.3, but the installed Debian musl is ${version}; ` +
        'install musl-tools from Debian 12 (bookworm), which ships musl 1.2.3',
    );
  }
  mkdirSync(dir, { recursive: true });
  const binaries = { 'musl-1.2.3': join(dir, 'gai-musl'), glibc: join(dir, 'gai-glibc') };
  const warn = ['-Wall', '-Wextra', '-Werror'];
  await Promise.all([
    runOk('musl-gcc', ['-static', '-O2', ...warn, '-o', binaries['musl-1.2.3'], GAI_SOURCE], {
      timeoutMs: 60_000,
    }),
    runOk('gcc', ['-O2', ...warn, '-o', binaries.glibc, GAI_SOURCE], { timeoutMs: 60_000 }),
  ]);
  // A static musl binary must not load glibc's resolver by accident (Debian's musl-gcc wrapper could be misconfigured).
  const ldd = await run('ldd', [binaries['musl-1.2.3']], { timeoutMs: 10_000 });
  if (/libc\.so/.test(ldd.stdout))
    throw new Error(`gai-musl is dynamically linked against a libc:\n${ldd.stdout}`);
  return binaries;
}

/** Parses the client's one JSON line. */
export function parseClientOutput(stdout: string): { addresses: number; error: string | null } | null {
  try {
    const value = JSON.parse(stdout.trim()) as { addresses?: unknown; error?: unknown };
    if (typeof value.addresses !== 'number') return null;
    if (value.error !== null && typeof value.error !== 'string') return null;
    return { addresses: value.addresses, error: value.error };
  } catch {
    return null;
  }
}

/** Runs one real lookup inside `ns` with `resolvConfPath` as /etc/resolv.conf. */
export async function runClient(
  ns: NetworkNamespace,
  binary: string,
  resolvConfPath: string,
  name: string,
  family: Family,
): Promise<RealOutcome> {
  const result = await ns.execWithResolvConf(resolvConfPath, binary, [name, family], {
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  if (result.timedOut) return { addresses: 0, error: 'TIMEOUT', durationMs: result.durationMs };
  const parsed = result.code === 0 ? parseClientOutput(result.stdout) : null;
  if (parsed === null) {
    const detail = `exit ${result.code ?? result.signal}: ${(result.stderr || result.stdout).trim().slice(0, 200)}`;
    return { addresses: 0, error: `CRASH:${detail}`, durationMs: result.durationMs };
  }
  return { ...parsed, durationMs: result.durationMs };
}
