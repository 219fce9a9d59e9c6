/**
 * Headless Service forecasts as metrics (PRODUCT.md section 3): ready endpoints, the predicted
 * answer size and the most endpoints that still fit, per `namespace`, `service` and `qtype`.
 * Bounded by `kubernetes.headless.maxServices`; a Service that is deleted or leaves the selection
 * has its series removed (STYLE.md section 8), so a dashboard never shows a ghost.
 */

import type { Qtype } from '../probe/types.ts';
import { Gauge, type Registry } from './prom-client.ts';

/** Identifies one Service in the forecast series. */
export interface ServiceLabels {
  readonly namespace: string;
  readonly service: string;
}

/** One answer's forecast, as the metrics need it. */
export interface ServiceQtypeValues {
  readonly qtype: Qtype;
  readonly readyEndpoints: number;
  readonly predictedBytes: number;
  readonly maxSafeEndpoints: number;
}

/** Writes the forecast series. */
export interface ServiceMetrics {
  /** Sets a Service's series; qtypes not listed are removed. */
  set(labels: ServiceLabels, qtypes: readonly ServiceQtypeValues[]): void;
  /** Removes every series of a Service. */
  remove(labels: ServiceLabels): void;
}

const LABELS = ['namespace', 'service', 'qtype'] as const;
const QTYPES: readonly Qtype[] = ['A', 'AAAA'];

/** Registers the three forecast gauges on `registry`. */
export function createServiceMetrics(registry: Registry): ServiceMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string) =>
    new Gauge<(typeof LABELS)[number]>({ name, help, labelNames: [...LABELS], registers });
  const ready = gauge(
    'dnsheadroom_service_ready_endpoints',
    'Ready endpoints of a headless Service (distinct addresses of the qtype family).',
  );
  const predicted = gauge(
    'dnsheadroom_service_predicted_bytes',
    'Predicted size of the answer for <service>.<namespace>.svc.<cluster domain> with the ready endpoints.',
  );
  const maxSafe = gauge(
    'dnsheadroom_service_max_safe_endpoints',
    'Most ready endpoints whose answer still fits in 512 bytes.',
  );
  const all = [ready, predicted, maxSafe];
  return {
    set(labels, qtypes) {
      const seen = new Set<Qtype>();
      for (const q of qtypes) {
        seen.add(q.qtype);
        const l = { ...labels, qtype: q.qtype };
        ready.set(l, q.readyEndpoints);
        predicted.set(l, q.predictedBytes);
        maxSafe.set(l, q.maxSafeEndpoints);
      }
      for (const qtype of QTYPES) {
        if (!seen.has(qtype)) for (const g of all) g.remove({ ...labels, qtype });
      }
    },
    remove(labels) {
      for (const qtype of QTYPES) for (const g of all) g.remove({ ...labels, qtype });
    },
  };
}
