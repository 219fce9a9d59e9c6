import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createKubeMetrics, createServiceMetrics } from '../../../src/metrics/index.ts';

async function values(registry: Registry, name: string) {
  return ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => ({
    ...v.labels,
    value: v.value,
  }));
}

describe('kube watch metrics', () => {
  it('counts each restart once, and all of them for a watch replaced by a new one', async () => {
    const registry = new Registry();
    const kube = createKubeMetrics(registry);
    kube.recordWatch({ resource: 'services', phase: 'starting', restarts: 0 });
    kube.recordWatch({ resource: 'services', phase: 'retrying', restarts: 2 });
    kube.recordWatch({ resource: 'services', phase: 'connected', restarts: 2 });
    expect(await values(registry, 'dnsheadroom_kube_watch_restarts_total')).toEqual([
      { resource: 'services', value: 2 },
    ]);
    expect(await values(registry, 'dnsheadroom_kube_watch_up')).toEqual([{ resource: 'services', value: 1 }]);
    // A new watch under the same name starts from 0.
    kube.recordWatch({ resource: 'services', phase: 'retrying', restarts: 1 });
    expect(await values(registry, 'dnsheadroom_kube_watch_restarts_total')).toEqual([
      { resource: 'services', value: 3 },
    ]);
    kube.removeWatch('services');
    expect(await values(registry, 'dnsheadroom_kube_watch_up')).toEqual([]);
    expect(await values(registry, 'dnsheadroom_kube_watch_restarts_total')).toEqual([]);
  });
});

describe('service forecast metrics', () => {
  it('sets the qtypes given and removes the others', async () => {
    const registry = new Registry();
    const services = createServiceMetrics(registry);
    const labels = { namespace: 'shop', service: 'web' };
    services.set(labels, [
      { qtype: 'A', readyEndpoints: 27, predictedBytes: 476, maxSafeEndpoints: 29 },
      { qtype: 'AAAA', readyEndpoints: 27, predictedBytes: 800, maxSafeEndpoints: 16 },
    ]);
    services.set(labels, [{ qtype: 'A', readyEndpoints: 28, predictedBytes: 492, maxSafeEndpoints: 29 }]);
    expect(await values(registry, 'dnsheadroom_service_predicted_bytes')).toEqual([
      { namespace: 'shop', service: 'web', qtype: 'A', value: 492 },
    ]);
    services.remove(labels);
    expect(await values(registry, 'dnsheadroom_service_ready_endpoints')).toEqual([]);
  });
});
