/**
 * The daemon's configuration: the YAML shape people write (`ConfigFile`), the validated value the
 * rest of the daemon reads (`Config`), and every default and limit in one place. The defaults are
 * written in the YAML shape and go through the same validators as a file, as blackbox_exporter's
 * `DefaultModule`/`DefaultDNSProbe` values do (prometheus/blackbox_exporter:config/config.go), so a
 * default can never be a value a user would be refused.
 *
 * Extending: a new section (like `kubernetes`: CoreDNS endpoints, headless-Service forecasts) is a
 * key in `ConfigFile` and `DEFAULTS`, a field in `Config` and one section validator in parse.ts;
 * unknown keys stay rejected everywhere else.
 */
import type { Family, ServerAddress } from '../probe/types.ts';
import { DEFAULT_WARN_BYTES } from '../verdict/index.ts';

/** Log levels, as pino names them (`LevelWithSilent`). */
export const LOG_LEVELS = Object.freeze([
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const);
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** getaddrinfo families a target can be probed with (AF_INET, AF_INET6, AF_UNSPEC). */
export const FAMILIES: readonly Family[] = Object.freeze(['inet', 'inet6', 'unspec'] as const);

/** Per-target settings as written in YAML, under `defaults` (all but `name`) or on a target. */
export interface TargetFile {
  /** The hostname as a pod would write it (relative names go through the resolv.conf search list). */
  name?: string;
  families?: Family[];
  warnBytes?: number;
  /** `HOST[:PORT]` IP literals; empty means the nameservers of `resolvConf`. */
  servers?: string[];
  labels?: Record<string, string>;
}

/** The `kubernetes` section as written (docs/kubernetes.md): every feature off unless enabled. */
export interface KubernetesFile {
  /** Probe every ready endpoint of the cluster DNS Service as well as its cluster IP. */
  dns?: { probeEndpoints?: boolean; service?: string; maxEndpoints?: number };
  /** Size forecasts for headless Services, and real probes of those near the limit. */
  headless?: {
    enabled?: boolean;
    namespaces?: string[];
    labelSelector?: string;
    clusterDomain?: string;
    probeMarginBytes?: number;
    maxServices?: number;
  };
  /** The targets of ExternalName Services as probe targets. */
  externalName?: { enabled?: boolean; max?: number };
}

/** The YAML document, as written: every key optional, durations as strings. */
export interface ConfigFile {
  interval?: string;
  timeout?: string;
  jitter?: number;
  concurrency?: number;
  queriesPerSecond?: number;
  listen?: string;
  logLevel?: LogLevel;
  resolvConf?: string;
  defaults?: Omit<TargetFile, 'name' | 'labels'>;
  /** A target is a mapping, or just its name. */
  targets?: (TargetFile | string)[];
  kubernetes?: KubernetesFile;
}

/**
 * Every default, in the YAML shape (the form docs/configuration.md shows). parse.ts fills a missing
 * key from here by validating this value, so there is no second copy of any default.
 */
export const DEFAULTS = deepFreeze({
  interval: '30s',
  // Per query, like the probe CLI's --timeout: CoreDNS answers a cluster name in well under
  // a millisecond and forwards with a 2 s read timeout (coredns plugin/forward), so 2 s separates
  // "slow" from "lost" without holding a probe slot for long.
  timeout: '2s',
  // Fraction of `interval`: scale-free, and 0.1 is enough to keep every node of a DaemonSet
  // started at the same moment from querying CoreDNS in lockstep.
  jitter: 0.1,
  concurrency: 32,
  // A cap per process, and the daemon is a DaemonSet: CoreDNS sees up to nodes x this. 100 is far
  // above what a few hundred targets need (each probe is a few queries every 30 s) and keeps a
  // 500-node cluster under 50k queries per second to CoreDNS even if every node runs flat out.
  queriesPerSecond: 100,
  // Not CoreDNS's metrics port 9153, health port 8080 or ready port 8181, which run next to us,
  // nor node_exporter's 9100 or blackbox_exporter's 9115. The Prometheus port registry
  // (9100-9999) is full, so any free-looking number is taken on paper by some exporter; 9553
  // echoes DNS's 53 and collides with nothing that runs beside CoreDNS. An empty host listens on
  // every interface and both IPv4 and IPv6 (Node's default), which works in IPv6-only clusters.
  listen: ':9553',
  logLevel: 'info',
  // What pods see: with dnsPolicy ClusterFirst the kubelet writes the cluster DNS service IP, the
  // namespace search list and ndots:5 here.
  resolvConf: '/etc/resolv.conf',
  defaults: {
    // Both A and AAAA in parallel, as getaddrinfo(AF_UNSPEC) does: what most programs ask for.
    families: ['unspec'],
    warnBytes: DEFAULT_WARN_BYTES,
    servers: [],
  },
  targets: [],
  // Every Kubernetes feature is off by default: a daemon started with a file and no cluster (a
  // laptop, the demo, CI) must not go looking for an API server. The deploy/ config turns them on.
  kubernetes: {
    dns: {
      probeEndpoints: false,
      // The Service kubeadm, kops, EKS, GKE and AKS all create for CoreDNS (the name is historical).
      service: 'kube-system/kube-dns',
      // Every endpoint is a `server` label value on every target's series: bounded. Ten covers
      // CoreDNS's autoscaler up to a few thousand nodes; beyond that a sample shows a bad replica.
      maxEndpoints: 10,
    },
    headless: {
      enabled: false,
      namespaces: [],
      labelSelector: '',
      clusterDomain: 'cluster.local',
      // Same threshold as a target's at_risk (DEFAULT_WARN_BYTES): four more A records.
      probeMarginBytes: DEFAULT_WARN_BYTES,
      // 3 metrics x 2 qtypes per Service: 500 Services is 3,000 series per node.
      maxServices: 500,
    },
    externalName: { enabled: false, max: 100 },
  },
} satisfies Required<ConfigFile>);

/** Hard limits, checked by parse.ts and documented in docs/configuration.md. */
export const LIMITS = Object.freeze({
  /**
   * Targets per config. Each target yields series per family x qtype x server x client, so 20,000
   * targets is already a few hundred thousand series per node; beyond that the daemon is the
   * wrong tool (and a ConfigMap is at most 1 MiB anyway).
   */
  maxTargets: 20_000,
  /** Servers in one `servers` list: `server` is a metric label, keep it bounded. */
  maxServers: 16,
  /** Labels on one target. */
  maxLabelsPerTarget: 5,
  /** Distinct label names over all targets: each one becomes a label name on every per-target metric. */
  maxLabelNames: 10,
  /** Characters in a label value. */
  maxLabelValueLength: 128,
  intervalMinMs: 1_000,
  intervalMaxMs: 24 * 3_600_000,
  timeoutMinMs: 10,
  timeoutMaxMs: 60_000,
  jitterMax: 0.5,
  concurrencyMax: 1_024,
  queriesPerSecondMin: 0.1,
  queriesPerSecondMax: 10_000,
  /** Headroom thresholds beyond the UDP limit make no sense (RFC 1035 2.3.4: 512 bytes). */
  warnBytesMax: 512,
  /** `kubernetes.dns.maxEndpoints`: each endpoint is a `server` label value on every target. */
  dnsEndpointsMax: 64,
  /** `kubernetes.headless.namespaces` entries. */
  namespacesMax: 100,
  /** `kubernetes.headless.maxServices`: forecast series per node. */
  headlessServicesMax: 5_000,
  /** `kubernetes.externalName.max`: probe targets from ExternalName Services. */
  externalNamesMax: 1_000,
  /** Characters in `kubernetes.headless.labelSelector`. */
  labelSelectorMaxLength: 1_024,
});

/**
 * Label names a target may not use: the product's own metric labels (PRODUCT.md section 3),
 * `family` (a likely future one), the Service forecast labels, the labels Prometheus attaches at
 * scrape (`job`, `instance`: a clash would be renamed `exported_*`) and the ones the exposition
 * format reserves (`le` for histograms, `quantile` for summaries). Names starting with `__` are
 * reserved by Prometheus itself and refused separately.
 */
export const RESERVED_LABEL_NAMES: readonly string[] = Object.freeze([
  'target',
  'qtype',
  'server',
  'node',
  'client',
  'verdict',
  'transport',
  'reason',
  'family',
  'namespace',
  'service',
  'job',
  'instance',
  'le',
  'quantile',
]);

/** A listen address: `host` null means every interface (IPv4 and IPv6). */
export interface ListenAddress {
  readonly host: string | null;
  readonly port: number;
}

/** One target with every default filled in. */
export interface TargetConfig {
  /** As written (a trailing dot makes it absolute: no search list). */
  readonly name: string;
  /** At least one, no duplicates, in the order written. */
  readonly families: readonly Family[];
  readonly warnBytes: number;
  /** Empty: ask each nameserver of `Config.resolvConf`. */
  readonly servers: readonly ServerAddress[];
  /** Extra metric labels, keys sorted. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A namespaced object: `NAMESPACE/NAME` in YAML. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** The validated `kubernetes` section. */
export interface KubernetesConfig {
  readonly dns: {
    readonly probeEndpoints: boolean;
    readonly service: ObjectRef;
    readonly maxEndpoints: number;
  };
  readonly headless: {
    readonly enabled: boolean;
    /** Empty: every namespace. */
    readonly namespaces: readonly string[];
    /** As written; '' selects every Service. */
    readonly labelSelector: string;
    /** Without trailing dot. */
    readonly clusterDomain: string;
    readonly probeMarginBytes: number;
    readonly maxServices: number;
  };
  readonly externalName: { readonly enabled: boolean; readonly max: number };
  /** Families and warnBytes of the targets discovered here: the config's `defaults`. */
  readonly discovered: { readonly families: readonly Family[]; readonly warnBytes: number };
}

/** The validated, deep-frozen configuration the daemon runs on. */
export interface Config {
  readonly intervalMs: number;
  /** Per DNS query. Always less than `intervalMs`. */
  readonly timeoutMs: number;
  /** Fraction of the interval, 0 to 0.5. */
  readonly jitter: number;
  /** Probes in flight at most. */
  readonly concurrency: number;
  /** Budget for all DNS queries this process sends. */
  readonly queriesPerSecond: number;
  readonly listen: ListenAddress;
  readonly logLevel: LogLevel;
  /** Path of the resolv.conf whose search list, ndots and (by default) nameservers apply. */
  readonly resolvConf: string;
  readonly targets: readonly TargetConfig[];
  readonly kubernetes: KubernetesConfig;
}

/** Freezes a plain value and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner, seen);
  return value;
}
