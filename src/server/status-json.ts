/**
 * The /status document: the StatusSnapshot as is, worst first, with an ISO 8601 time next to
 * each `...Ms` field so people reading it with curl need no arithmetic.
 */
import {
  type FailureRecord,
  type StatusSnapshot,
  sortWorstFirst,
  type TargetStatus,
} from '../daemon/status.ts';
import { isoTime } from './time-format.ts';

/** One target in /status. */
export type TargetStatusJson = TargetStatus & {
  readonly verdictSince: string | null;
  readonly lastProbeAt: string | null;
};

/** One failure in /status. */
export type FailureRecordJson = FailureRecord & { readonly at: string | null };

/** The /status document. */
export type StatusDocument = Omit<StatusSnapshot, 'config' | 'targets' | 'recentFailures'> & {
  readonly generatedAt: string | null;
  readonly config: StatusSnapshot['config'] & { readonly lastReloadAt: string | null };
  readonly targets: readonly TargetStatusJson[];
  readonly recentFailures: readonly FailureRecordJson[];
};

/** Builds the /status document from a snapshot. */
export function statusDocument(snapshot: StatusSnapshot): StatusDocument {
  return {
    ...snapshot,
    generatedAt: isoTime(snapshot.generatedAtMs),
    config: { ...snapshot.config, lastReloadAt: isoTime(snapshot.config.lastReloadAtMs) },
    targets: sortWorstFirst(snapshot.targets).map((t) => ({
      ...t,
      verdictSince: isoTime(t.verdictSinceMs),
      lastProbeAt: isoTime(t.lastProbeAtMs),
    })),
    recentFailures: snapshot.recentFailures.map((f) => ({ ...f, at: isoTime(f.atMs) })),
  };
}
