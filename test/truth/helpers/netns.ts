/**
 * Network namespaces the truth tests create and own. Each has only `lo` (no route out), its own
 * /etc/netns/<name>/{resolv.conf,hosts,nsswitch.conf} (`ip netns exec` bind-mounts every file of
 * that directory over /etc, see ip-netns(8)), and the long-running processes started in it.
 *
 * Teardown kills exactly the processes this object started (by pid), then any process still
 * inside the namespace (they can only be ours: the name is unique to this test process), deletes
 * the namespace and its /etc/netns directory. It is idempotent and also runs synchronously on
 * process exit, so a crashed test run leaves nothing behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLEAN_ENV, describeCommand, pollUntil, type RunOptions, type RunResult, run, runOk } from './run.ts';

/** Where `ip netns exec` looks for per-namespace files. */
const NETNS_ETC = '/etc/netns';

/**
 * hosts and nsswitch.conf for every namespace: only localhost, and `hosts: files dns` so glibc
 * asks nothing but /etc/hosts and DNS (no mdns/myhostname modules the host may configure).
 */
const HOSTS = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n';
const NSSWITCH = 'hosts: files dns\n';

let counter = 0;
const live = new Set<NetworkNamespace>();
let exitHookInstalled = false;

/** Synchronous last-resort cleanup for namespaces still alive when the process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const ns of live) ns.destroySync();
  });
}

/** A long-running process started inside a namespace, with its log file. */
export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

/** One network namespace owned by this test process. */
export class NetworkNamespace {
  readonly name: string;
  readonly etcDir: string;
  #daemons: Daemon[] = [];
  #destroyed = false;

  private constructor(name: string) {
    this.name = name;
    this.etcDir = join(NETNS_ETC, name);
  }

  /**
   * Creates `dnsh-truth-<pid>-<n>`, brings `lo` up and writes its /etc/netns files;
   * `resolvConf` becomes the namespace's /etc/resolv.conf.
   */
  static async create(resolvConf: string): Promise<NetworkNamespace> {
    counter += 1;
    const ns = new NetworkNamespace(`dnsh-truth-${process.pid}-${counter}`);
    live.add(ns);
    installExitHook();
    try {
      // Files first: `ip netns exec` only bind-mounts what exists when it starts.
      mkdirSync(ns.etcDir, { recursive: true });
      writeFileSync(join(ns.etcDir, 'resolv.conf'), resolvConf);
      writeFileSync(join(ns.etcDir, 'hosts'), HOSTS);
      writeFileSync(join(ns.etcDir, 'nsswitch.conf'), NSSWITCH);
      await runOk('ip', ['netns', 'add', ns.name], { timeoutMs: 10_000 });
      await runOk('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up'], { timeoutMs: 10_000 });
      const routes = await runOk('ip', ['-n', ns.name, 'route', 'show', 'default'], { timeoutMs: 10_000 });
      if (routes.stdout.trim() !== '') {
        throw new Error(`namespace ${ns.name} unexpectedly has a default route: ${routes.stdout}`);
      }
    } catch (err) {
      await ns.destroy();
      throw err;
    }
    return ns;
  }

  /** Runs `file args` inside the namespace (`ip netns exec`) with a clean environment. */
  async exec(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
    this.#assertAlive();
    return run('ip', ['netns', 'exec', this.name, file, ...args], options);
  }

  /**
   * Runs `file args` inside the namespace with `resolvConfPath` bind-mounted over
   * /etc/resolv.conf. `ip netns exec` gives the command a private mount namespace, so the mount
   * is seen by this one command only and vanishes with it.
   */
  execWithResolvConf(
    resolvConfPath: string,
    file: string,
    args: readonly string[],
    options: RunOptions,
  ): Promise<RunResult> {
    const script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"';
    return this.exec('sh', ['-c', script, resolvConfPath, file, ...args], options);
  }

  /**
   * Starts a long-running process inside the namespace; stdout and stderr go to `logFile`.
   * `ip netns exec` execs the command, so the child's pid is the daemon's own pid.
   */
  startDaemon(
    name: string,
    file: string,
    args: readonly string[],
    options: { logFile: string; cwd?: string; env?: Record<string, string> },
  ): Daemon {
    this.#assertAlive();
    const fd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('ip', ['netns', 'exec', this.name, file, ...args], {
        env: { ...(options.env ?? CLEAN_ENV) },
        cwd: options.cwd,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    let exitedFlag = false;
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        exitedFlag = true;
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', (err) => {
        exitedFlag = true;
        resolve(`spawn error: ${err.message}`);
      });
    });
    const daemon: Daemon = {
      name,
      child,
      logFile: options.logFile,
      exited,
      hasExited: () => exitedFlag,
      logTail: (lines = 30) => {
        try {
          return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        } catch {
          return '(no log)';
        }
      },
    };
    this.#daemons.push(daemon);
    return daemon;
  }

  /** Stops the daemons started here (SIGTERM, then SIGKILL after a bounded wait). */
  async stopDaemons(): Promise<void> {
    const daemons = this.#daemons;
    this.#daemons = [];
    await Promise.all(
      daemons.map(async (daemon) => {
        if (daemon.hasExited()) return;
        daemon.child.kill('SIGTERM');
        try {
          await pollUntil(async () => (daemon.hasExited() ? true : undefined), {
            timeoutMs: 5_000,
            intervalMs: 20,
            what: `${daemon.name} to exit after SIGTERM`,
          });
        } catch {
          daemon.child.kill('SIGKILL');
          await daemon.exited;
        }
      }),
    );
  }

  /** Stops every process started here and deletes the namespace and its /etc/netns files. Idempotent. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    await this.stopDaemons();
    // Anything left inside was started through this namespace (a client that outlived its deadline).
    const leftovers = await run('ip', ['netns', 'pids', this.name], { timeoutMs: 5_000 });
    for (const pid of leftovers.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const deleted = await run('ip', ['netns', 'del', this.name], { timeoutMs: 10_000 });
    rmSync(this.etcDir, { recursive: true, force: true });
    this.#destroyed = true;
    live.delete(this);
    if (deleted.code !== 0 && !/No such file/.test(deleted.stderr)) {
      throw new Error(`could not delete namespace ${this.name}: ${deleted.stderr}`);
    }
  }

  /** Synchronous teardown for the process 'exit' hook (no promises run there). */
  destroySync(): void {
    if (this.#destroyed) return;
    for (const daemon of this.#daemons) {
      if (!daemon.hasExited() && daemon.child.pid !== undefined) {
        try {
          process.kill(daemon.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    const leftovers = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' });
    for (const pid of (leftovers.stdout ?? '').split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.name]);
    rmSync(this.etcDir, { recursive: true, force: true });
    this.#destroyed = true;
    live.delete(this);
  }

  /** A readable `ip netns exec` command line, for failure messages. */
  describe(file: string, args: readonly string[]): string {
    return describeCommand('ip', ['netns', 'exec', this.name, file, ...args]);
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new Error(`namespace ${this.name} was already destroyed`);
  }
}

/** Namespaces created by this process and not yet destroyed (for tests of the teardown itself). */
export function liveNamespaces(): readonly string[] {
  return [...live].map((ns) => ns.name);
}
