/**
 * Builds the daemon's StatusSnapshot from probe reports, the way the daemon would after one
 * round: one target per report, keyed like config/targets.ts `targetKey`, and a failure record
 * for every report worse than ok (daemon/status.ts FailureRecord).
 */
import type { FailureRecord, StatusSnapshot, TargetStatus } from '../../../src/daemon/status.ts';
import { sortWorstFirst, VERDICT_ORDER } from '../../../src/daemon/status.ts';
import type { ProbeReportJson } from '../../../src/report/index.ts';

/** How to build the snapshot. */
export interface SnapshotOptions {
  readonly generatedAtMs: number;
  readonly node?: string | null;
  readonly version?: string;
  /** How long before its probe each target's verdict last changed; default 0 (changed at that probe). */
  readonly verdictAgeMs?: (report: ProbeReportJson, index: number) => number;
  readonly labels?: (report: ProbeReportJson) => Readonly<Record<string, string>>;
}

/** The key config/targets.ts gives a (name, family, server) unit. */
export function reportKey(report: ProbeReportJson): string {
  return `${report.name.toLowerCase()} ${report.family} ${report.server}`;
}

/** A ready snapshot (config loaded, round done) holding these reports, worst first. */
export function snapshotFromReports(
  reports: readonly ProbeReportJson[],
  options: SnapshotOptions,
): StatusSnapshot {
  const targets: TargetStatus[] = reports.map((report, i) => {
    const probedAtMs = Date.parse(report.startedAt);
    return {
      key: reportKey(report),
      name: report.name,
      family: report.family,
      server: report.server,
      labels: options.labels?.(report) ?? {},
      warnBytes: report.warnBytes,
      verdict: report.verdict,
      verdictSinceMs: probedAtMs - (options.verdictAgeMs?.(report, i) ?? 0),
      lastProbeAtMs: probedAtMs + Math.round(report.durationSeconds * 1000),
      report,
    };
  });
  const recentFailures: FailureRecord[] = targets
    .filter((t) => t.report !== null && VERDICT_ORDER[t.report.verdict] < VERDICT_ORDER.ok)
    .map((t) => {
      const report = t.report as ProbeReportJson;
      return {
        atMs: t.lastProbeAtMs ?? options.generatedAtMs,
        key: t.key,
        name: t.name,
        family: t.family,
        server: t.server,
        verdict: report.verdict,
        diagnosis: report.diagnosis,
      };
    })
    .sort((a, b) => b.atMs - a.atMs);
  return {
    generatedAtMs: options.generatedAtMs,
    node: options.node ?? null,
    version: options.version ?? '0.0.0-test',
    ready: true,
    config: {
      loaded: true,
      lastReloadSuccessful: true,
      lastReloadAtMs: options.generatedAtMs,
      issues: [],
    },
    targets: sortWorstFirst(targets),
    recentFailures,
  };
}
