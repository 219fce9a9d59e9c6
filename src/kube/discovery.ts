/**
 * What the daemon learns from the cluster, kept current by watches: the cluster DNS servers to
 * probe one by one (its cluster IPs and ready endpoints), forecasts for headless Services (and the
 * names near the limit to probe for real), and ExternalName targets. Which watches run follows the
 * `kubernetes` config section; each runs only while a feature needs it, so the RBAC a feature needs
 * is exactly what it uses (docs/kubernetes.md).
 *
 * Watches, by `resource` label:
 *  - `dns-service`, `dns-endpointslices`: the DNS Service (field selector on its name) and its
 *    slices (label `kubernetes.io/service-name`), in its namespace only.
 *  - `services`: every Service, cluster-wide (the label selector goes to the API server when only
 *    headless forecasts need it).
 *  - `endpointslices`: slices of headless Services only, cluster-wide (label
 *    `service.kubernetes.io/headless`, which the EndpointSlice controller sets, kubernetes
 *    staging/src/k8s.io/endpointslice/utils.go `setEndpointSliceLabels`).
 *
 * Every change is recomputed from the caches (pure functions in endpoints.ts and headless.ts),
 * coalesced so a relist of thousands of objects costs one computation.
 */
import type { KubernetesConfig } from '../config/index.ts';
import type { KubeMetrics, ServiceMetrics } from '../metrics/index.ts';
import { formatServerAddress } from '../probe/server-address.ts';
import type { ServerAddress } from '../probe/types.ts';
import type { BackoffOptions, DelayFn } from './backoff.ts';
import type { KubeClient, WatchSpec } from './client.ts';
import { dnsServers } from './endpoints.ts';
import type { ServiceForecast } from './forecast.ts';
import { externalNames, headlessForecasts, namesToProbe } from './headless.ts';
import { parseLabelSelector } from './label-selector.ts';
import {
  type EndpointSliceObject,
  HEADLESS_LABEL,
  objectKey,
  SERVICE_NAME_LABEL,
  type ServiceObject,
} from './objects.ts';
import { ResilientWatch, type WatchLog, type WatchState } from './watch.ts';

/** The log methods used; a pino logger fits. */
export interface DiscoveryLog extends WatchLog {
  error(obj: object, msg: string): void;
}

/** Options of `ClusterDiscovery`. */
export interface DiscoveryOptions {
  readonly client: KubeClient;
  readonly metrics: { readonly services: ServiceMetrics; readonly kube: KubeMetrics };
  readonly log: DiscoveryLog;
  /** The DNS servers or the discovered target names changed. */
  readonly onChange: () => void;
  readonly delay?: DelayFn;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  /** Runs `fn` soon, once per burst of changes. Default setImmediate. */
  readonly defer?: (fn: () => void) => void;
}

/** A target found in the cluster. */
export interface DiscoveredTarget {
  readonly name: string;
  readonly reason: 'headless' | 'externalName';
}

/** A forecast, and whether its name is probed for real. */
export interface ForecastEntry extends ServiceForecast {
  readonly probed: boolean;
}

interface Running {
  readonly specKey: string;
  readonly watch: ResilientWatch<unknown>;
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Watches the cluster per the config; constructing it starts nothing, `configure()` does. */
export class ClusterDiscovery {
  readonly #options: DiscoveryOptions;
  readonly #watches = new Map<string, Running>();
  #config: KubernetesConfig | null = null;
  #dnsServers: readonly ServerAddress[] = EMPTY;
  #targets: readonly DiscoveredTarget[] = EMPTY;
  #forecasts: readonly ForecastEntry[] = EMPTY;
  #probed: ReadonlySet<string> = new Set();
  #published = new Set<string>();
  #scheduled = false;
  #stopped = false;
  #notes = { dnsEndpointsOmitted: 0, servicesOmitted: 0, externalNamesOmitted: 0 };

  constructor(options: DiscoveryOptions) {
    this.#options = options;
  }

  /** Whether any feature of `config` needs the API. */
  static needed(config: KubernetesConfig): boolean {
    return config.dns.probeEndpoints || config.headless.enabled || config.externalName.enabled;
  }

  /** Starts, keeps or stops watches to match `config`, then recomputes. */
  configure(config: KubernetesConfig): void {
    if (this.#stopped) return;
    this.#config = config;
    const wanted = new Map<string, WatchSpec>();
    const { dns, headless, externalName } = config;
    if (dns.probeEndpoints) {
      wanted.set('dns-service', {
        resource: 'services',
        namespace: dns.service.namespace,
        fieldSelector: `metadata.name=${dns.service.name}`,
      });
      wanted.set('dns-endpointslices', {
        resource: 'endpointslices',
        namespace: dns.service.namespace,
        labelSelector: `${SERVICE_NAME_LABEL}=${dns.service.name}`,
      });
    }
    if (headless.enabled || externalName.enabled) {
      const serverSide = headless.enabled && !externalName.enabled && headless.labelSelector !== '';
      wanted.set('services', {
        resource: 'services',
        namespace: null,
        ...(serverSide ? { labelSelector: headless.labelSelector } : {}),
      });
    }
    if (headless.enabled) {
      wanted.set('endpointslices', {
        resource: 'endpointslices',
        namespace: null,
        labelSelector: HEADLESS_LABEL,
      });
    }
    for (const [resource, running] of [...this.#watches]) {
      const spec = wanted.get(resource);
      if (spec === undefined || JSON.stringify(spec) !== running.specKey) this.#stopWatch(resource);
    }
    for (const [resource, spec] of wanted) {
      if (!this.#watches.has(resource)) this.#startWatch(resource, spec);
    }
    this.#recompute();
  }

  /** Cluster DNS servers to probe besides resolv.conf's: its cluster IPs and ready endpoints. */
  dnsServers(): readonly ServerAddress[] {
    return this.#dnsServers;
  }

  /** Names to probe: headless Services near the limit, ExternalName targets. */
  targets(): readonly DiscoveredTarget[] {
    return this.#targets;
  }

  /** Headless Service forecasts, worst first. */
  forecasts(): readonly ForecastEntry[] {
    return this.#forecasts;
  }

  /** Every running watch's state. */
  watchStates(): readonly WatchState[] {
    return [...this.#watches.values()].map((r) => r.watch.state());
  }

  /** Stops every watch and removes the forecast series. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const resources = [...this.#watches.keys()];
    await Promise.all(resources.map((r) => this.#stopWatch(r)));
    for (const key of this.#published) this.#options.metrics.services.remove(splitKey(key));
    this.#published.clear();
  }

  #startWatch(resource: string, spec: WatchSpec): void {
    const { kube } = this.#options.metrics;
    const watch = new ResilientWatch<unknown>({
      resource,
      source: this.#options.client.informerSource<unknown>(spec),
      log: this.#options.log,
      onChange: () => this.#schedule(),
      onState: (state) => kube.recordWatch(state),
      ...(this.#options.delay ? { delay: this.#options.delay } : {}),
      ...(this.#options.random ? { random: this.#options.random } : {}),
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
    });
    this.#watches.set(resource, { specKey: JSON.stringify(spec), watch });
    watch.start();
    kube.recordWatch(watch.state());
  }

  #stopWatch(resource: string): Promise<void> {
    const running = this.#watches.get(resource);
    this.#watches.delete(resource);
    this.#options.metrics.kube.removeWatch(resource);
    return running ? running.watch.stop() : Promise.resolve();
  }

  #list<T>(resource: string): readonly T[] {
    return (this.#watches.get(resource)?.watch.list() ?? EMPTY) as readonly T[];
  }

  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    (this.#options.defer ?? setImmediate)(() => {
      this.#scheduled = false;
      if (!this.#stopped) this.#recompute();
    });
  }

  /** Recomputes everything from the caches; tells the daemon when servers or targets changed. */
  #recompute(): void {
    const config = this.#config;
    if (config === null) return;
    try {
      const before = JSON.stringify([this.#dnsServers.map(formatServerAddress), this.#targets]);
      this.#computeDns(config);
      this.#computeServices(config);
      const after = JSON.stringify([this.#dnsServers.map(formatServerAddress), this.#targets]);
      if (after !== before) this.#options.onChange();
    } catch (err) {
      // A bug must not stop the watches or the daemon: log it and keep the last results.
      this.#options.log.error({ err }, 'kubernetes discovery failed to recompute');
    }
  }

  #computeDns(config: KubernetesConfig): void {
    if (!config.dns.probeEndpoints) {
      this.#dnsServers = EMPTY;
      return;
    }
    const { namespace, name } = config.dns.service;
    const service = this.#list<ServiceObject>('dns-service').find(
      (s) => s.metadata?.name === name && s.metadata?.namespace === namespace,
    );
    const slices = this.#list<EndpointSliceObject>('dns-endpointslices').filter(
      (s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name && s.metadata?.namespace === namespace,
    );
    const found = dnsServers(service, slices, config.dns.maxEndpoints);
    const unique = new Map<string, ServerAddress>();
    for (const s of [...found.serviceIps, ...found.endpoints]) unique.set(formatServerAddress(s), s);
    this.#dnsServers = Object.freeze([...unique.values()]);
    if (found.omitted !== this.#notes.dnsEndpointsOmitted && found.omitted > 0) {
      this.#options.log.warn(
        { service: `${namespace}/${name}`, omitted: found.omitted, maxEndpoints: config.dns.maxEndpoints },
        'more ready DNS endpoints than kubernetes.dns.maxEndpoints; probing the first ones only',
      );
    }
    this.#notes.dnsEndpointsOmitted = found.omitted;
  }

  #computeServices(config: KubernetesConfig): void {
    const services = this.#list<ServiceObject>('services');
    const targets: DiscoveredTarget[] = [];
    if (config.headless.enabled) {
      const selector = parseLabelSelector(config.headless.labelSelector);
      const view = headlessForecasts(services, this.#list<EndpointSliceObject>('endpointslices'), {
        namespaces: config.headless.namespaces,
        labelSelector: selector.ok ? selector.selector : [],
        clusterDomain: config.headless.clusterDomain,
        probeMarginBytes: config.headless.probeMarginBytes,
        maxServices: config.headless.maxServices,
      });
      const probed = new Set(namesToProbe(view.forecasts, config.headless.probeMarginBytes, this.#probed));
      this.#probed = probed;
      this.#forecasts = Object.freeze(view.forecasts.map((f) => ({ ...f, probed: probed.has(f.name) })));
      for (const name of probed) targets.push({ name, reason: 'headless' });
      if (view.omitted !== this.#notes.servicesOmitted && view.omitted > 0) {
        this.#options.log.warn(
          { omitted: view.omitted, maxServices: config.headless.maxServices },
          'more headless Services than kubernetes.headless.maxServices; forecasting those closest to the limit',
        );
      }
      this.#notes.servicesOmitted = view.omitted;
    } else {
      this.#forecasts = EMPTY;
      this.#probed = new Set();
    }
    this.#publishForecasts();
    if (config.externalName.enabled) {
      const found = externalNames(services, config.externalName.max);
      const already = new Set(targets.map((t) => t.name));
      for (const name of found.names) if (!already.has(name)) targets.push({ name, reason: 'externalName' });
      if (found.omitted !== this.#notes.externalNamesOmitted && found.omitted > 0) {
        this.#options.log.warn(
          { omitted: found.omitted, max: config.externalName.max },
          'more ExternalName targets than kubernetes.externalName.max; probing the first ones by name',
        );
      }
      this.#notes.externalNamesOmitted = found.omitted;
    }
    this.#targets = Object.freeze(targets);
  }

  /** Sets the forecast series and removes those of Services no longer forecast. */
  #publishForecasts(): void {
    const { services } = this.#options.metrics;
    const next = new Set<string>();
    for (const f of this.#forecasts) {
      const key = objectKey({ metadata: { namespace: f.namespace, name: f.service } });
      next.add(key);
      services.set({ namespace: f.namespace, service: f.service }, f.qtypes);
    }
    for (const key of this.#published) if (!next.has(key)) services.remove(splitKey(key));
    this.#published = next;
  }
}

function splitKey(key: string): { namespace: string; service: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), service: key.slice(slash + 1) };
}
