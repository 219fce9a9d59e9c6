/**
 * The daemon with its config in a ConfigMap, through client-node and the test API server: a change
 * is applied, an invalid or deleted ConfigMap keeps the last good config (reload gauge 0), the API
 * going down for a while neither stops probing nor the watch (it comes back and catches up), a 410
 * leads to a fresh list, and start-up fails clearly without the ConfigMap or the API. Also the CLI
 * flags (`--configmap`, `--kubeconfig`, DNS_HEADROOM_CONFIGMAP).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDaemon } from '../../../src/cli/daemon.ts';
import { systemClock } from '../../../src/clock.ts';
import { Daemon } from '../../../src/daemon/index.ts';
import { realDelay } from '../../../src/kube/index.ts';
import { type LabAddresses, LabServer } from '../../../src/lab/index.ts';
import { configMap, KubeApiServer, writeKubeconfig } from '../../helpers/kube-api-server/index.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { parseSamples } from '../../helpers/prom-text.ts';
import { waitFor } from '../../helpers/wait.ts';
import { metricValue, startDaemon } from './daemon-helpers.ts';

const REF = { namespace: 'monitoring', name: 'dns-headroom' };
let lab: LabServer;
let servers: LabAddresses;
let dir: string;
let api: KubeApiServer;
let kubeconfigPath: string;

beforeAll(async () => {
  lab = new LabServer({ address: '127.0.0.1', port: 0, clock: systemClock });
  servers = await lab.start();
  dir = await mkdtemp(join(tmpdir(), 'dnsh-kube-cm-'));
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
});
afterAll(async () => {
  await lab.stop();
  await rm(dir, { recursive: true, force: true });
});

const stops: (() => Promise<void>)[] = [];
beforeEach(async () => {
  api = new KubeApiServer({ token: 'test-token' });
  await api.start();
  const sub = await mkdtemp(join(dir, 'k-'));
  kubeconfigPath = await writeKubeconfig(sub, api.url);
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await api.stop();
});

function yaml(names: string[], extra = ''): string {
  return [
    'interval: 1s',
    'timeout: 500ms',
    'jitter: 0',
    `resolvConf: ${join(dir, 'resolv.conf')}`,
    'defaults:',
    `  servers: ["127.0.0.1:${servers.main.port}"]`,
    extra,
    'targets:',
    ...names.map((n) => `  - ${n}`),
    '',
  ].join('\n');
}

function publish(text: string): void {
  api.apply('configmaps', configMap(REF.namespace, REF.name, { 'config.yaml': text }));
}

async function start() {
  const d = await startDaemon({ configMap: REF, kubeconfigPath });
  stops.push(() => d.daemon.stop(1000));
  return d;
}

const targets = async (d: Awaited<ReturnType<typeof start>>) =>
  metricValue(await d.scrape(), 'dnsheadroom_targets');
const reloadOk = async (d: Awaited<ReturnType<typeof start>>) =>
  metricValue(await d.scrape(), 'dnsheadroom_config_last_reload_successful');

describe('daemon with --configmap', () => {
  it('starts from the ConfigMap and applies each change', async () => {
    publish(yaml(['fits.lab.test']));
    const d = await start();
    expect(await targets(d)).toBe(1);
    expect(await reloadOk(d)).toBe(1);
    publish(yaml(['fits.lab.test', 'near.lab.test']));
    await waitFor(async () => (await targets(d)) === 2, { what: 'change applied' });
    const status = (await (await fetch(`${d.base}/status`)).json()) as {
      kubernetes: { watches: { resource: string; phase: string }[] };
    };
    expect(status.kubernetes.watches).toEqual([
      expect.objectContaining({ resource: 'configmap', phase: 'connected', restarts: 0 }),
    ]);
    expect(metricValue(await d.scrape(), 'dnsheadroom_kube_watch_up', { resource: 'configmap' })).toBe(1);
    // The list and the watch select the one ConfigMap by name (what a resourceNames Role allows).
    expect(
      api.requests.every(
        (r) => r.fieldSelector === 'metadata.name=dns-headroom' && r.namespace === 'monitoring',
      ),
    ).toBe(true);
  });

  it('keeps the last good config when the ConfigMap turns invalid or is deleted, and says why', async () => {
    publish(yaml(['fits.lab.test', 'near.lab.test']));
    const d = await start();
    publish(yaml(['fits.lab.test'], 'intervall: 5s'));
    await waitFor(async () => (await reloadOk(d)) === 0, { what: 'reload gauge 0' });
    expect(await targets(d)).toBe(2);
    let status = (await (await fetch(`${d.base}/status`)).json()) as { config: { issues: string[] } };
    expect(status.config.issues).toEqual([
      expect.stringMatching(
        /^configmap monitoring\/dns-headroom:\d+:1: intervall: unknown key; did you mean "interval"\?$/,
      ),
    ]);
    expect(await (await fetch(`${d.base}/`)).text()).toContain('Config reload failed');

    api.remove('configmaps', REF.namespace, REF.name);
    await waitFor(
      async () => {
        status = (await (await fetch(`${d.base}/status`)).json()) as { config: { issues: string[] } };
        return status.config.issues.join().includes('does not exist');
      },
      { what: 'deletion seen' },
    );
    expect(await targets(d)).toBe(2);

    publish(yaml(['near.lab.test']));
    await waitFor(async () => (await reloadOk(d)) === 1 && (await targets(d)) === 1, { what: 'valid again' });
  });

  it('keeps probing while the API is down, retries with backoff, and catches up when it is back', async () => {
    publish(yaml(['fits.lab.test']));
    const d = await start();
    await waitFor(async () => (await fetch(`${d.base}/readyz`)).status === 200, { what: 'ready' });
    api.fail(500);
    await waitFor(
      async () =>
        (metricValue(await d.scrape(), 'dnsheadroom_kube_watch_restarts_total', { resource: 'configmap' }) ??
          0) >= 3,
      {
        what: 'watch restarts',
      },
    );
    let samples = await d.scrape();
    expect(metricValue(samples, 'dnsheadroom_kube_watch_up', { resource: 'configmap' })).toBe(0);
    // Probing goes on: the target is probed again while the API fails.
    const probedAt = metricValue(samples, 'dnsheadroom_last_probe_timestamp_seconds', {
      target: 'fits.lab.test',
    }) as number;
    await waitFor(
      async () =>
        (metricValue(await d.scrape(), 'dnsheadroom_last_probe_timestamp_seconds', {
          target: 'fits.lab.test',
        }) as number) > probedAt,
      { what: 'a probe while the API is down' },
    );
    const status = (await (await fetch(`${d.base}/status`)).json()) as {
      kubernetes: { watches: { phase: string; lastError: string | null }[] };
    };
    expect(status.kubernetes.watches[0]).toMatchObject({ phase: 'retrying', lastError: 'HTTP 500' });
    expect(await (await fetch(`${d.base}/`)).text()).toContain('configmap watch retrying');
    // Growing pauses (jittered within [step/2, step]): 1 s, 2 s, 4 s...
    expect(d.pauses.asked.slice(0, 3).map((ms, i) => ms >= 500 * 2 ** i && ms <= 1000 * 2 ** i)).toEqual([
      true,
      true,
      true,
    ]);

    publish(yaml(['fits.lab.test', 'near.lab.test']));
    api.recover();
    await waitFor(async () => (await targets(d)) === 2, { what: 'change made while down applied' });
    samples = await d.scrape();
    expect(metricValue(samples, 'dnsheadroom_kube_watch_up', { resource: 'configmap' })).toBe(1);
    expect(metricValue(samples, 'dnsheadroom_config_last_reload_successful')).toBe(1);
  });

  it('lists again after a 410 Gone and applies what changed meanwhile', async () => {
    publish(yaml(['fits.lab.test']));
    const d = await start();
    await waitFor(() => api.openWatches('configmaps') === 1, { what: 'watch open' });
    const lists = api.lists('configmaps').length;
    api.dropWatches();
    publish(yaml(['fits.lab.test', 'near.lab.test']));
    api.expire();
    await waitFor(async () => (await targets(d)) === 2, { what: 'change applied after relist' });
    expect(api.lists('configmaps').length).toBeGreaterThan(lists);
  });

  it('fails to start, naming the reason, without the ConfigMap, with the API failing, or without an API', async () => {
    const { log } = captureLog();
    const missing = new Daemon({
      configMap: { namespace: 'monitoring', name: 'absent' },
      kube: { kubeconfigPath, env: {}, startTimeoutMs: 5000 },
      version: 't',
      node: null,
      log,
      clock: systemClock,
      listen: { host: '127.0.0.1', port: 0 },
    });
    const a = await missing.start();
    expect(a).toEqual({
      ok: false,
      reason:
        'invalid config configmap monitoring/absent:\n  configmap monitoring/absent: (configmap): configmap monitoring/absent does not exist (deleted, or not created yet)',
    });
    api.fail(500);
    const down = new Daemon({
      configMap: REF,
      kube: { kubeconfigPath, env: {}, startTimeoutMs: 300, delay: (_ms, signal) => realDelay(10, signal) },
      version: 't',
      node: null,
      log,
      clock: systemClock,
      listen: { host: '127.0.0.1', port: 0 },
    });
    expect(await down.start()).toEqual({
      ok: false,
      reason:
        'configmap monitoring/dns-headroom: the API server did not list configmap monitoring/dns-headroom within 0.3 s (last error: HTTP 500)',
    });
    api.recover();
    const nowhere = new Daemon({
      configMap: REF,
      kube: { kubeconfigPath: null, env: {} },
      version: 't',
      node: null,
      log,
      clock: systemClock,
      listen: { host: '127.0.0.1', port: 0 },
    });
    expect(await nowhere.start()).toEqual({
      ok: false,
      reason:
        'cannot read configmap monitoring/dns-headroom: no --kubeconfig, no KUBECONFIG, and not in a pod (KUBERNETES_SERVICE_HOST is unset)',
    });
  });
});

describe('dns-headroom daemon --configmap (CLI)', () => {
  it.each([
    ['flags', (path: string) => ['--configmap', 'monitoring/dns-headroom', '--kubeconfig', path], () => ({})],
    [
      'environment',
      () => [],
      (path: string) => ({ KUBECONFIG: path, DNS_HEADROOM_CONFIGMAP: 'monitoring/dns-headroom' }),
    ],
  ] as const)('runs from the ConfigMap given by %s and stops cleanly', async (_how, flags, env) => {
    publish(yaml(['fits.lab.test']));
    let out = '';
    const stdout = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const stop = new AbortController();
    const running = runDaemon([...flags(kubeconfigPath), '--listen', '127.0.0.1:0'], {
      stdout,
      stderr: stdout,
      env: { DNS_HEADROOM_LOG_LEVEL: 'info', ...env(kubeconfigPath) },
      stopSignal: stop.signal,
    });
    const started = await waitFor(() => /"listen":"127\.0\.0\.1:(\d+)"/.exec(out), {
      what: 'started log line',
    });
    const samples = parseSamples(await (await fetch(`http://127.0.0.1:${started[1]}/metrics`)).text());
    expect(metricValue(samples, 'dnsheadroom_targets')).toBe(1);
    expect(out).toContain('"config":"configmap monitoring/dns-headroom"');
    stop.abort();
    expect(await running).toBe(0);
  });

  it.each([
    [['--configmap', 'no-slash'], '--configmap takes NAMESPACE/NAME'],
    [['--configmap', 'a/b', '--config', 'x.yaml'], '--config and --configmap exclude each other'],
    [[], '--config FILE or --configmap NAMESPACE/NAME is required'],
  ])('%j is a usage error', async (args, message) => {
    let err = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        err += String(chunk);
        done();
      },
    });
    expect(await runDaemon(args, { stdout: sink, stderr: sink, env: {} })).toBe(2);
    expect(err).toContain(message);
  });
});
