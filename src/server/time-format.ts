/** Times as people read them on the status page: an age ("5 min ago") and an absolute UTC time. */

/** `2024-05-01 12:00:00 UTC`; `unknown` for a value that is not a valid time. */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `16:15:14 UTC` on the same UTC day as `nowMs`, else the full `formatUtc` form. */
export function formatUtcShort(ms: number, nowMs: number): string {
  const full = formatUtc(ms);
  if (!Number.isFinite(nowMs) || full === 'unknown') return full;
  return full.slice(0, 10) === formatUtc(nowMs).slice(0, 10) ? full.slice(11) : full;
}

/** ISO 8601 for machines (`<time datetime>`, /status), or null. */
export function isoTime(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/**
 * How long before `nowMs` the time `ms` was: `just now`, `42 s ago`, `5 min ago`, `3 h 12 min ago`,
 * `2 d 4 h ago`. A time after `nowMs` (clocks of two nodes disagree) reads `just now`.
 */
export function formatAge(ms: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - ms) / 1000);
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d ago` : `${days} d ${hours % 24} h ago`;
}
