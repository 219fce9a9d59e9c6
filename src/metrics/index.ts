/** Prometheus metrics of dns-headroom. */
export {
  createMetrics,
  DURATION_BUCKETS,
  type Metrics,
  type MetricsOptions,
  type TargetLabels,
} from './metrics.ts';
export { withExchangeMetrics } from './transport.ts';
