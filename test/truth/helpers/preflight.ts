/**
 * Preconditions of the truth tests: root (network namespaces, port 53, bind mounts) and the
 * Debian packages that provide the real servers and C libraries. A missing piece fails loudly
 * with the package to install; the truth tests never skip (PRODUCT.md section 5).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CLEAN_ENV, run } from './run.ts';

/** A command the truth tests need and the Debian package that ships it. */
export interface RequiredTool {
  readonly command: string;
  readonly debianPackage: string;
  readonly purpose: string;
}

/** Every external command the truth tests run. */
export const REQUIRED_TOOLS: readonly RequiredTool[] = Object.freeze([
  { command: 'ip', debianPackage: 'iproute2', purpose: 'create network namespaces (ip netns)' },
  { command: 'mount', debianPackage: 'mount', purpose: 'bind a resolv.conf variant inside the namespace' },
  { command: 'knotd', debianPackage: 'knot', purpose: 'the Knot authoritative server' },
  { command: 'named', debianPackage: 'bind9', purpose: 'the BIND authoritative server' },
  { command: 'dig', debianPackage: 'bind9-dnsutils', purpose: 'measure UDP and TCP answer sizes' },
  {
    command: 'musl-gcc',
    debianPackage: 'musl-tools',
    purpose: 'build the getaddrinfo client against musl 1.2.3',
  },
  { command: 'gcc', debianPackage: 'gcc', purpose: 'build the getaddrinfo client against glibc' },
  { command: 'dpkg-query', debianPackage: 'dpkg', purpose: 'record the versions of musl and glibc' },
]);

/** Absolute path of `command` on the clean PATH, or null. */
export function findCommand(command: string): string | null {
  for (const dir of (CLEAN_ENV.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Throws one error listing everything missing: not root, and every absent command with the
 * `apt-get install` line that fixes it.
 */
export function assertTruthPrerequisites(tools: readonly RequiredTool[] = REQUIRED_TOOLS): void {
  const problems: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push(
      `not running as root (uid ${process.getuid()}): the truth tests create network namespaces, ` +
        'bind port 53 and bind-mount resolv.conf; run them as root (CI does).',
    );
  }
  const missing = tools.filter((tool) => findCommand(tool.command) === null);
  for (const tool of missing) {
    problems.push(
      `missing command '${tool.command}' (${tool.purpose}): install the Debian package '${tool.debianPackage}'`,
    );
  }
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((tool) => tool.debianPackage))].join(' ');
    problems.push(`fix: apt-get install -y ${packages}`);
  }
  if (problems.length > 0) {
    throw new Error(`TRUTH TESTS CANNOT RUN:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Versions of the real components, as the tools themselves report them. */
export interface ComponentVersions {
  readonly knot: string;
  readonly bind: string;
  readonly musl: string;
  readonly glibc: string;
  readonly dig: string;
  readonly kernel: string;
}

const firstLine = (text: string): string => text.trim().split('\n')[0]?.trim() ?? '';

/** Reads the versions from `knotd --version`, `named -v`, `dig -v` and `dpkg-query -W musl libc6`. */
export async function componentVersions(): Promise<ComponentVersions> {
  const options = { timeoutMs: 10_000 };
  const [knot, bind, dig, dpkg, kernel] = await Promise.all([
    run('knotd', ['--version'], options),
    run('named', ['-v'], options),
    run('dig', ['-v'], options),
    run('dpkg-query', ['-W', 'musl', 'libc6'], options),
    run('uname', ['-sr'], options),
  ]);
  // `dpkg-query -W` prints "package[:arch]<TAB>version" per package.
  const packages = new Map(
    dpkg.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [pkg = '', version = ''] = line.split('\t');
        return [pkg.split(':')[0] ?? pkg, version] as const;
      }),
  );
  return {
    knot: firstLine(knot.stdout || knot.stderr),
    bind: firstLine(bind.stdout || bind.stderr),
    dig: firstLine(dig.stderr || dig.stdout),
    musl: `musl ${packages.get('musl') ?? 'unknown'} (Debian package musl)`,
    glibc: `glibc ${packages.get('libc6') ?? 'unknown'} (Debian package libc6)`,
    kernel: firstLine(kernel.stdout),
  };
}
