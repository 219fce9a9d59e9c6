/**
 * Per-target series kept as one small record per target and turned into samples only when
 * Prometheus scrapes. prom-client's labelled gauges keep a hashed label set and value object per
 * series: with ~26 series per target that was about half of the daemon's heap per target and a
 * visible share of its CPU (every probe re-hashed every label set). Here a probe updates a record;
 * the exposition is built from the records on scrape.
 */

import { CLIENT_NAMES } from '../clients/types.ts';
import type { Qtype } from '../probe/types.ts';
import { UDP_LIMIT } from '../probe/types.ts';
import { VERDICTS } from '../verdict/index.ts';
import type { Registry } from './prom-client.ts';

/** Identifies one probed target in every per-target series. */
export interface TargetLabels {
  readonly target: string;
  readonly family: string;
  readonly server: string;
}

/** What one answer (qtype) of a target last measured; null where it was not measured. */
export interface QtypeRecord {
  readonly udpBytes: number | null;
  readonly udpAddresses: number | null;
  readonly truncated: 0 | 1 | null;
  readonly fullBytes: number | null;
  readonly fullAddresses: number | null;
  /** Last measured TCP result; kept across rounds that did not ask TCP. */
  readonly tcp: 0 | 1 | null;
}

/** Everything the per-target series of one target say. */
export interface TargetRecord {
  readonly labels: TargetLabels;
  info: Readonly<Record<string, string>>;
  /** `pending` before the first probe: the verdict state set is all zeros then. */
  verdict: string;
  success: 0 | 1 | null;
  lastProbeSeconds: number | null;
  /** Per client, in CLIENT_NAMES order; null before the first probe. */
  clients: readonly number[] | null;
  qtypes: ReadonlyMap<Qtype, QtypeRecord>;
}

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A metric prom-client's registry can expose, whose samples are computed at scrape time. */
interface ScrapeTimeGauge {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly aggregator: 'sum';
  readonly labelNames: readonly string[];
  get(): Promise<{ name: string; help: string; type: 'gauge'; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

function scrapeTimeGauge(
  name: string,
  help: string,
  labelNames: () => readonly string[],
  samples: () => Sample[],
): ScrapeTimeGauge {
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    get labelNames() {
      return labelNames();
    },
    get: async () => ({ name, help, type: 'gauge', aggregator: 'sum', values: samples() }),
    reset: () => {},
  };
}

const TARGET = ['target', 'family', 'server'] as const;
const QTYPE = [...TARGET, 'qtype'] as const;

/** The table of target records and the series it exposes. */
export class TargetSeries {
  readonly #records = new Map<string, TargetRecord>();
  #infoNames: readonly string[];

  constructor(registry: Registry, infoNames: readonly string[]) {
    this.#infoNames = infoNames;
    const perQtype = (name: string, help: string, pick: (q: QtypeRecord) => number | null) =>
      scrapeTimeGauge(
        name,
        help,
        () => QTYPE,
        () => {
          const out: Sample[] = [];
          for (const r of this.#records.values()) {
            for (const [qtype, q] of r.qtypes) {
              const value = pick(q);
              if (value !== null) out.push({ labels: { ...r.labels, qtype }, value });
            }
          }
          return out;
        },
      );
    const perTarget = (name: string, help: string, pick: (r: TargetRecord) => number | null) =>
      scrapeTimeGauge(
        name,
        help,
        () => TARGET,
        () => {
          const out: Sample[] = [];
          for (const r of this.#records.values()) {
            const value = pick(r);
            if (value !== null) out.push({ labels: { ...r.labels }, value });
          }
          return out;
        },
      );
    const metrics: ScrapeTimeGauge[] = [
      perQtype(
        'dnsheadroom_udp_response_bytes',
        'Size of the UDP answer without EDNS0, as musl receives it.',
        (q) => q.udpBytes,
      ),
      perQtype(
        'dnsheadroom_full_response_bytes',
        'Size of the complete answer (over TCP).',
        (q) => q.fullBytes,
      ),
      perQtype(
        'dnsheadroom_headroom_bytes',
        '512 minus the complete answer size; negative once over.',
        (q) => (q.fullBytes === null ? null : UDP_LIMIT - q.fullBytes),
      ),
      perQtype(
        'dnsheadroom_truncated',
        '1 when the UDP answer has TC set (or was cut short without it).',
        (q) => q.truncated,
      ),
      perQtype(
        'dnsheadroom_udp_addresses',
        'Addresses a client can read from the UDP answer.',
        (q) => q.udpAddresses,
      ),
      perQtype(
        'dnsheadroom_full_addresses',
        'Addresses in the complete (TCP) answer.',
        (q) => q.fullAddresses,
      ),
      perQtype(
        'dnsheadroom_tcp_fallback_success',
        '1 when the TCP query for the answering name succeeded.',
        (q) => q.tcp,
      ),
      scrapeTimeGauge(
        'dnsheadroom_client_addresses',
        'Addresses getaddrinfo returns, as predicted per C library (0 on error).',
        () => [...TARGET, 'client'],
        () => {
          const out: Sample[] = [];
          for (const r of this.#records.values()) {
            if (r.clients === null) continue;
            CLIENT_NAMES.forEach((client, i) => {
              out.push({ labels: { ...r.labels, client }, value: r.clients?.[i] ?? 0 });
            });
          }
          return out;
        },
      ),
      scrapeTimeGauge(
        'dnsheadroom_verdict',
        'Verdict state set: 1 for the current verdict of the target.',
        () => [...TARGET, 'verdict'],
        () => {
          const out: Sample[] = [];
          for (const r of this.#records.values()) {
            for (const verdict of VERDICTS) {
              out.push({ labels: { ...r.labels, verdict }, value: verdict === r.verdict ? 1 : 0 });
            }
          }
          return out;
        },
      ),
      perTarget(
        'dnsheadroom_probe_success',
        '1 when the last probe completed (verdict is not error).',
        (r) => r.success,
      ),
      perTarget(
        'dnsheadroom_last_probe_timestamp_seconds',
        'When the last probe of the target finished.',
        (r) => r.lastProbeSeconds,
      ),
      scrapeTimeGauge(
        'dnsheadroom_target_info',
        'Config labels of each target, value 1: join on target, family, server.',
        () => [...TARGET, ...this.#infoNames],
        () => {
          const out: Sample[] = [];
          for (const r of this.#records.values()) {
            const labels: Record<string, string> = { ...r.labels };
            for (const name of this.#infoNames) labels[name] = r.info[name] ?? '';
            out.push({ labels, value: 1 });
          }
          return out;
        },
      ),
    ];
    for (const metric of metrics)
      registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The record of a target, created (pending) when it is new. */
  record(labels: TargetLabels): TargetRecord {
    const id = idOf(labels);
    let r = this.#records.get(id);
    if (!r) {
      r = {
        labels: { target: labels.target, family: labels.family, server: labels.server },
        info: {},
        verdict: 'pending',
        success: null,
        lastProbeSeconds: null,
        clients: null,
        qtypes: new Map(),
      };
      this.#records.set(id, r);
    }
    return r;
  }

  /** Drops a target and every series it had. */
  remove(labels: TargetLabels): void {
    this.#records.delete(idOf(labels));
  }

  /** Sets the config label names of the info metric (a reload may add or drop some). */
  setInfoNames(names: readonly string[]): void {
    this.#infoNames = names;
  }
}

function idOf(labels: TargetLabels): string {
  return `${labels.target}\u0000${labels.family}\u0000${labels.server}`;
}
