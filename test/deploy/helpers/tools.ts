/**
 * The real tools the deploy tests run (promtool, amtool, kubectl, prometheus, alertmanager), found
 * on PATH or in the Debian locations, with a loud failure naming the package when one is missing:
 * a skipped check would look like a passing one.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A tool the tests need, and where it comes from. */
export interface Tool {
  /** Executable names to look for, first found wins. */
  readonly names: readonly string[];
  /** How to install it, for the error message. */
  readonly install: string;
}

/** promtool: `apt-get install prometheus`. */
export const PROMTOOL: Tool = { names: ['promtool'], install: 'Debian package prometheus' };
/** prometheus: `apt-get install prometheus`. */
export const PROMETHEUS: Tool = { names: ['prometheus'], install: 'Debian package prometheus' };
/** amtool: `apt-get install prometheus-alertmanager`. */
export const AMTOOL: Tool = { names: ['amtool'], install: 'Debian package prometheus-alertmanager' };
/** Alertmanager; Debian names the binary prometheus-alertmanager. */
export const ALERTMANAGER: Tool = {
  names: ['alertmanager', 'prometheus-alertmanager'],
  install: 'Debian package prometheus-alertmanager',
};
/** kubectl (with its built-in kustomize): not packaged in Debian 12; preinstalled on the CI image. */
export const KUBECTL: Tool = {
  names: ['kubectl'],
  install: 'kubectl >= 1.27 from https://kubernetes.io/docs/tasks/tools/ (not packaged in Debian 12)',
};

const SEARCH_DIRS = [
  ...(process.env.PATH ?? '').split(path.delimiter),
  '/usr/sbin',
  '/usr/bin',
  '/usr/local/bin',
];

/** Absolute path of the tool, or throws an error that names what to install. */
export function requireTool(tool: Tool): string {
  for (const name of tool.names) {
    for (const dir of SEARCH_DIRS) {
      if (dir === '') continue;
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  throw new Error(`${tool.names.join(' or ')} is missing: install ${tool.install}`);
}

/** What a finished command printed and how it exited. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (never through a shell) and returns its exit code and output. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        env: options.env ?? process.env,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}
