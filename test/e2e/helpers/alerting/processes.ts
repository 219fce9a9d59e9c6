/**
 * Child processes for the alerting end-to-end test: started with a pipe for their output (kept for
 * failure messages), stopped by pid with SIGTERM and, if they linger, SIGKILL. Only processes this
 * module started are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A started process and everything it printed so far. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved, capped to the last 64 KiB. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
}

const MAX_OUTPUT = 64 * 1024;

/** Starts `file args` with output captured; never through a shell. */
export function start(name: string, file: string, args: readonly string[], cwd?: string): Started {
  const child = spawn(file, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  return { name, child, output: () => output, exited };
}

/** Stops a process started by `start`: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(started: Started, graceMs = 5000): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await started.exited;
  clearTimeout(timer);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for servers that cannot be told to pick one
 * themselves (Prometheus and Alertmanager reject port 0 in practice: they do not report it).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
