/**
 * Geometry of the headroom bar: the complete answer size drawn against the 512-byte UDP limit
 * (RFC 1035 4.2.1; musl's answer buffer). The bar's scale is fixed so bars compare across
 * targets, and it runs past 512 so an answer over the limit shows how far over it is.
 */
import { UDP_LIMIT } from '../probe/types.ts';

/** Bytes at the right end of the bar: 512 sits at two thirds, so answers up to 50% over still fit. */
export const BAR_SCALE_BYTES = 768;

/** Where each part of the bar goes, in percent of its width. */
export interface BarGeometry {
  /** `ok`: headroom at least the warning threshold; `near`: under it; `over`: past 512; `unknown`: no complete size. */
  readonly state: 'ok' | 'near' | 'over' | 'unknown';
  /** Width of the part up to min(size, 512). */
  readonly fillPct: number;
  /** Width of the part past 512 (starts at `limitPct`). */
  readonly overPct: number;
  readonly limitPct: number;
  /** Position of the warning line (512 - warnBytes), or null when there is none. */
  readonly warnPct: number | null;
  /** The answer is larger than the bar's scale: the overflow part is cut at the right end. */
  readonly clipped: boolean;
}

function pct(bytes: number, scale: number): number {
  return Math.round((Math.min(Math.max(bytes, 0), scale) / scale) * 10_000) / 100;
}

/** Computes the bar for a complete answer of `fullBytes` (null: unknown) with a warning threshold. */
export function barGeometry(
  fullBytes: number | null,
  warnBytes: number,
  scale: number = BAR_SCALE_BYTES,
): BarGeometry {
  const limitPct = pct(UDP_LIMIT, scale);
  const warnPct = warnBytes > 0 && warnBytes <= UDP_LIMIT ? pct(UDP_LIMIT - warnBytes, scale) : null;
  if (fullBytes === null)
    return { state: 'unknown', fillPct: 0, overPct: 0, limitPct, warnPct, clipped: false };
  const headroom = UDP_LIMIT - fullBytes;
  const state = headroom < 0 ? 'over' : headroom < warnBytes ? 'near' : 'ok';
  const fillPct = pct(Math.min(fullBytes, UDP_LIMIT), scale);
  const overPct = fullBytes > UDP_LIMIT ? Math.round((pct(fullBytes, scale) - limitPct) * 100) / 100 : 0;
  return { state, fillPct, overPct, limitPct, warnPct, clipped: fullBytes > scale };
}
