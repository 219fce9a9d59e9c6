/**
 * Truth, part 2: the product's predictions against reality (issue 3).
 *
 * For every case, server, resolv.conf and family, `dns-headroom probe NAME --json` runs INSIDE
 * the namespace of the real server, and its `clients["musl-1.2.3"]`, `clients.glibc` and
 * `fullBytes` must equal what the real musl 1.2.3 and glibc getaddrinfo returned and what
 * `dig +tcp +noedns` measured. Servers: Knot and BIND with the generated zones, and the
 * product's own lab with its CoreDNS-style scenarios. Every row, matching or not, is written to
 * test-results/truth/predicted.json for docs/accuracy.md (scripts/accuracy-report.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FAMILIES, CASES, caseRecords, type MatrixCase } from './cases.ts';
import { compareRow, mismatchTable, predictionCell } from './helpers/compare.ts';
import {
  assertProbeCli,
  assertTruthPrerequisites,
  type ComparedRow,
  collectRealRows,
  type LabScenarioRef,
  loadLabScenarios,
  mapPool,
  matrixCells,
  openSession,
  PREDICTED_RESULTS,
  type PredictionCell,
  type RealRow,
  runProbes,
  type ServerKind,
  type TruthSession,
  writeResults,
} from './helpers/index.ts';

/** Each probe batch is one Node process probing many names; two at a time suit a 2-core machine. */
const PROBE_CONCURRENCY = 2;
/** Real servers, clients and probes for the whole matrix: generous, for a loaded CI machine. */
const HOOK_TIMEOUT_MS = 600_000;

const compared: ComparedRow[] = [];
const excluded: { id: string; reason: string }[] = [];
const timings: Record<string, number> = {};
let versions: TruthSession['versions'] | undefined;

/** Runs the real side and the probe for every cell of `cases` on `servers`, and compares them. */
async function runMatrix(
  session: TruthSession,
  cases: readonly MatrixCase[],
  servers: readonly ServerKind[],
) {
  const started = performance.now();
  const rows: RealRow[] = await collectRealRows(session, matrixCells(cases, servers));
  const realDone = performance.now();
  // One probe process per server, resolv.conf and family, with every name of that group.
  const groups = new Map<string, RealRow[]>();
  for (const row of rows) {
    const key = `${row.server} ${row.resolv} ${row.family}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const predictions = new Map<RealRow, PredictionCell>();
  await mapPool([...groups.values()], PROBE_CONCURRENCY, async (group) => {
    const first = group[0] as RealRow;
    const server = session.servers.get(first.server);
    if (server === undefined) throw new Error(`server ${first.server} is not running`);
    const names = [...new Set(group.map((row) => row.name))];
    const runs = await runProbes(server.ns, names, session.resolvConfs[first.resolv], first.family);
    for (const row of group) {
      const run = runs.get(row.name);
      predictions.set(row, run === undefined ? { ok: false, message: 'not probed' } : predictionCell(run));
    }
  });
  // In matrix order (server, case, resolv.conf, family), as the report lists them.
  const results = rows.map((row) =>
    compareRow(row, predictions.get(row) ?? { ok: false, message: 'not probed' }),
  );
  timings[`${servers.join('+')}RealSeconds`] = (realDone - started) / 1000;
  timings[`${servers.join('+')}ProbeSeconds`] = (performance.now() - realDone) / 1000;
  versions = session.versions;
  compared.push(...results);
  return results;
}

afterAll(() => {
  if (versions === undefined) return; // nothing ran: keep the previous file rather than write an empty one
  writeResults(PREDICTED_RESULTS, {
    kind: 'predicted',
    generatedAt: new Date().toISOString(),
    versions,
    excluded,
    timings,
    rows: compared,
  });
});

describe('predictions against Knot and BIND', () => {
  const servers: readonly ServerKind[] = ['knot', 'bind'];
  let session: TruthSession | undefined;
  let rows: ComparedRow[] = [];

  beforeAll(async () => {
    assertTruthPrerequisites();
    await assertProbeCli(); // fails with "probe CLI missing" until src/main.ts probe exists
    session = await openSession({ servers, records: caseRecords() });
    rows = await runMatrix(session, CASES, servers);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await session?.close();
  });

  it.each(servers)(
    '%s: musl-1.2.3, glibc and fullBytes equal the real libraries and dig for every case',
    (server) => {
      const mine = rows.filter((row) => row.server === server);
      expect(mine.length).toBeGreaterThan(0);
      const bad = mine.filter((row) => row.mismatches.length > 0);
      expect(bad.length, `\n${mismatchTable(mine)}\n`).toBe(0);
    },
  );
});

describe('predictions against the lab (CoreDNS-style scenarios)', () => {
  let session: TruthSession | undefined;
  let rows: ComparedRow[] = [];

  beforeAll(async () => {
    assertTruthPrerequisites();
    await assertProbeCli();
    const scenarios: LabScenarioRef[] = await loadLabScenarios(); // "lab missing" until src/lab/index.ts exports SCENARIOS
    const included = scenarios.filter((s) => s.excluded === null);
    for (const s of scenarios)
      if (s.excluded !== null) excluded.push({ id: `lab-${s.id}`, reason: s.excluded });
    const first = included[0];
    if (first === undefined)
      throw new Error('lab missing: SCENARIOS has no scenario the truth matrix can run');
    const cases: MatrixCase[] = included.map((s) => ({
      id: `lab-${s.id}`,
      title: s.description,
      names: { [s.resolvConf ?? 'plain']: s.name },
      families: ALL_FAMILIES,
    }));
    session = await openSession({ servers: ['lab'], records: [], labReadyName: first.name });
    rows = await runMatrix(session, cases, ['lab']);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await session?.close();
  });

  it('musl-1.2.3, glibc and fullBytes equal the real libraries and dig for every scenario', () => {
    expect(rows.length).toBeGreaterThan(0);
    const bad = rows.filter((row) => row.mismatches.length > 0);
    expect(bad.length, `\n${mismatchTable(rows)}\n`).toBe(0);
  });
});
