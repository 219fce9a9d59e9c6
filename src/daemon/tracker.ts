/**
 * Keeps the daemon's picture of its targets: the latest report of each, when its verdict last
 * changed, a short size history for the trend, and recent failures. Pure state; the daemon feeds it
 * and the HTTP server reads snapshots of it.
 */
import type { ProbeReportJson } from '../report/index.ts';
import type { Verdict } from '../verdict/index.ts';
import { type PackedReport, packReport, unpackReport } from './packed-report.ts';
import { type FailureRecord, sortWorstFirst, type TargetStatus } from './status.ts';

/** What the tracker needs to know of a configured target. */
export interface TrackedTarget {
  readonly key: string;
  readonly name: string;
  readonly family: string;
  readonly server: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly warnBytes: number;
}

/** A verdict change, for the one log line per transition. */
export interface Transition {
  readonly target: TrackedTarget;
  readonly from: Verdict | 'pending';
  readonly to: Verdict;
  readonly report: ProbeReportJson;
}

/** Failures kept for /status and the page (newest first). */
export const MAX_FAILURES = 50;
/** Size samples kept per target for the trend. */
export const HISTORY_SAMPLES = 12;
/**
 * "Shrinking toward 0" (PRODUCT.md section 2, at_risk): the complete answer grew over the kept
 * samples and, at that pace, crosses 512 within this horizon. A day matches the growth-forecast alert.
 */
export const TREND_HORIZON_MS = 24 * 3600 * 1000;

interface Entry {
  target: TrackedTarget;
  verdict: Verdict | 'pending';
  verdictSinceMs: number | null;
  lastProbeAtMs: number | null;
  /**
   * The last report, packed (packed-report.ts). Read only by /status and the page, while every
   * target holds one for good: as a few strings it is a tenth of the JSON text and a fraction of the
   * ~60 objects of the document, and the garbage collector never has to trace its insides.
   */
  report: PackedReport | null;
  history: SizeHistory;
}

/**
 * The last HISTORY_SAMPLES complete sizes of a target, oldest first, in one array of doubles:
 * twelve `{atMs, bytes}` objects (each with a boxed double) were the largest thing every target
 * held once its history was full. A plain array, not a Float64Array: V8 stores its numbers unboxed
 * all the same, without the ArrayBuffer and off-heap store a typed array brings (about 300 bytes a
 * target, and 10,000 more ArrayBuffers for every garbage collection to sweep).
 */
class SizeHistory {
  /** [atMs, bytes] pairs in a ring; `#start` is the oldest, `#count` how many are set. */
  readonly #pairs: number[] = new Array<number>(2 * HISTORY_SAMPLES).fill(Number.NaN);
  #start = 0;
  #count = 0;

  push(atMs: number, bytes: number): void {
    const slot = (this.#start + this.#count) % HISTORY_SAMPLES;
    this.#pairs[2 * slot] = atMs;
    this.#pairs[2 * slot + 1] = bytes;
    if (this.#count < HISTORY_SAMPLES) this.#count++;
    else this.#start = (this.#start + 1) % HISTORY_SAMPLES;
  }

  /**
   * Least-squares slope of bytes over time (bytes per ms) over the kept samples plus one more
   * (`atMs`, `bytes`), the oldest left out when the ring is full; 0 with fewer than 3 distinct sizes.
   * Reads the ring in place: this runs on every probe of a target that fits, and building the
   * samples as objects for it (with a Set to count the sizes) was about a kilobyte of garbage a
   * probe, a tenth of what the daemon allocates at 1,000 targets.
   */
  growthWith(atMs: number, bytes: number): number {
    const keep = Math.min(this.#count, HISTORY_SAMPLES - 1);
    const first = this.#start + this.#count - keep;
    const n = keep + 1;
    // Distinct sizes, counted up to three: the newest, another, a third.
    let other = Number.NaN;
    let distinct = 1;
    let sumT = 0;
    let sumB = 0;
    for (let i = 0; i < keep; i++) {
      const slot = (first + i) % HISTORY_SAMPLES;
      const b = this.#pairs[2 * slot + 1] as number;
      sumT += this.#pairs[2 * slot] as number;
      sumB += b;
      if (distinct < 3 && b !== bytes && b !== other) {
        distinct++;
        other = b;
      }
    }
    if (distinct < 3) return 0;
    const mt = (sumT + atMs) / n;
    const mb = (sumB + bytes) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < keep; i++) {
      const slot = (first + i) % HISTORY_SAMPLES;
      const dt = (this.#pairs[2 * slot] as number) - mt;
      num += dt * ((this.#pairs[2 * slot + 1] as number) - mb);
      den += dt * dt;
    }
    num += (atMs - mt) * (bytes - mb);
    den += (atMs - mt) ** 2;
    return den === 0 ? 0 : num / den;
  }
}

/** The daemon's target table. */
export class StatusTracker {
  readonly #entries = new Map<string, Entry>();
  #failures: FailureRecord[] = [];

  /** Replaces the set of targets: new ones start `pending`, kept ones keep their state. */
  setTargets(targets: readonly TrackedTarget[]): void {
    const next = new Map<string, Entry>();
    for (const target of targets) {
      const old = this.#entries.get(target.key);
      next.set(
        target.key,
        old
          ? { ...old, target }
          : {
              target,
              verdict: 'pending',
              verdictSinceMs: null,
              lastProbeAtMs: null,
              report: null,
              history: new SizeHistory(),
            },
      );
    }
    this.#entries.clear();
    for (const [k, v] of next) this.#entries.set(k, v);
  }

  /** Is the complete answer of this target growing toward 512 within the horizon? */
  shrinking(key: string, atMs: number, fullBytes: number | null): boolean {
    const entry = this.#entries.get(key);
    if (!entry || fullBytes === null || fullBytes > 512) return false;
    const slope = entry.history.growthWith(atMs, fullBytes);
    return slope > 0 && (512 - fullBytes) / slope < TREND_HORIZON_MS;
  }

  /** Records a finished probe; returns the transition when the verdict changed. */
  record(key: string, report: ProbeReportJson, atMs: number): Transition | null {
    const entry = this.#entries.get(key);
    if (!entry) return null; // removed by a reload while in flight
    const from = entry.verdict;
    entry.report = packReport(report, entry.report);
    entry.lastProbeAtMs = atMs;
    if (report.fullBytes !== null) {
      entry.history.push(atMs, report.fullBytes);
    }
    if (from === report.verdict) return null;
    if (report.verdict !== 'ok') {
      // A failure is an event: recorded when the verdict turns worse or changes, kept after recovery.
      this.#pushFailure({
        atMs,
        key,
        name: entry.target.name,
        family: entry.target.family,
        server: entry.target.server,
        verdict: report.verdict,
        diagnosis: report.diagnosis,
      });
    }
    entry.verdict = report.verdict;
    entry.verdictSinceMs = atMs;
    return { target: entry.target, from, to: report.verdict, report };
  }

  /** Marks a probe that threw: the target is in error, the reason is ours. */
  recordInternalError(key: string, message: string, atMs: number): Transition | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const from = entry.verdict;
    entry.lastProbeAtMs = atMs;
    if (from === 'error') return null;
    this.#pushFailure({
      atMs,
      key,
      name: entry.target.name,
      family: entry.target.family,
      server: entry.target.server,
      verdict: 'error',
      diagnosis: message,
    });
    entry.verdict = 'error';
    entry.verdictSinceMs = atMs;
    return entry.report === null
      ? null
      : { target: entry.target, from, to: 'error', report: unpackReport(entry.report) };
  }

  #pushFailure(record: FailureRecord): void {
    this.#failures.unshift(record);
    if (this.#failures.length > MAX_FAILURES) this.#failures.length = MAX_FAILURES;
  }

  /** Targets worst first, each with its last report (unpacked anew on each call). */
  targets(): TargetStatus[] {
    return sortWorstFirst(
      [...this.#entries.values()].map((e) => ({
        key: e.target.key,
        name: e.target.name,
        family: e.target.family,
        server: e.target.server,
        labels: e.target.labels,
        warnBytes: e.target.warnBytes,
        verdict: e.verdict,
        verdictSinceMs: e.verdictSinceMs,
        lastProbeAtMs: e.lastProbeAtMs,
        report: e.report === null ? null : unpackReport(e.report),
      })),
    );
  }

  /** Recent failures, newest first. */
  failures(): readonly FailureRecord[] {
    return this.#failures;
  }

  /** Counts per verdict, for the periodic summary log line. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.#entries.values()) counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
    return counts;
  }
}
