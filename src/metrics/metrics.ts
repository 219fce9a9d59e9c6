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
import {
  Counter,
  collectDefaultMetrics,
  exponentialBuckets,
  Gauge,
  Histogram,
  type Registry,
} from 'prom-client';
import { CLIENT_NAMES } from '../clients/types.ts';
import type { ProbeResult } from '../probe/probe.ts';
import { type ExchangeFailureReason, type Qtype, type Transport, UDP_LIMIT } from '../probe/types.ts';
import { type Assessment, VERDICTS } from '../verdict/index.ts';
import { createKubeMetrics, type KubeMetrics } from './kube.ts';
import { createServiceMetrics, type ServiceMetrics } from './service.ts';

/** Identifies one probed target in every per-target series. */
export interface TargetLabels {
  readonly target: string;
  readonly family: string;
  readonly server: string;
}

const TARGET = ['target', 'family', 'server'] as const;
const QTYPE = [...TARGET, 'qtype'] as const;
const QTYPES: readonly Qtype[] = ['A', 'AAAA'];

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
  removeTarget(labels: TargetLabels, info: Readonly<Record<string, string>>): void;
  /** Reflects a config reload attempt. */
  recordReload(successful: boolean, lastSuccessAtMs: number | null): void;
  /** Number of configured targets (name x family x server). */
  setTargetCount(n: number): void;
  /** Replaces the info metric when the set of config label names changes (re-add targets after). */
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

  const udpBytes = gauge(
    'dnsheadroom_udp_response_bytes',
    'Size of the UDP answer without EDNS0, as musl receives it.',
    QTYPE,
  );
  const fullBytes = gauge(
    'dnsheadroom_full_response_bytes',
    'Size of the complete answer (over TCP).',
    QTYPE,
  );
  const headroom = gauge(
    'dnsheadroom_headroom_bytes',
    '512 minus the complete answer size; negative once over.',
    QTYPE,
  );
  const truncated = gauge(
    'dnsheadroom_truncated',
    '1 when the UDP answer has TC set (or was cut short without it).',
    QTYPE,
  );
  const udpAddresses = gauge(
    'dnsheadroom_udp_addresses',
    'Addresses a client can read from the UDP answer.',
    QTYPE,
  );
  const fullAddresses = gauge('dnsheadroom_full_addresses', 'Addresses in the complete (TCP) answer.', QTYPE);
  const tcpFallback = gauge(
    'dnsheadroom_tcp_fallback_success',
    '1 when the TCP query for the answering name succeeded.',
    QTYPE,
  );
  const clientAddresses = gauge(
    'dnsheadroom_client_addresses',
    'Addresses getaddrinfo returns, as predicted per C library (0 on error).',
    [...TARGET, 'client'] as const,
  );
  const verdict = gauge(
    'dnsheadroom_verdict',
    'Verdict state set: 1 for the current verdict of the target.',
    [...TARGET, 'verdict'] as const,
  );
  const success = gauge(
    'dnsheadroom_probe_success',
    '1 when the last probe completed (verdict is not error).',
    TARGET,
  );
  const lastProbe = gauge(
    'dnsheadroom_last_probe_timestamp_seconds',
    'When the last probe of the target finished.',
    TARGET,
  );
  const targets = gauge('dnsheadroom_targets', 'Configured targets (name x family x server).', []);
  const infoMetric = (names: readonly string[]) =>
    gauge(
      'dnsheadroom_target_info',
      'Config labels of each target, value 1: join on target, family, server.',
      [...TARGET, ...names],
    );
  let info = infoMetric(infoLabelNames);
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

  const setVerdict = (labels: TargetLabels, current: string) => {
    for (const v of VERDICTS) verdict.set({ ...labels, verdict: v }, v === current ? 1 : 0);
  };
  const removeQtype = (labels: TargetLabels, qtype: Qtype) => {
    for (const g of [udpBytes, fullBytes, headroom, truncated, udpAddresses, fullAddresses, tcpFallback]) {
      g.remove({ ...labels, qtype });
    }
  };

  /** Per target, what the gauges last said (see recordProbe). */
  const lastSignature = new Map<string, string>();

  const services = createServiceMetrics(registry);
  const kube = createKubeMetrics(registry);

  return {
    registry,
    services,
    kube,
    recordProbe(labels, result, assessment, atMs) {
      lastProbe.set(labels, atMs / 1000);
      // Most probes measure what the previous one did. Setting ~25 labelled series costs more than
      // the probe's own arithmetic (prom-client hashes every label set), so skip unchanged rounds.
      const id = `${labels.target}\u0000${labels.family}\u0000${labels.server}`;
      const signature = JSON.stringify([
        assessment.verdict,
        assessment.qtypes,
        CLIENT_NAMES.map((c) => result.clients[c]),
        QTYPES.map((q) => (result.probes[q]?.tcp ? result.probes[q]?.tcp?.ok : null)),
      ]);
      if (lastSignature.get(id) === signature) return;
      lastSignature.set(id, signature);
      const seen = new Set<Qtype>();
      for (const q of assessment.qtypes) {
        seen.add(q.qtype);
        const l = { ...labels, qtype: q.qtype };
        const probe = result.probes[q.qtype];
        // A value we did not measure is removed rather than left stale: alerts must not fire on old data.
        if (q.udpBytes === null) {
          udpBytes.remove(l);
          udpAddresses.remove(l);
          truncated.remove(l);
        } else {
          udpBytes.set(l, q.udpBytes);
          udpAddresses.set(l, q.udpAddresses);
          truncated.set(l, q.truncated || q.malformedSize !== null ? 1 : 0);
        }
        if (q.fullBytes === null) {
          fullBytes.remove(l);
          headroom.remove(l);
        } else {
          fullBytes.set(l, q.fullBytes);
          headroom.set(l, UDP_LIMIT - q.fullBytes);
        }
        if (q.fullAddresses === null) fullAddresses.remove(l);
        else fullAddresses.set(l, q.fullAddresses);
        // Not measured this round (UDP was complete): keep the last measured value.
        if (probe?.tcp) tcpFallback.set(l, probe.tcp.ok ? 1 : 0);
      }
      for (const qtype of QTYPES) if (!seen.has(qtype)) removeQtype(labels, qtype);
      for (const client of CLIENT_NAMES) {
        const outcome = result.clients[client];
        clientAddresses.set({ ...labels, client }, outcome.error === null ? outcome.addresses : 0);
      }
      setVerdict(labels, assessment.verdict);
      success.set(labels, assessment.verdict === 'error' ? 0 : 1);
    },
    recordInternalError(labels) {
      lastSignature.delete(`${labels.target}\u0000${labels.family}\u0000${labels.server}`);
      errors.inc({ reason: 'internal' });
      setVerdict(labels, 'error');
      success.set(labels, 0);
    },
    recordExchange(transport, durationSeconds, failure) {
      queries.inc({ transport });
      duration.observe({ transport }, durationSeconds);
      if (failure !== null) errors.inc({ reason: failure });
    },
    addTarget(labels, infoValues) {
      setVerdict(labels, 'pending');
      info.set({ ...labels, ...infoValues }, 1);
    },
    removeTarget(labels, infoValues) {
      lastSignature.delete(`${labels.target}\u0000${labels.family}\u0000${labels.server}`);
      for (const qtype of QTYPES) removeQtype(labels, qtype);
      for (const client of CLIENT_NAMES) clientAddresses.remove({ ...labels, client });
      for (const v of VERDICTS) verdict.remove({ ...labels, verdict: v });
      success.remove(labels);
      lastProbe.remove(labels);
      info.remove({ ...labels, ...infoValues });
    },
    recordReload(successful, lastSuccessAtMs) {
      reloadOk.set(successful ? 1 : 0);
      if (lastSuccessAtMs !== null) reloadAt.set(lastSuccessAtMs / 1000);
    },
    setTargetCount(n) {
      targets.set(n);
    },
    setInfoLabelNames(names) {
      // prom-client fixes label names at creation: a reload that adds a config label needs a new metric.
      registry.removeSingleMetric('dnsheadroom_target_info');
      info = infoMetric(names);
    },
  };
}
