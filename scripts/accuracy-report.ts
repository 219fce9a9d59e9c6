/**
 * Regenerates docs/accuracy.md: how the product's predictions compare with the real musl 1.2.3
 * and glibc getaddrinfo against real Knot and BIND servers and the lab (issue 3).
 *
 * How to run (as root, with the Debian packages of test/truth/helpers/preflight.ts installed):
 *
 *   npx node scripts/accuracy-report.ts            # runs `vitest run --project truth`, then writes the doc
 *   npx node scripts/accuracy-report.ts --no-run   # only renders from test-results/truth/*.json
 *
 * (`npm run accuracy` is the same as the first line.) The truth tests record their rows in
 * test-results/truth/real.json (real side only) and predicted.json (real and predicted side by
 * side); this script prefers predicted.json and falls back to real.json. The document is
 * written even when predictions differ: that is what it is for. Exit status: the truth tests'
 * status (0 when they were not run), 2 when no results exist.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CASES } from '../test/truth/cases.ts';
import { NODE_BIN, REPO_ROOT } from '../test/truth/helpers/product.ts';
import {
  type ComparedRow,
  PREDICTED_RESULTS,
  REAL_RESULTS,
  type RealRow,
  type ResultsFile,
  readResults,
} from '../test/truth/helpers/results.ts';
import { markdownTable, outcomeText } from '../test/truth/helpers/table.ts';

/** Where the document goes. */
const OUTPUT = join(REPO_ROOT, 'docs/accuracy.md');

/** Runs the truth project with Node 24 from node_modules; returns its exit status. */
function runTruthTests(): number {
  const result = spawnSync(
    NODE_BIN,
    [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'truth'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  return result.status ?? 1;
}

type Row = RealRow & Partial<Pick<ComparedRow, 'predicted' | 'mismatches'>>;

const code = (text: string) => `\`${text}\``;

/** Renders the whole document from one results file. */
export function renderAccuracy(file: ResultsFile<Row>, source: string): string {
  const rows = file.rows;
  const withPrediction = rows.filter((row) => row.predicted !== undefined);
  const matching = withPrediction.filter((row) => (row.mismatches ?? []).length === 0);
  const day = file.generatedAt.slice(0, 10);
  const v = file.versions;

  const summary =
    withPrediction.length === 0
      ? `No predictions were recorded (the probe CLI did not run): the table below shows the real libraries only.`
      : `**${matching.length} of ${withPrediction.length}** predictions equal reality ` +
        `(musl 1.2.3 outcome, glibc outcome and complete answer size all equal); ` +
        `**${withPrediction.length - matching.length}** differ and are marked **no** below.`;

  const versions = markdownTable([
    ['component', 'version', 'read from'],
    ['Knot', code(v.knot), code('knotd --version')],
    ['BIND', code(v.bind), code('named -v')],
    ['musl', code(v.musl), code('dpkg-query -W musl')],
    ['glibc', code(v.glibc), code('dpkg-query -W libc6')],
    ['dig', code(v.dig), code('dig -v')],
    ['kernel', code(v.kernel), code('uname -sr')],
  ]);

  const cases = markdownTable([
    ['case', 'name as written (plain / kubernetes)', 'what it shows'],
    ...CASES.map((c) => [
      code(c.id),
      [c.names.plain ?? '—', c.names.kubernetes ?? '—'].map(code).join(' / '),
      c.title,
    ]),
  ]);

  const resultTable = (subset: readonly Row[]) =>
    markdownTable(
      [
        [
          'case',
          'server',
          'resolv.conf',
          'family',
          'name',
          'musl 1.2.3 real',
          'musl 1.2.3 predicted',
          'glibc real',
          'glibc predicted',
          'bytes (dig +tcp)',
          'bytes predicted',
          'equal',
        ],
        ...subset.map((row) => {
          const p = row.predicted;
          const predicted = (lib: 'musl-1.2.3' | 'glibc') =>
            p === undefined ? '—' : p.ok ? outcomeText(p.clients[lib]) : 'probe failed';
          const equal = p === undefined ? '—' : (row.mismatches ?? []).length === 0 ? 'yes' : '**no**';
          return [
            row.caseId,
            row.server,
            row.resolv,
            row.family,
            code(row.name),
            outcomeText(row.real['musl-1.2.3']),
            predicted('musl-1.2.3'),
            outcomeText(row.real.glibc),
            predicted('glibc'),
            String(row.fullBytes ?? '—'),
            p === undefined ? '—' : p.ok ? String(p.fullBytes ?? '—') : '—',
            equal,
          ];
        }),
      ],
      ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    );

  const titles: Readonly<Record<string, string>> = { knot: 'Knot', bind: 'BIND', lab: 'dns-headroom lab' };
  const results = [...new Set(rows.map((row) => row.server))]
    .map(
      (server) =>
        `### ${titles[server] ?? server}\n\n${resultTable(rows.filter((row) => row.server === server))}`,
    )
    .join('\n\n');

  const mismatchLines = rows
    .filter((row) => (row.mismatches ?? []).length > 0)
    .flatMap((row) =>
      (row.mismatches ?? []).map(
        (m) => `- ${code(`${row.caseId} ${row.server} ${row.resolv} ${row.family}`)}: ${m.split('\n')[0]}`,
      ),
    );

  const excluded =
    file.excluded.length === 0
      ? 'None.'
      : file.excluded.map((e) => `- ${code(e.id)}: ${e.reason}`).join('\n');

  return `# Accuracy: predictions against real servers and real C libraries

<!-- Generated by scripts/accuracy-report.ts from ${source}; do not edit by hand. Regenerate: npm run accuracy -->

Measured on ${day}. ${summary}

The product's core claim is what each C library's getaddrinfo returns for a name. Here every
prediction of ${code('dns-headroom probe --json')} for ${code('clients["musl-1.2.3"]')},
${code('clients.glibc')} and ${code('fullBytes')} is set beside what the real library returned and
what ${code('dig +tcp +noedns')} measured, for every case, server, resolv.conf and address family.

**musl 1.2.4 and musl 1.2.5 are not in this table.** Their models are derived from their source
code (the TCP fallback with a 768-byte buffer in 1.2.4; the 4800-byte buffer, the 48-address cap and
EAI_NODATA in 1.2.5) and cannot be run here: Debian 12 ships only musl 1.2.3, so there is no real
1.2.4 or 1.2.5 library to compare with.

## What ran

${versions}

## How it was measured

- Each server runs in a network namespace of its own (${code('ip netns add')}, loopback only, no
  route out) on 127.0.0.1:53: Knot and BIND from Debian serving generated zones
  (${code('truth.test')}, ${code('cluster.local')} and the root zone, so every other name is a fast
  NXDOMAIN), and ${code('dns-headroom lab')} with its scenarios. BIND runs with
  ${code('minimal-responses yes')}; neither server adds authority or additional records to a
  positive answer.
- ${code('test/truth/c/gai.c')} calls getaddrinfo with ${code('ai_socktype = SOCK_STREAM')} and counts
  distinct addresses. It is built with ${code('musl-gcc -static')} (musl 1.2.3) and ${code('gcc')} (glibc) and
  run with ${code('ip netns exec')}, with a resolv.conf bind-mounted over ${code('/etc/resolv.conf')}:
  - plain: ${code('nameserver 127.0.0.1')}
  - kubernetes: plus ${code('search default.svc.cluster.local svc.cluster.local cluster.local')} and
    ${code('options ndots:5')}
- ${code('dns-headroom probe NAME --server 127.0.0.1:53 --resolv-conf FILE --family F --json')} runs in the
  same namespace with the same resolv.conf.
- "bytes (dig +tcp)" is the largest complete answer (${code('dig +tcp +noedns')}) among the family's
  query types at the name where musl's search walk ended (the first candidate that is not
  NXDOMAIN, or the last candidate when all are); when TCP gets no answer, a UDP answer without TC
  counts as complete.
- A real outcome ${code('TIMEOUT')} means the library had not returned after 30 s and was killed. A
  predicted ${code('TIMEOUT')} is the model's ${code('blocks: true')}: glibc's TCP fallback reads without a
  timeout, so against a server that accepts TCP and never answers getaddrinfo hangs until the server
  closes the connection (then EAI_AGAIN).

## Cases (Knot and BIND)

${cases}

Lab scenarios are described in ${code('src/lab/scenarios.ts')}. Left out of the matrix:

${excluded}

## Results

${results}
${mismatchLines.length === 0 ? '' : `\n## Differences\n\n${mismatchLines.join('\n')}\n`}`;
}

function main(argv: readonly string[]): number {
  const run = !argv.includes('--no-run');
  const status = run ? runTruthTests() : 0;
  const predicted = readResults<Row>(PREDICTED_RESULTS);
  const real = readResults<Row>(REAL_RESULTS);
  const file = predicted ?? real;
  if (file === null) {
    process.stderr.write(
      `accuracy-report: no results in ${PREDICTED_RESULTS} or ${REAL_RESULTS}; run the truth tests first (as root).\n`,
    );
    return 2;
  }
  const source = file === predicted ? 'test-results/truth/predicted.json' : 'test-results/truth/real.json';
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, renderAccuracy(file, source));
  process.stdout.write(`accuracy-report: wrote ${OUTPUT} from ${source} (${file.rows.length} rows)\n`);
  return status;
}

process.exitCode = main(process.argv.slice(2));
