/**
 * How the truth tests reach the product: only through its CLI, run inside the same namespace as
 * the real server (`ip netns exec <ns> node src/main.ts ...`), plus the lab's scenario table read
 * at run time. Only types come from src/ at compile time, so these tests type-check and fail
 * clearly ("probe CLI missing", "lab missing") while src/ is still being written.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Family } from '../../../src/probe/types.ts';
import type { NetworkNamespace } from './netns.ts';
import type { ResolvVariant } from './resolv.ts';
import { CLEAN_ENV, mapPool, run } from './run.ts';
import { type RunningServer, SERVER_ADDRESS, waitUntilAnswering } from './servers.ts';

/** The repository root (this file is test/truth/helpers/product.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Node 24 as pinned in devDependencies (plain `node` on PATH may be older). */
export const NODE_BIN = join(REPO_ROOT, 'node_modules/.bin/node');
/** The CLI entry point. */
export const MAIN_TS = join(REPO_ROOT, 'src/main.ts');
/** The lab module whose SCENARIOS the lab serves. */
export const LAB_INDEX_TS = join(REPO_ROOT, 'src/lab/index.ts');

/** A predicted getaddrinfo outcome as `probe --json` prints it. */
export interface PredictedOutcome {
  readonly addresses: number;
  readonly error: string | null;
}

/** The parts of `probe --json` the truth tests compare (PRODUCT.md section 3). */
export interface ProbeJson {
  readonly clients: Readonly<Record<string, PredictedOutcome>>;
  readonly fullBytes: number | null;
  readonly verdict: string;
  readonly lookup?: { readonly answeringName?: string | null };
}

/** One `probe` run: the parsed document or why there is none. */
export type ProbeRun =
  | { readonly ok: true; readonly json: ProbeJson; readonly exitCode: number; readonly command: string }
  | { readonly ok: false; readonly message: string; readonly command: string };

/**
 * Fails with "probe CLI missing" unless `node src/main.ts probe --help` exits 0: before the CLI
 * lands, this is the one clear reason the prediction tests fail.
 */
export async function assertProbeCli(mainTs: string = MAIN_TS): Promise<void> {
  if (!existsSync(mainTs)) throw new Error(`probe CLI missing: ${mainTs} does not exist yet`);
  const help = await run(NODE_BIN, [mainTs, 'probe', '--help'], { timeoutMs: 30_000 });
  if (help.code !== 0) {
    throw new Error(
      `probe CLI missing: \`${help.command}\` exited ${help.code ?? help.signal}\n${help.stderr.slice(0, 2000)}`,
    );
  }
}

/** The `probe` arguments for `names` against the namespace's server. */
function probeArgs(names: readonly string[], resolvConfPath: string, family: Family): string[] {
  return [
    MAIN_TS,
    'probe',
    ...names,
    '--server',
    `${SERVER_ADDRESS}:53`,
    '--resolv-conf',
    resolvConfPath,
    '--family',
    family,
    '--json',
  ];
}

/** Parses `probe --json` output: one document, or `{"results": [...]}` for several names. */
function parseProbeOutput(stdout: string): ProbeJson[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    return `stdout is not JSON (${String(err)}): ${stdout.slice(0, 300)}`;
  }
  const docs = (doc as { results?: unknown }).results ?? [doc];
  if (!Array.isArray(docs)) return `"results" is not an array: ${stdout.slice(0, 300)}`;
  for (const d of docs as ProbeJson[]) {
    if (typeof d !== 'object' || d === null || typeof d.clients !== 'object') {
      return `a document without "clients": ${JSON.stringify(d).slice(0, 300)}`;
    }
  }
  return docs as ProbeJson[];
}

/**
 * Runs `dns-headroom probe NAME... --json` once inside `ns` for several names (one Node start-up
 * instead of one per name) and returns each name's result. Names the batch could not answer are
 * run again one by one, so one bad name cannot hide the others.
 */
export async function runProbes(
  ns: NetworkNamespace,
  names: readonly string[],
  resolvConfPath: string,
  family: Family,
): Promise<Map<string, ProbeRun>> {
  const runs = new Map<string, ProbeRun>();
  const batch = async (group: readonly string[]): Promise<void> => {
    const args = probeArgs(group, resolvConfPath, family);
    const command = ns.describe(NODE_BIN, args);
    const result = await ns.exec(NODE_BIN, args, { timeoutMs: 120_000, cwd: REPO_ROOT });
    let failure: string | null = null;
    if (result.timedOut) failure = 'probe did not finish within 120 s';
    // Exit 0 (ok) and 1 (a finding) are both normal; 2 is a usage error (PRODUCT.md section 3).
    else if (result.code !== 0 && result.code !== 1) {
      failure = `exit ${result.code ?? result.signal}: ${result.stderr.trim().slice(0, 1000)}`;
    }
    const docs = failure === null ? parseProbeOutput(result.stdout) : failure;
    if (typeof docs === 'string') {
      for (const name of group) runs.set(name, { ok: false, message: docs, command });
      return;
    }
    for (const doc of docs) {
      const name = (doc as { name?: string }).name;
      if (name !== undefined && group.includes(name))
        runs.set(name, { ok: true, json: doc, exitCode: result.code ?? -1, command });
    }
  };
  await batch(names);
  const retry = names.filter((name) => runs.get(name)?.ok !== true);
  if (names.length > 1) await mapPool(retry, 2, (name) => batch([name]));
  for (const name of names) {
    if (!runs.has(name))
      runs.set(name, {
        ok: false,
        message: 'probe printed no document for this name',
        command: ns.describe(NODE_BIN, probeArgs([name], resolvConfPath, family)),
      });
  }
  return runs;
}

/** What the truth tests need of a lab scenario (src/lab/scenarios.ts `Scenario`, read structurally). */
export interface LabScenarioRef {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly resolvConf: ResolvVariant | undefined;
  /** Why the truth matrix leaves it out, or null when it runs. */
  readonly excluded: string | null;
}

/**
 * Loads `SCENARIOS` from src/lab/index.ts. Scenarios whose answer changes over time (growth),
 * that need another listener (UDP-only) or exist to attack the probe (hostile) are listed with
 * the reason they are excluded.
 */
export async function loadLabScenarios(labIndexTs: string = LAB_INDEX_TS): Promise<LabScenarioRef[]> {
  if (!existsSync(labIndexTs)) throw new Error(`lab missing: ${labIndexTs} does not exist yet`);
  const mod = (await import(pathToFileURL(labIndexTs).href)) as { SCENARIOS?: unknown };
  if (!Array.isArray(mod.SCENARIOS))
    throw new Error('lab missing: src/lab/index.ts does not export SCENARIOS');
  return mod.SCENARIOS.map((raw: Record<string, unknown>) => {
    const id = String(raw.id);
    const name = String(raw.name);
    let excluded: string | null = null;
    if (raw.hostile === true) excluded = 'hostile replies (probe defences, not a libc behaviour)';
    else if (raw.server !== undefined && raw.server !== 'main')
      excluded = `needs the lab's ${String(raw.server)} listener`;
    else if (raw.growth !== null && raw.growth !== undefined) excluded = 'answer grows over time';
    return {
      id,
      name,
      description: String(raw.description ?? ''),
      resolvConf: raw.resolvConf === 'kubernetes' || raw.resolvConf === 'plain' ? raw.resolvConf : undefined,
      excluded,
    };
  });
}

/** Starts `dns-headroom lab --port 53 --address 127.0.0.1` inside `ns`; ready once `readyName` answers. */
export async function startLab(ns: NetworkNamespace, dir: string, readyName: string): Promise<RunningServer> {
  if (!existsSync(MAIN_TS)) throw new Error(`lab missing: ${MAIN_TS} does not exist yet`);
  const daemon = ns.startDaemon(
    'dns-headroom lab',
    NODE_BIN,
    [MAIN_TS, 'lab', '--port', '53', '--address', SERVER_ADDRESS],
    {
      logFile: join(dir, 'lab.log'),
      cwd: REPO_ROOT,
      env: { ...CLEAN_ENV },
    },
  );
  await waitUntilAnswering(ns, daemon, [{ name: readyName, qtype: 'A' }]);
  return { kind: 'lab', ns, address: SERVER_ADDRESS, daemon };
}
