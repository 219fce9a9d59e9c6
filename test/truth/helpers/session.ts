/**
 * A truth session: the real servers, each in its own namespace on 127.0.0.1:53, the two built
 * C clients and the resolv.conf files, started in parallel and torn down together. `close()`
 * is idempotent and safe after a failed start; call it from `afterAll` (and it also runs on
 * process exit through the namespaces' exit hook).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClients, type ClientBinaries } from './clients.ts';
import { NetworkNamespace } from './netns.ts';
import { assertTruthPrerequisites, type ComponentVersions, componentVersions } from './preflight.ts';
import { startLab } from './product.ts';
import { RESOLV_CONF_TEXT, RESOLV_VARIANTS, type ResolvVariant } from './resolv.ts';
import { type RunningServer, type ServerKind, startBind, startKnot } from './servers.ts';
import type { ZoneRecord } from './zones.ts';

/** What to start. */
export interface SessionOptions {
  readonly servers: readonly ServerKind[];
  /** Zone data for Knot and BIND. */
  readonly records: readonly ZoneRecord[];
  /** A name the lab answers, used to know it is up (required when `servers` has 'lab'). */
  readonly labReadyName?: string;
}

/** Everything a truth test needs, running. */
export interface TruthSession {
  readonly servers: ReadonlyMap<ServerKind, RunningServer>;
  readonly clients: ClientBinaries;
  /** resolv.conf files per variant (bind-mounted per client run, passed to `probe --resolv-conf`). */
  readonly resolvConfs: Readonly<Record<ResolvVariant, string>>;
  readonly versions: ComponentVersions;
  readonly workDir: string;
  /** Seconds each start-up step took, for the report. */
  readonly startupSeconds: number;
  close(): Promise<void>;
}

/** Starts every requested server (in parallel, each in a new namespace) and builds the clients. */
export async function openSession(options: SessionOptions): Promise<TruthSession> {
  assertTruthPrerequisites();
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'dnsh-truth-'));
  const namespaces: NetworkNamespace[] = [];
  const servers = new Map<ServerKind, RunningServer>();
  const close = async (): Promise<void> => {
    const errors: unknown[] = [];
    // Destroy all namespaces even if one fails; report the first problem after.
    for (const ns of namespaces.splice(0)) await ns.destroy().catch((err: unknown) => errors.push(err));
    servers.clear();
    rmSync(workDir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  };
  try {
    const resolvConfs = Object.fromEntries(
      RESOLV_VARIANTS.map((variant) => {
        const path = join(workDir, `resolv-${variant}.conf`);
        writeFileSync(path, RESOLV_CONF_TEXT[variant]);
        return [variant, path];
      }),
    ) as Record<ResolvVariant, string>;
    const startOne = async (kind: ServerKind): Promise<void> => {
      const ns = await NetworkNamespace.create(RESOLV_CONF_TEXT.plain);
      namespaces.push(ns);
      const dir = join(workDir, kind);
      mkdirSync(dir);
      let server: RunningServer;
      if (kind === 'knot') server = await startKnot(ns, dir, options.records);
      else if (kind === 'bind') server = await startBind(ns, dir, options.records);
      else {
        if (options.labReadyName === undefined)
          throw new Error('openSession: labReadyName is required for the lab');
        server = await startLab(ns, dir, options.labReadyName);
      }
      servers.set(kind, server);
    };
    // allSettled, not all: a failed start must not tear down while another server is still starting.
    const [clients, versions, ...starts] = await Promise.allSettled([
      buildClients(join(workDir, 'bin')),
      componentVersions(),
      ...options.servers.map((kind) => startOne(kind)),
    ]);
    const failure = [clients, versions, ...starts].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (failure !== undefined) throw failure.reason;
    if (clients.status !== 'fulfilled' || versions.status !== 'fulfilled') throw new Error('unreachable');
    return {
      servers,
      clients: clients.value,
      resolvConfs,
      versions: versions.value,
      workDir,
      startupSeconds: (performance.now() - started) / 1000,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
