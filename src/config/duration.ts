/**
 * Durations as Prometheus writes them (prometheus/common model.ParseDuration): whole numbers with
 * units, largest first, e.g. `500ms`, `30s`, `1m30s`, `1h`. No bare numbers (is `30` seconds or
 * milliseconds?), no fractions, no negative values, no days: the config never needs them.
 */

const UNITS = Object.freeze([
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const);

const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a duration string, or null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null || text === '') return null;
  let ms = 0;
  for (const [i, [, factor]] of UNITS.entries()) {
    const digits = match[i + 1];
    if (digits !== undefined) ms += Number(digits) * factor;
  }
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest duration string for whole milliseconds (`90000` → `1m30s`, `0` → `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, factor] of UNITS) {
    const n = Math.floor(rest / factor);
    if (n > 0) {
      text += `${n}${unit}`;
      rest -= n * factor;
    }
  }
  return text;
}
