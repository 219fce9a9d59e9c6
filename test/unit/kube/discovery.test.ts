import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type KubernetesConfig, parseConfig } from '../../../src/config/index.ts';
import {
  ClusterDiscovery,
  type EndpointSliceObject,
  type InformerSource,
  type KubeClient,
  type ServiceObject,
  type WatchSpec,
} from '../../../src/kube/index.ts';
import { createMetrics } from '../../../src/metrics/index.ts';
import { FakeInformer, settle } from './fake-informer.ts';

/** A KubeClient whose informers are fakes, one per watch spec. */
class FakeClient implements KubeClient {
  readonly server = 'https://fake';
  readonly informers = new Map<string, FakeInformer<unknown>>();
  informerSource<T>(spec: WatchSpec): InformerSource<T> {
    const informer = new FakeInformer<T>();
    this.informers.set(JSON.stringify(spec), informer as FakeInformer<unknown>);
    return informer.source();
  }
  of(spec: WatchSpec): FakeInformer<unknown> {
    const informer = this.informers.get(JSON.stringify(spec));
    if (!informer) throw new Error(`no informer for ${JSON.stringify(spec)}`);
    return informer;
  }
}

function kubernetes(section: unknown): KubernetesConfig {
  const parsed = parseConfig({ kubernetes: section });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config.kubernetes;
}

function setup() {
  const client = new FakeClient();
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 't', defaultMetrics: false });
  let changes = 0;
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const discovery = new ClusterDiscovery({
    client,
    metrics,
    log,
    onChange: () => changes++,
    defer: queueMicrotask,
  });
  const series = async (name: string): Promise<Record<string, string | number | undefined>[]> =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => ({
      ...v.labels,
      value: v.value,
    }));
  return { client, discovery, series, changes: () => changes };
}

const SERVICES: WatchSpec = { resource: 'services', namespace: null };
const SLICES: WatchSpec = {
  resource: 'endpointslices',
  namespace: null,
  labelSelector: 'service.kubernetes.io/headless',
};
const DNS_SERVICE: WatchSpec = {
  resource: 'services',
  namespace: 'kube-system',
  fieldSelector: 'metadata.name=kube-dns',
};
const DNS_SLICES: WatchSpec = {
  resource: 'endpointslices',
  namespace: 'kube-system',
  labelSelector: 'kubernetes.io/service-name=kube-dns',
};

const headless = (ns: string, name: string): ServiceObject => ({
  metadata: { namespace: ns, name },
  spec: { clusterIP: 'None', ipFamilies: ['IPv4'] },
});
const slice = (ns: string, service: string, n: number): EndpointSliceObject => ({
  metadata: { namespace: ns, name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: n }, (_, i) => ({
    addresses: [`10.2.0.${i + 1}`],
    conditions: { ready: true },
  })),
});

describe('ClusterDiscovery', () => {
  it('needs the API only when a feature is on', () => {
    expect(ClusterDiscovery.needed(kubernetes({}))).toBe(false);
    expect(ClusterDiscovery.needed(kubernetes({ externalName: { enabled: true } }))).toBe(true);
  });

  it('watches what each feature needs, and nothing once they are off', async () => {
    const { client, discovery } = setup();
    discovery.configure(kubernetes({ dns: { probeEndpoints: true } }));
    expect([...client.informers.keys()].map((k) => JSON.parse(k))).toEqual([DNS_SERVICE, DNS_SLICES]);
    discovery.configure(
      kubernetes({ dns: { probeEndpoints: true }, headless: { enabled: true, labelSelector: 'app=web' } }),
    );
    expect(discovery.watchStates().map((s) => s.resource)).toEqual([
      'dns-service',
      'dns-endpointslices',
      'services',
      'endpointslices',
    ]);
    // Only headless: the label selector goes to the API server.
    expect(client.informers.has(JSON.stringify({ ...SERVICES, labelSelector: 'app=web' }))).toBe(true);
    discovery.configure(kubernetes({}));
    expect(discovery.watchStates()).toEqual([]);
    expect(client.of(DNS_SERVICE).stops).toBe(1);
    await discovery.stop();
  });

  it('finds the DNS servers: the cluster IP and each ready endpoint', async () => {
    const { client, discovery, changes } = setup();
    discovery.configure(kubernetes({ dns: { probeEndpoints: true, maxEndpoints: 2 } }));
    client.of(DNS_SERVICE).change([
      {
        metadata: { namespace: 'kube-system', name: 'kube-dns' },
        spec: { clusterIP: '192.0.2.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      },
    ]);
    client.of(DNS_SLICES).change([
      {
        metadata: {
          namespace: 'kube-system',
          name: 'kube-dns-x',
          labels: { 'kubernetes.io/service-name': 'kube-dns' },
        },
        addressType: 'IPv4',
        endpoints: ['198.51.100.13', '198.51.100.2', '198.51.100.29'].map((a) => ({ addresses: [a] })),
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
      },
    ]);
    await settle();
    expect(discovery.dnsServers()).toEqual([
      { host: '192.0.2.10', port: 53 },
      { host: '198.51.100.2', port: 53 },
      { host: '198.51.100.13', port: 53 },
    ]);
    expect(changes()).toBeGreaterThan(0);
    await discovery.stop();
  });

  it('exports forecasts, probes Services near the limit, and removes the series of a deleted one', async () => {
    const { client, discovery, series, changes } = setup();
    discovery.configure(kubernetes({ headless: { enabled: true } }));
    const services = client.of(SERVICES);
    const slices = client.of(SLICES);
    services.change([headless('default', 'web'), headless('shop', 'db')]);
    slices.change([slice('default', 'web', 25), slice('shop', 'db', 3)]);
    await settle();
    expect(await series('dnsheadroom_service_ready_endpoints')).toEqual([
      { namespace: 'default', service: 'web', qtype: 'A', value: 25 },
      { namespace: 'shop', service: 'db', qtype: 'A', value: 3 },
    ]);
    expect(discovery.targets()).toEqual([]);

    const before = changes();
    slices.change([slice('default', 'web', 35), slice('shop', 'db', 3)]);
    await settle();
    const web = (name: string) => series(name).then((s) => s.find((x) => x.service === 'web')?.value);
    expect(await web('dnsheadroom_service_ready_endpoints')).toBe(35);
    expect(await web('dnsheadroom_service_predicted_bytes')).toBe(607);
    expect(await web('dnsheadroom_service_max_safe_endpoints')).toBe(29);
    expect(discovery.targets()).toEqual([{ name: 'web.default.svc.cluster.local', reason: 'headless' }]);
    expect(discovery.forecasts()[0]).toMatchObject({ service: 'web', probed: true, headroomBytes: -95 });
    expect(changes()).toBe(before + 1);

    services.change([headless('shop', 'db')]);
    await settle();
    expect((await series('dnsheadroom_service_predicted_bytes')).map((s) => s.service)).toEqual(['db']);
    expect(discovery.targets()).toEqual([]);

    discovery.configure(kubernetes({}));
    expect(await series('dnsheadroom_service_predicted_bytes')).toEqual([]);
    await discovery.stop();
  });

  it('turns ExternalName Services into targets, next to the headless ones', async () => {
    const { client, discovery } = setup();
    discovery.configure(kubernetes({ externalName: { enabled: true } }));
    client.of(SERVICES).change([
      {
        metadata: { namespace: 'a', name: 'db' },
        spec: { type: 'ExternalName', externalName: 'db.example.com' },
      },
    ]);
    await settle();
    expect(discovery.targets()).toEqual([{ name: 'db.example.com', reason: 'externalName' }]);
    await discovery.stop();
  });

  it('exports each watch state and counts restarts', async () => {
    const { client, discovery, series } = setup();
    discovery.configure(kubernetes({ headless: { enabled: true } }));
    await settle();
    expect(await series('dnsheadroom_kube_watch_up')).toEqual([
      { resource: 'services', value: 1 },
      { resource: 'endpointslices', value: 1 },
    ]);
    client.of(SERVICES).error(Object.assign(new Error('boom'), { code: 500 }));
    expect((await series('dnsheadroom_kube_watch_up')).find((s) => s.resource === 'services')?.value).toBe(0);
    await discovery.stop();
    expect(DEFAULTS.kubernetes.headless.enabled).toBe(false);
  });
});
