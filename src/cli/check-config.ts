/** `dns-headroom check-config FILE`: validate a config and exit 0 (valid) or 1 (invalid), listing every issue. */
import { readFile } from 'node:fs/promises';
import { formatIssue, parseConfigText } from '../config/index.ts';
import { type CliIo, EXIT } from './io.ts';

/** Help text of `check-config`. */
export const CHECK_CONFIG_HELP = `Usage: dns-headroom check-config FILE

Validate a daemon config (YAML, see docs/configuration.md) without starting anything. Prints every
issue as FILE:LINE:COLUMN: PATH: MESSAGE. Exit status: 0 valid, 1 invalid, 2 usage error.
`;

/** Runs `check-config`; returns the exit code. */
export async function runCheckConfig(args: string[], io: CliIo): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.stdout.write(CHECK_CONFIG_HELP);
    return EXIT.OK;
  }
  if (args.length !== 1 || (args[0] ?? '').startsWith('-')) {
    io.stderr.write(
      `dns-headroom check-config: expected exactly one FILE\nRun 'dns-headroom check-config --help' for usage.\n`,
    );
    return EXIT.USAGE;
  }
  const path = args[0] as string;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    io.stderr.write(`dns-headroom check-config: cannot read ${path}: ${(err as Error).message}\n`);
    return EXIT.FINDING;
  }
  const result = parseConfigText(text, path);
  if (!result.ok) {
    for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
    io.stderr.write(
      `${path}: invalid (${result.issues.length} issue${result.issues.length === 1 ? '' : 's'})\n`,
    );
    return EXIT.FINDING;
  }
  const families = result.config.targets.reduce((n, t) => n + t.families.length, 0);
  io.stdout.write(
    `${path}: valid: ${result.config.targets.length} targets (${families} name/family pairs), interval ${result.config.intervalMs / 1000}s\n`,
  );
  return EXIT.OK;
}
