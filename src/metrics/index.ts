/** Prometheus metrics of dns-headroom. */

export { createKubeMetrics, type KubeMetrics, type WatchStateValues } from './kube.ts';
export {
  createMetrics,
  DURATION_BUCKETS,
  type Metrics,
  type MetricsOptions,
  type TargetLabels,
} from './metrics.ts';
export { FastRegistry } from './registry.ts';
export {
  createServiceMetrics,
  type ServiceLabels,
  type ServiceMetrics,
  type ServiceQtypeValues,
} from './service.ts';
export { withExchangeMetrics } from './transport.ts';
