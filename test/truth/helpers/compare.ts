/**
 * The check of issue 3: a prediction of `probe --json` against what the real libraries and dig
 * returned for the same case, server, resolv.conf and family, with a side-by-side table for
 * failures.
 */
import { REAL_LIBRARIES, type RealLibrary } from './clients.ts';
import type { ProbeRun } from './product.ts';
import type { ComparedRow, PredictionCell, RealRow } from './results.ts';
import { outcomeText, textTable } from './table.ts';

/** Exact equality of two getaddrinfo outcomes: same error class, or same address count. */
export function sameOutcome(
  real: { readonly addresses: number; readonly error: string | null },
  predicted: { readonly addresses: number; readonly error: string | null } | undefined,
): boolean {
  if (predicted === undefined) return false;
  return real.error === predicted.error && (real.error !== null || real.addresses === predicted.addresses);
}

/** Turns a probe run into the recorded prediction cell. */
export function predictionCell(run: ProbeRun): PredictionCell {
  if (!run.ok) return { ok: false, message: `${run.message}\n  command: ${run.command}` };
  const pick = (lib: RealLibrary) => {
    const outcome = run.json.clients[lib];
    if (outcome === undefined) return { addresses: Number.NaN, error: 'MISSING' };
    // A prediction that getaddrinfo blocks (glibc's TCP read has no timeout) is what a real client
    // killed at our deadline shows: compare it as TIMEOUT, the class the harness records.
    if ((outcome as { blocks?: boolean }).blocks === true) return { addresses: 0, error: 'TIMEOUT' };
    return { addresses: outcome.addresses, error: outcome.error };
  };
  return {
    ok: true,
    clients: { 'musl-1.2.3': pick('musl-1.2.3'), glibc: pick('glibc') },
    fullBytes: run.json.fullBytes,
    verdict: run.json.verdict,
    exitCode: run.exitCode,
  };
}

/**
 * Compares one row: both outcomes exactly, and `fullBytes` with the measured complete size
 * (see {@link RealRow.fullBytes}: `dig +tcp +noedns` at the name that ended musl's walk).
 */
export function compareRow(row: RealRow, predicted: PredictionCell): ComparedRow {
  if (!predicted.ok) return { ...row, predicted, mismatches: [`no prediction: ${predicted.message}`] };
  const mismatches: string[] = [];
  for (const lib of REAL_LIBRARIES) {
    if (!sameOutcome(row.real[lib], predicted.clients[lib])) {
      mismatches.push(
        `${lib}: real ${outcomeText(row.real[lib])}, predicted ${outcomeText(predicted.clients[lib])}`,
      );
    }
  }
  if (predicted.fullBytes !== row.fullBytes) {
    mismatches.push(
      `fullBytes: dig +tcp ${row.fullBytes ?? 'null'}, predicted ${predicted.fullBytes ?? 'null'}`,
    );
  }
  return { ...row, predicted, mismatches };
}

/** The side-by-side table of every mismatching row. */
export function mismatchTable(rows: readonly ComparedRow[]): string {
  const bad = rows.filter((row) => row.mismatches.length > 0);
  const cell = (row: ComparedRow, lib: RealLibrary) =>
    row.predicted.ok ? outcomeText(row.predicted.clients[lib]) : '—';
  const table = textTable([
    [
      'case',
      'server',
      'resolv',
      'family',
      'name',
      'musl real',
      'musl pred',
      'glibc real',
      'glibc pred',
      'bytes real',
      'bytes pred',
    ],
    ...bad.map((row) => [
      row.caseId,
      row.server,
      row.resolv,
      row.family,
      row.name,
      outcomeText(row.real['musl-1.2.3']),
      cell(row, 'musl-1.2.3'),
      outcomeText(row.real.glibc),
      cell(row, 'glibc'),
      String(row.fullBytes ?? 'null'),
      row.predicted.ok ? String(row.predicted.fullBytes ?? 'null') : '—',
    ]),
  ]);
  const details = bad
    .flatMap((row) =>
      row.mismatches.map((m) => `  ${row.caseId} ${row.server} ${row.resolv} ${row.family}: ${m}`),
    )
    .slice(0, 40);
  return `${bad.length} of ${rows.length} predictions differ from the real libraries:\n${table}\n\n${details.join('\n')}`;
}
