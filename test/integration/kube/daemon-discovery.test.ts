/**
 * The daemon's Kubernetes features against the test API server, with DNS answered by the lab:
 * - each ready CoreDNS endpoint and the Service IP are probed as servers of their own, so one bad
 *   replica shows up by itself;
 * - a headless Service scaling from 25 to 35 ready endpoints moves its forecast series (max safe
 *   stays 29 for a name under default.svc.cluster.local), becomes a probe target once its headroom
 *   is under the margin, and the real probe's complete answer equals the forecast;
 * - deleting the Service removes its series and its target;
 * - an ExternalName Service's target is probed.
 * Servers on port 53 (resolv.conf, cluster IPs, endpoints) are redirected to the lab on loopback.
 */
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { type LabAddresses, LabServer, SCENARIOS, type Scenario } from '../../../src/lab/index.ts';
import { createNetTransport, type ServerAddress } from '../../../src/probe/index.ts';
import {
  endpointSlice,
  KubeApiServer,
  podAddresses,
  service,
  writeKubeconfig,
} from '../../helpers/kube-api-server/index.ts';
import { waitFor } from '../../helpers/wait.ts';
import { metricValue, redirectTransport, startDaemon } from './daemon-helpers.ts';

/** A headless name whose A count the test sets through the lab's clock (one record per second). */
const WEB: Scenario = {
  ...(SCENARIOS.find((s) => s.id === 'headless-growth') as Scenario),
  id: 'web-default',
  name: 'web.default.svc.cluster.local',
  a: 25,
  growth: { start: 25, max: 35, growEverySeconds: 1 },
};
let labMs = 0;
const labClock = { monotonicMs: () => labMs, nowMs: () => Date.now() };

let lab: LabServer;
let labAddr: LabAddresses;
let api: KubeApiServer;
let dir: string;
let d: Awaited<ReturnType<typeof startDaemon>>;
let closedPort: number;

const WEB_LABELS = { namespace: 'default', service: 'web', qtype: 'A' };

beforeAll(async () => {
  lab = new LabServer({
    address: '127.0.0.1',
    port: 0,
    clock: labClock,
    scenarios: [...SCENARIOS.filter((s) => s.id !== 'headless-growth'), WEB],
  });
  labAddr = await lab.start();
  // A port nobody listens on: the "bad replica".
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  closedPort = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));

  api = new KubeApiServer({ token: 'test-token' });
  await api.start();
  dir = await mkdtemp(join(tmpdir(), 'dnsh-kube-disc-'));
  const kubeconfigPath = await writeKubeconfig(dir, api.url);
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');

  // Cluster DNS: Service IP 127.0.0.10, endpoints .11 (good) and .12 (bad), plus a not-ready one.
  api.apply('services', service('kube-system', 'kube-dns', { clusterIP: '127.0.0.10' }));
  api.apply(
    'endpointslices',
    endpointSlice('kube-system', 'kube-dns-abc', 'kube-dns', ['127.0.0.11', '127.0.0.12', '127.0.0.13'], {
      notReady: [2],
    }),
  );
  api.apply('services', service('default', 'web', { headless: true }));
  api.apply('endpointslices', endpointSlice('default', 'web-1', 'web', podAddresses(25), { headless: true }));
  api.apply('services', service('shop', 'db', { headless: true }));
  api.apply('endpointslices', endpointSlice('shop', 'db-1', 'db', podAddresses(3), { headless: true }));
  api.apply('services', service('shop', 'api', { clusterIP: '192.0.2.11' }));
  api.apply('services', service('shop', 'legacy', { externalName: 'near.lab.test' }));

  const lab53 = labAddr.main;
  const map = new Map<string, ServerAddress>([
    ['127.0.0.1:53', lab53],
    ['127.0.0.10:53', lab53],
    ['127.0.0.11:53', lab53],
    ['127.0.0.12:53', { host: '127.0.0.1', port: closedPort }],
  ]);
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      'interval: 1s',
      'timeout: 300ms',
      'jitter: 0',
      `resolvConf: ${join(dir, 'resolv.conf')}`,
      'targets: [fits.lab.test]',
      'kubernetes:',
      '  dns: { probeEndpoints: true }',
      '  headless: { enabled: true }',
      '  externalName: { enabled: true }',
      '',
    ].join('\n'),
  );
  d = await startDaemon({
    configPath,
    kubeconfigPath,
    transport: redirectTransport(createNetTransport(systemClock), map),
  });
});

afterAll(async () => {
  await d?.daemon.stop(1000);
  await api?.stop();
  await lab?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('CoreDNS endpoints', () => {
  it('probes the Service IP and each ready endpoint as its own server: one bad replica stands out', async () => {
    const verdict = async (server: string, v: string) =>
      metricValue(await d.scrape(), 'dnsheadroom_verdict', {
        target: 'fits.lab.test',
        family: 'unspec',
        server,
        verdict: v,
      });
    await waitFor(
      async () =>
        (await verdict('127.0.0.1:53', 'ok')) === 1 &&
        (await verdict('127.0.0.10:53', 'ok')) === 1 &&
        (await verdict('127.0.0.11:53', 'ok')) === 1 &&
        (await verdict('127.0.0.12:53', 'error')) === 1,
      { what: 'per-server verdicts', timeoutMs: 15_000 },
    );
    // The not-ready endpoint is not probed.
    const servers = new Set(
      (await d.scrape()).filter((s) => s.name === 'dnsheadroom_verdict').map((s) => s.labels.server),
    );
    expect(servers.has('127.0.0.13:53')).toBe(false);
    const status = (await (await fetch(`${d.base}/status`)).json()) as {
      kubernetes: { dnsServers: string[] };
    };
    expect(status.kubernetes.dnsServers).toEqual(['127.0.0.10:53', '127.0.0.11:53', '127.0.0.12:53']);
  });
});

describe('headless Service forecasts', () => {
  it('forecasts 25 endpoints: fits, not probed', async () => {
    await waitFor(
      async () => metricValue(await d.scrape(), 'dnsheadroom_service_ready_endpoints', WEB_LABELS) === 25,
      {
        what: 'forecast at 25',
      },
    );
    const samples = await d.scrape();
    expect(metricValue(samples, 'dnsheadroom_service_predicted_bytes', WEB_LABELS)).toBe(447);
    expect(metricValue(samples, 'dnsheadroom_service_max_safe_endpoints', WEB_LABELS)).toBe(29);
    expect(
      metricValue(samples, 'dnsheadroom_service_ready_endpoints', {
        namespace: 'shop',
        service: 'db',
        qtype: 'A',
      }),
    ).toBe(3);
    // Not headless: no forecast.
    expect(samples.some((s) => s.labels.service === 'api')).toBe(false);
    // 65 bytes of headroom is not under the 64-byte margin.
    expect(samples.some((s) => s.name === 'dnsheadroom_verdict' && s.labels.target === WEB.name)).toBe(false);
    const page = await (await fetch(`${d.base}/`)).text();
    expect(page).toContain('web in default: 25 of 29 safe endpoints');
    expect(page).toContain('db in shop: 3 of 29 safe endpoints');
  });

  it('scales to 35 across two slices: the series move, max safe stays 29, and the name is probed for real', async () => {
    labMs = 10_000; // the lab now answers 35 A records
    // 35 distinct ready addresses over two slices that overlap by 5, plus 2 not ready.
    api.apply(
      'endpointslices',
      endpointSlice('default', 'web-1', 'web', podAddresses(20), { headless: true }),
    );
    api.apply(
      'endpointslices',
      endpointSlice('default', 'web-2', 'web', [...podAddresses(20, 15), ...podAddresses(2, 100)], {
        headless: true,
        notReady: [20, 21],
      }),
    );
    await waitFor(
      async () => metricValue(await d.scrape(), 'dnsheadroom_service_ready_endpoints', WEB_LABELS) === 35,
      {
        what: 'forecast at 35',
      },
    );
    let samples = await d.scrape();
    expect(metricValue(samples, 'dnsheadroom_service_predicted_bytes', WEB_LABELS)).toBe(607);
    expect(metricValue(samples, 'dnsheadroom_service_max_safe_endpoints', WEB_LABELS)).toBe(29);
    const a = { target: WEB.name, family: 'unspec', server: '127.0.0.1:53', qtype: 'A' };
    samples = await waitFor(
      async () => {
        const s = await d.scrape();
        return metricValue(s, 'dnsheadroom_full_response_bytes', a) !== undefined ? s : null;
      },
      { what: 'headless name probed', timeoutMs: 15_000 },
    );
    // The real answer has exactly the forecast size, and musl <= 1.2.3 keeps the 29 that fit.
    expect(metricValue(samples, 'dnsheadroom_full_response_bytes', a)).toBe(607);
    expect(metricValue(samples, 'dnsheadroom_truncated', a)).toBe(1);
    expect(
      metricValue(samples, 'dnsheadroom_client_addresses', {
        target: WEB.name,
        server: '127.0.0.1:53',
        client: 'musl-1.2.3',
      }),
    ).toBe(29);
    expect(
      metricValue(samples, 'dnsheadroom_verdict', {
        target: WEB.name,
        server: '127.0.0.1:53',
        verdict: 'degraded',
      }),
    ).toBe(1);
    const page = await (await fetch(`${d.base}/`)).text();
    expect(page).toContain('web in default: 35 of 29 safe endpoints');
    expect(page).toContain('OVER 512');
  });

  it('removes the series and the target of a deleted Service', async () => {
    api.remove('services', 'default', 'web');
    await waitFor(
      async () => !(await d.scrape()).some((s) => s.labels.service === 'web' || s.labels.target === WEB.name),
      {
        what: 'series removed',
      },
    );
    const samples = await d.scrape();
    expect(
      metricValue(samples, 'dnsheadroom_service_ready_endpoints', {
        namespace: 'shop',
        service: 'db',
        qtype: 'A',
      }),
    ).toBe(3);
    expect(await (await fetch(`${d.base}/`)).text()).not.toContain('web in default');
  });
});

describe('ExternalName Services', () => {
  it('probes the externalName as a target', async () => {
    await waitFor(
      async () =>
        metricValue(await d.scrape(), 'dnsheadroom_verdict', {
          target: 'near.lab.test',
          server: '127.0.0.1:53',
          verdict: 'at_risk',
        }) === 1,
      { what: 'externalName probed', timeoutMs: 15_000 },
    );
  });

  it('exports every watch as up, with no restart', async () => {
    const samples = await d.scrape();
    for (const resource of ['dns-service', 'dns-endpointslices', 'services', 'endpointslices']) {
      expect(metricValue(samples, 'dnsheadroom_kube_watch_up', { resource }), resource).toBe(1);
      expect(metricValue(samples, 'dnsheadroom_kube_watch_restarts_total', { resource }), resource).toBe(0);
    }
    // The headless slices are selected by the API server: only those carry the headless label.
    const sliceWatches = api.requests.filter((r) => r.resource === 'endpointslices' && r.namespace === null);
    expect(sliceWatches.every((r) => r.labelSelector === 'service.kubernetes.io/headless')).toBe(true);
  });
});
