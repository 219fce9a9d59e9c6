/**
 * The Kubernetes watches' health: whether each is connected, and how often it had to be restarted
 * after an API error (the informer stops on those; kube/watch.ts restarts it). `resource` names the
 * watch (`configmap`, `dns-service`, `dns-endpointslices`, `services`, `endpointslices`): a fixed,
 * small set.
 */
import { Counter, Gauge, type Registry } from './prom-client.ts';

/** What the metrics need of a watch's state (kube/watch.ts `WatchState` fits). */
export interface WatchStateValues {
  readonly resource: string;
  readonly phase: string;
  readonly restarts: number;
}

/** Writes the watch series. */
export interface KubeMetrics {
  /** Reflects a watch's state; the restart counter grows by the restarts not yet counted. */
  recordWatch(state: WatchStateValues): void;
  /** Removes a watch that was stopped by a config change. */
  removeWatch(resource: string): void;
}

/** Registers the watch metrics on `registry`. */
export function createKubeMetrics(registry: Registry): KubeMetrics {
  const registers = [registry];
  const up = new Gauge<'resource'>({
    name: 'dnsheadroom_kube_watch_up',
    help: '1 while the Kubernetes watch is connected, 0 while it is starting or retrying after an error.',
    labelNames: ['resource'],
    registers,
  });
  const restarts = new Counter<'resource'>({
    name: 'dnsheadroom_kube_watch_restarts_total',
    help: 'Restarts of the Kubernetes watch after an API error.',
    labelNames: ['resource'],
    registers,
  });
  const counted = new Map<string, number>();
  return {
    recordWatch(state) {
      const resource = state.resource;
      up.set({ resource }, state.phase === 'connected' ? 1 : 0);
      // A watch replaced by a config change starts counting from 0 again: count all of its restarts.
      const before = counted.get(resource);
      const fresh = before === undefined || state.restarts < before;
      restarts.inc({ resource }, fresh ? state.restarts : state.restarts - before);
      counted.set(resource, state.restarts);
    },
    removeWatch(resource) {
      up.remove({ resource });
      restarts.remove({ resource });
      counted.delete(resource);
    },
  };
}
