/**
 * Kubernetes: the ConfigMap config source, CoreDNS endpoint discovery, headless Service forecasts
 * and ExternalName targets, over watches that survive API errors. Nothing here imports
 * `@kubernetes/client-node` at load time (client.ts loads it on first connection).
 */
export { type BackoffOptions, backoffDelayMs, DEFAULT_BACKOFF, type DelayFn, realDelay } from './backoff.ts';
export {
  connectKube,
  type KubeClient,
  type KubeConnectOptions,
  type KubeConnectResult,
  type WatchedResource,
  type WatchSpec,
} from './client.ts';
export {
  type ConfigMapRef,
  ConfigMapSource,
  type ConfigMapSourceOptions,
  type ConfigMapStart,
  configMapSourceName,
  DEFAULT_CONFIGMAP_KEY,
  DEFAULT_CONFIGMAP_START_TIMEOUT_MS,
  parseConfigMapRef,
} from './configmap-source.ts';
export {
  ClusterDiscovery,
  type DiscoveredTarget,
  type DiscoveryLog,
  type DiscoveryOptions,
  type ForecastEntry,
} from './discovery.ts';
export {
  DNS_PORT,
  type DnsServers,
  dnsPortOf,
  dnsServers,
  type ReadyAddresses,
  readyAddresses,
} from './endpoints.ts';
export {
  forecastAnswer,
  forecastService,
  predictClients,
  type QtypeForecast,
  type RecordCounts,
  type ServiceForecast,
  type ServiceForecastInput,
  serviceDnsName,
} from './forecast.ts';
export {
  type ExternalNames,
  externalNames,
  type HeadlessSettings,
  type HeadlessView,
  headlessForecasts,
  isHeadless,
  namesToProbe,
  PROBE_HYSTERESIS_BYTES,
  slicesByService,
} from './headless.ts';
export {
  type LabelRequirement,
  type LabelSelector,
  matchesLabels,
  parseLabelSelector,
  type SelectorParse,
} from './label-selector.ts';
export {
  type ConfigMapObject,
  type EndpointObject,
  type EndpointSliceObject,
  HEADLESS_LABEL,
  type KubeObject,
  type ObjectMeta,
  objectKey,
  SERVICE_NAME_LABEL,
  type ServiceObject,
  type ServicePortObject,
} from './objects.ts';
export {
  describeApiError,
  type InformerHooks,
  type InformerLike,
  type InformerSource,
  ResilientWatch,
  type ResilientWatchOptions,
  type WatchLog,
  type WatchPhase,
  type WatchState,
} from './watch.ts';
