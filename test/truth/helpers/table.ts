/**
 * Plain-text and Markdown tables for failure messages and docs/accuracy.md: a mismatch is only
 * useful when the case, the prediction and the reality stand side by side.
 */
import type { RealOutcome } from './clients.ts';

/** Formats an outcome the way the reports show it: the address count, or the error name. */
export function outcomeText(outcome: { addresses: number; error: string | null } | undefined): string {
  if (outcome === undefined) return '—';
  return outcome.error === null ? String(outcome.addresses) : outcome.error;
}

/** Same as {@link outcomeText} for real outcomes (drops the duration). */
export function realText(outcome: RealOutcome | undefined): string {
  return outcomeText(outcome);
}

/** A fixed-width text table (first row is the header). */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return '';
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table (first row is the header); pipes in cells are escaped. */
export function markdownTable(rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const esc = (cell: string) => cell.replaceAll('|', '\\|');
  const line = (row: readonly string[]) => `| ${row.map(esc).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
