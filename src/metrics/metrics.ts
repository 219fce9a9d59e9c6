/**
 * The metric set (PRODUCT.md section 3), registered once on an explicit registry (never the global
 * one: prom-client's own tests must clear it around each case). `recordProbe` maps a judged probe to
 * gauges; exchange-level counters and histograms are fed by the transport decorator in
 * transport.ts, so every query is counted, including those of the search walk.
 *
 * Labels are bounded by the config: `target` (the name as written), `family`, `server`, `qtype`,
 * `client`, `verdict`, `transport`, `reason`; never error text, ids or answer addresses. A target
 * with families inet and unspec yields two probes with an A answer each, so per-qtype series carry
 * `family` too, or the two would collide. Config labels (team, ...) go on one info metric to join on.
 */

import { CLIENT_NAMES } from '../clients/types.ts';
import type { ProbeResult } from '../probe/probe.ts';
import { type ExchangeFailureReason, FAMILY_QTYPES, type Transport } from '../probe/types.ts';
import type { Assessment } from '../verdict/index.ts';
import { createKubeMetrics, type KubeMetrics } from './kube.ts';
import {
  Counter,
  collectDefaultMetrics,
  exponentialBuckets,
  Gauge,
  Histogram,
  type Registry,
} from './prom-client.ts';
import { createServiceMetrics, type ServiceMetrics } from './service.ts';
import { type QtypeRecord, type TargetLabels, TargetSeries } from './target-series.ts';

export type { TargetLabels } from './target-series.ts';

/**
 * Exchange durations: exponential buckets from 0.25 ms, doubling, up to ~16 s (CoreDNS
 * plugin/plugin.go TimeBuckets starts at 0.25 ms for the same reason: loopback and node-local
 * answers take well under a millisecond).
 */
export const DURATION_BUCKETS = exponentialBuckets(0.00025, 2, 17);

/** Where the metric set gets its constant facts. */
export interface MetricsOptions {
  readonly version: string;
  /** Node name from the downward API (NODE_NAME); becomes a `node` label on every series. */
  readonly node?: string | undefined;
  /** Also register prom-client's process_* and nodejs_* metrics (off in unit tests for speed). */
  readonly defaultMetrics?: boolean;
}

/** The typed handle `createMetrics` returns. */
export interface Metrics {
  readonly registry: Registry;
  /** Sets every per-target gauge from one judged probe. */
  recordProbe(labels: TargetLabels, result: ProbeResult, assessment: Assessment, atMs: number): void;
  /** Marks a probe that threw (a bug): verdict error, counted under reason `internal`. */
  recordInternalError(labels: TargetLabels): void;
  /** Counts one exchange on the wire (fed by the transport decorator). */
  recordExchange(transport: Transport, durationSeconds: number, failure: ExchangeFailureReason | null): void;
  /** Zero-initialises a new target's verdict state set so it is visible before its first probe. */
  addTarget(labels: TargetLabels, info: Readonly<Record<string, string>>): void;
  /** Removes every series of a target that left the config. */
  removeTarget(labels: TargetLabels): void;
  /** Reflects a config reload attempt. */
  recordReload(successful: boolean, lastSuccessAtMs: number | null): void;
  /** Number of configured targets (name x family x server). */
  setTargetCount(n: number): void;
  /** Sets which config label names the info metric shows (each target keeps all of its labels). */
  setInfoLabelNames(names: readonly string[]): void;
  /** Headless Service forecasts (service.ts). */
  readonly services: ServiceMetrics;
  /** Kubernetes watch health (kube.ts). */
  readonly kube: KubeMetrics;
}

/** Registers the whole metric set on `registry` and returns the handle that writes it. */
export function createMetrics(
  registry: Registry,
  options: MetricsOptions,
  infoLabelNames: readonly string[] = [],
): Metrics {
  if (options.node) registry.setDefaultLabels({ node: options.node });
  // prom-client samples event-loop delay with a native timer every `eventLoopMonitoringPrecision` ms
  // (default 10: 100 wake-ups a second, measured as 0.7% of a core on an idle daemon). 250 ms still
  // shows a stalled loop, at a fraction of the cost.
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 250 });
  }
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames: [...labelNames], registers });

  const series = new TargetSeries(registry, infoLabelNames);
  const targets = gauge('dnsheadroom_targets', 'Configured targets (name x family x server).', []);
  const duration = new Histogram<'transport'>({
    name: 'dnsheadroom_probe_duration_seconds',
    help: 'Duration of single DNS exchanges, by transport (udp, tcp, edns).',
    labelNames: ['transport'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const queries = new Counter<'transport'>({
    name: 'dnsheadroom_queries_total',
    help: 'DNS queries sent, by transport.',
    labelNames: ['transport'],
    registers,
  });
  const errors = new Counter<'reason'>({
    name: 'dnsheadroom_probe_errors_total',
    help: 'Exchanges that produced no usable answer, and probes that failed internally, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const reloadOk = gauge(
    'dnsheadroom_config_last_reload_successful',
    '1 when the last config reload was applied.',
    [],
  );
  const reloadAt = gauge(
    'dnsheadroom_config_last_reload_success_timestamp_seconds',
    'When a config was last applied successfully.',
    [],
  );
  const build = gauge(
    'dnsheadroom_build_info',
    'Constant 1, labelled with the version of dns-headroom and Node.js.',
    ['version', 'nodejs'] as const,
  );
  build.set({ version: options.version, nodejs: process.versions.node }, 1);
  for (const transport of ['udp', 'tcp', 'edns'] as const) queries.inc({ transport }, 0);
  errors.inc({ reason: 'internal' }, 0);

  const services = createServiceMetrics(registry);
  const kube = createKubeMetrics(registry);

  return {
    registry,
    services,
    kube,
    recordProbe(labels, result, assessment, atMs) {
      const r = series.record(labels);
      // In place: these records live as long as the target (see QtypeRecord).
      for (const q of assessment.qtypes) {
        const tcp = result.probes[q.qtype]?.tcp;
        const kept = r.qtypes[q.qtype];
        // A value not measured this probe is left out rather than left stale (alerts must not fire
        // on old data); TCP keeps its last measured value when a round did not ask it.
        const rec: QtypeRecord = kept ?? {
          udpBytes: null,
          udpAddresses: null,
          truncated: null,
          fullBytes: null,
          fullAddresses: null,
          tcp: null,
        };
        rec.udpBytes = q.udpBytes;
        rec.udpAddresses = q.udpBytes === null ? null : q.udpAddresses;
        rec.truncated = q.udpBytes === null ? null : q.truncated || q.malformedSize !== null ? 1 : 0;
        rec.fullBytes = q.fullBytes;
        rec.fullAddresses = q.fullAddresses;
        if (tcp) rec.tcp = tcp.ok ? 1 : 0;
        if (kept === null) r.qtypes[q.qtype] = rec;
      }
      // A qtype this probe did not measure has no series (the family changed with a reload).
      for (const qtype of FAMILY_QTYPES.unspec) {
        if (r.qtypes[qtype] !== null && !assessment.qtypes.some((q) => q.qtype === qtype))
          r.qtypes[qtype] = null;
      }
      const clients = r.clients ?? new Array<number>(CLIENT_NAMES.length).fill(0);
      CLIENT_NAMES.forEach((client, i) => {
        const outcome = result.clients[client];
        clients[i] = outcome.error === null ? outcome.addresses : 0;
      });
      r.clients = clients;
      r.verdict = assessment.verdict;
      r.success = assessment.verdict === 'error' ? 0 : 1;
      r.lastProbeSeconds = atMs / 1000;
    },
    recordInternalError(labels) {
      errors.inc({ reason: 'internal' });
      const r = series.record(labels);
      r.verdict = 'error';
      r.success = 0;
    },
    recordExchange(transport, durationSeconds, failure) {
      queries.inc({ transport });
      duration.observe({ transport }, durationSeconds);
      if (failure !== null) errors.inc({ reason: failure });
    },
    addTarget(labels, infoValues) {
      series.record(labels).info = infoValues;
    },
    removeTarget(labels) {
      series.remove(labels);
    },
    recordReload(successful, lastSuccessAtMs) {
      reloadOk.set(successful ? 1 : 0);
      if (lastSuccessAtMs !== null) reloadAt.set(lastSuccessAtMs / 1000);
    },
    setTargetCount(n) {
      targets.set(n);
    },
    setInfoLabelNames(names) {
      series.setInfoNames(names);
    },
  };
}
