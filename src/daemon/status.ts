/**
 * What the daemon knows about its targets, as plain values: the latest report per target, when its
 * verdict last changed, and recent failures kept after they recover (blackbox_exporter
 * prober/history.go keeps failed probes apart for the same reason). The HTTP server renders these;
 * nothing here does I/O.
 */
import { byCodeUnit } from '../compare.ts';
import type { ProbeReportJson } from '../report/index.ts';
import type { Verdict } from '../verdict/index.ts';

/** One target's current state. `report` is null until its first probe finishes. */
export interface TargetStatus {
  /** Stable key: name, family and server (config/targets.ts targetKey). */
  readonly key: string;
  readonly name: string;
  readonly family: string;
  readonly server: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly warnBytes: number;
  /** `pending` until the first probe of this target has finished. */
  readonly verdict: Verdict | 'pending';
  /** When the verdict last changed (ms since the epoch), or null before the first probe. */
  readonly verdictSinceMs: number | null;
  readonly lastProbeAtMs: number | null;
  readonly report: ProbeReportJson | null;
}

/** A probe that ended worse than ok, kept for a while after the target recovers. */
export interface FailureRecord {
  readonly atMs: number;
  readonly key: string;
  readonly name: string;
  readonly family: string;
  readonly server: string;
  readonly verdict: Verdict;
  readonly diagnosis: string;
}

/** One Kubernetes watch, as /status shows it. */
export interface KubeWatchStatus {
  /** `configmap`, `dns-service`, `dns-endpointslices`, `services`, `endpointslices`. */
  readonly resource: string;
  /** `starting`, `connected`, `retrying`, ... */
  readonly phase: string;
  readonly restarts: number;
  readonly lastError: string | null;
}

/** One answer of a headless Service forecast. */
export interface ForecastQtypeStatus {
  readonly qtype: 'A' | 'AAAA';
  readonly readyEndpoints: number;
  readonly predictedBytes: number;
  readonly headroomBytes: number;
  readonly maxSafeEndpoints: number;
}

/** A headless Service forecast. */
export interface ServiceForecastStatus {
  readonly namespace: string;
  readonly service: string;
  readonly name: string;
  /** Smallest headroom of its answers. */
  readonly headroomBytes: number;
  /** Also probed for real (headroom under the margin). */
  readonly probed: boolean;
  readonly qtypes: readonly ForecastQtypeStatus[];
}

/** What the daemon knows from the Kubernetes API; absent when no feature uses it. */
export interface KubernetesStatus {
  /** Why there is no API connection (no kubeconfig, not in a pod), or null. */
  readonly error: string | null;
  readonly watches: readonly KubeWatchStatus[];
  /** Cluster DNS servers probed besides resolv.conf's (`HOST:PORT`). */
  readonly dnsServers: readonly string[];
  /** Worst (smallest headroom) first. */
  readonly forecasts: readonly ServiceForecastStatus[];
}

/** Everything /status serves and / renders. */
export interface StatusSnapshot {
  readonly generatedAtMs: number;
  readonly node: string | null;
  readonly version: string;
  /** Config loaded and one full probe round done (the /readyz rule). */
  readonly ready: boolean;
  readonly config: {
    readonly loaded: boolean;
    readonly lastReloadSuccessful: boolean | null;
    readonly lastReloadAtMs: number | null;
    readonly issues: readonly string[];
  };
  /** Worst verdict first, then smallest headroom first, then name. */
  readonly targets: readonly TargetStatus[];
  /** Newest first, bounded. */
  readonly recentFailures: readonly FailureRecord[];
  /** Present when the config comes from a ConfigMap or a `kubernetes` feature is on. */
  readonly kubernetes?: KubernetesStatus;
}

/** Order of verdicts on the status page and in /status: worst first. */
export const VERDICT_ORDER: Readonly<Record<Verdict | 'pending', number>> = {
  error: 0,
  failing: 1,
  degraded: 2,
  at_risk: 3,
  pending: 4,
  ok: 5,
};

/** Sorts targets worst first, then by smallest headroom, then by name. */
export function sortWorstFirst(targets: readonly TargetStatus[]): TargetStatus[] {
  return [...targets].sort((a, b) => {
    const byVerdict = VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict];
    if (byVerdict !== 0) return byVerdict;
    const ha = a.report?.headroomBytes ?? Number.POSITIVE_INFINITY;
    const hb = b.report?.headroomBytes ?? Number.POSITIVE_INFINITY;
    if (ha !== hb) return ha - hb;
    return byCodeUnit(a.name, b.name) || byCodeUnit(a.key, b.key);
  });
}
