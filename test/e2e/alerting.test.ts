/**
 * Alerting end to end, with the real pieces: `dns-headroom demo` (the lab and a daemon probing
 * every scenario, as `npm run demo` runs them) scraped every second by a real `prometheus`
 * evaluating the shipped rules (with `for: 0s`), which notifies a real `alertmanager` routed by the
 * shipped example (its receivers replaced by webhooks served here). DNSTruncatedEmptyAnswer must
 * reach the pager receiver for the empty-truncation scenario (empty.lab.test), and no alert may
 * arrive for the healthy one (fits.lab.test). Everything listens on 127.0.0.1 and is stopped after.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER, PROMETHEUS, requireTool } from '../deploy/helpers/tools.ts';
import { holdsFor, waitFor } from '../helpers/wait.ts';
import { alertmanagerConfig, prometheusConfig, testRules } from './helpers/alerting/configs.ts';
import { freePort, type Started, start, stop } from './helpers/alerting/processes.ts';
import { startWebhook, type Webhook } from './helpers/alerting/webhook.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const started: Started[] = [];
let dir: string;
let webhook: Webhook;
let prometheusUrl: string;
let alertmanagerUrl: string;

/** Starts a server on a free port, retrying with another port if it exits before it is ready. */
async function startServer(
  name: string,
  launch: (port: number) => Started,
  readyPath: string,
): Promise<string> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = launch(port);
    started.push(proc);
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitFor(
      async () => {
        if (proc.child.exitCode !== null) return 'exited';
        const res = await fetch(`${url}${readyPath}`).catch(() => null);
        return res?.ok ? 'ready' : null;
      },
      { timeoutMs: 20_000, everyMs: 100, what: `${name} ready` },
    ).catch(() => 'timeout');
    if (ready === 'ready') return url;
    last = `${name} did not start (${ready}): ${proc.output()}`;
    await stop(proc);
  }
  throw new Error(last);
}

/** The daemon's address, from the demo's banner on stderr. */
async function startDemo(): Promise<string> {
  // Interval 2 s: the demo's query timeout is 1 s and must be shorter than the interval.
  const demo = start('demo', process.execPath, [
    path.join(ROOT, 'src/main.ts'),
    'demo',
    '--lab-port',
    '0',
    '--listen',
    '0',
    '--interval',
    '2',
  ]);
  started.push(demo);
  const url = await waitFor(() => /status page\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(demo.output())?.[1], {
    timeoutMs: 20_000,
    what: 'the demo banner',
  });
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok, {
    timeoutMs: 20_000,
    everyMs: 100,
    what: 'the demo daemon to be ready',
  });
  return url;
}

/** Alerts Prometheus currently holds (pending or firing). */
async function prometheusAlerts(): Promise<{ labels: Record<string, string>; state: string }[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
  const body = (await res.json()) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] };
  };
  return body.data.alerts;
}

/** Runs an instant query and returns the result vector. */
async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

beforeAll(async () => {
  const prometheusBin = requireTool(PROMETHEUS);
  const alertmanagerBin = requireTool(ALERTMANAGER);
  dir = await mkdtemp(path.join(tmpdir(), 'dnsh-alerting-'));
  webhook = await startWebhook();

  await writeFile(path.join(dir, 'alertmanager.yaml'), alertmanagerConfig(webhook.url));
  alertmanagerUrl = await startServer(
    'alertmanager',
    (port) =>
      start('alertmanager', alertmanagerBin, [
        `--config.file=${path.join(dir, 'alertmanager.yaml')}`,
        `--storage.path=${path.join(dir, 'alertmanager-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No cluster: no gossip port, nothing beyond loopback.
        '--cluster.listen-address=',
        '--log.level=warn',
      ]),
    '/-/ready',
  );

  const daemonUrl = await startDemo();
  await writeFile(path.join(dir, 'rules.yaml'), testRules());
  await writeFile(
    path.join(dir, 'prometheus.yaml'),
    prometheusConfig({
      daemon: new URL(daemonUrl).host,
      alertmanager: new URL(alertmanagerUrl).host,
      rulesFile: path.join(dir, 'rules.yaml'),
    }),
  );
  prometheusUrl = await startServer(
    'prometheus',
    (port) =>
      start('prometheus', prometheusBin, [
        `--config.file=${path.join(dir, 'prometheus.yaml')}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]),
    '/-/ready',
  );
}, 90_000);

afterAll(async () => {
  // Reverse order: Prometheus stops sending before Alertmanager and the demo go away.
  for (const proc of [...started].reverse()) await stop(proc);
  await webhook?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('alerting end to end (demo -> prometheus -> alertmanager -> webhook)', () => {
  it('pages DNSTruncatedEmptyAnswer for the empty-truncation scenario', async () => {
    const page = await waitFor(
      () =>
        webhook.received.find(
          (r) =>
            r.alert.labels.alertname === 'DNSTruncatedEmptyAnswer' &&
            r.alert.labels.target === 'empty.lab.test',
        ),
      { timeoutMs: 45_000, everyMs: 100, what: 'DNSTruncatedEmptyAnswer for empty.lab.test at the webhook' },
    );
    expect(page.receiver).toBe('pager');
    expect(page.alert.status).toBe('firing');
    expect(page.alert.labels).toMatchObject({
      severity: 'critical',
      job: 'dns-headroom',
      node: 'demo',
      family: 'unspec',
      qtype: 'A',
    });
    expect(page.alert.annotations.description).toContain(
      'empty.lab.test (unspec) asked from node demo via DNS server',
    );
    expect(page.alert.annotations.runbook_url).toMatch(/docs\/runbooks\/DNSTruncatedEmptyAnswer\.md$/);
  }, 60_000);

  it('sends warnings to the chat receiver (the partial-truncation scenario)', async () => {
    const warning = await waitFor(
      () =>
        webhook.received.find(
          (r) =>
            r.alert.labels.alertname === 'DNSResponseTruncated' &&
            r.alert.labels.target === 'partial.lab.test',
        ),
      { timeoutMs: 45_000, everyMs: 100, what: 'DNSResponseTruncated for partial.lab.test at the webhook' },
    );
    expect(warning.receiver).toBe('chat');
    expect(warning.alert.labels.severity).toBe('warning');
  }, 60_000);

  it('sends nothing for the healthy scenario, which Prometheus has seen as ok', async () => {
    // The healthy name is scraped and judged ok; give the rules five evaluations of it.
    const ok = await query('dnsheadroom_verdict{target="fits.lab.test",verdict="ok"}');
    expect(ok.map((s) => s.value[1])).toEqual(['1']);
    await waitFor(
      async () =>
        (
          await query(
            'min_over_time(dnsheadroom_verdict{target="fits.lab.test",verdict="ok"}[1h]) == 1 and count_over_time(dnsheadroom_verdict{target="fits.lab.test",verdict="ok"}[1h]) >= 5',
          )
        ).length === 1,
      { timeoutMs: 20_000, everyMs: 250, what: 'five scrapes of fits.lab.test, all ok' },
    );
    expect((await prometheusAlerts()).filter((a) => a.labels.target === 'fits.lab.test')).toEqual([]);
    expect(webhook.received.filter((r) => r.alert.labels.target === 'fits.lab.test')).toEqual([]);
    // And the pipeline was live: the scenarios that should alert did (not just the two above).
    const targets = new Set(webhook.received.map((r) => r.alert.labels.target));
    expect(targets).toContain('empty.lab.test');
    expect(targets).toContain('partial.lab.test');
  }, 30_000);

  it('inhibits the truncation and near-limit warnings of an answer whose musl 1.2.3 result is empty', async () => {
    // Posted straight to Alertmanager: the demo has no name that fires both at once.
    const common = { target: 'both.example.test', server: '192.0.2.10:53', node: 'node-a', family: 'unspec' };
    const alerts = [
      { labels: { ...common, alertname: 'DNSTruncatedEmptyAnswer', severity: 'critical', qtype: 'A' } },
      { labels: { ...common, alertname: 'DNSResponseTruncated', severity: 'warning', qtype: 'AAAA' } },
      { labels: { ...common, alertname: 'DNSResponseNearUDPLimit', severity: 'warning', qtype: 'AAAA' } },
      // Another node: not the same answer, not inhibited.
      {
        labels: {
          ...common,
          node: 'node-b',
          alertname: 'DNSResponseTruncated',
          severity: 'warning',
          qtype: 'A',
        },
      },
    ];
    const res = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.ok).toBe(true);
    const state = await waitFor(
      async () => {
        const list = (await (
          await fetch(
            `${alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent('target="both.example.test"')}`,
          )
        ).json()) as { labels: Record<string, string>; status: { inhibitedBy: string[] } }[];
        return list.length === 4 ? list : null;
      },
      { timeoutMs: 10_000, what: 'the posted alerts in Alertmanager' },
    );
    const inhibited = (alertname: string, node: string) =>
      (
        state.find((a) => a.labels.alertname === alertname && a.labels.node === node)?.status.inhibitedBy ??
        []
      ).length > 0;
    expect(inhibited('DNSResponseTruncated', 'node-a')).toBe(true);
    expect(inhibited('DNSResponseNearUDPLimit', 'node-a')).toBe(true);
    expect(inhibited('DNSTruncatedEmptyAnswer', 'node-a')).toBe(false);
    expect(inhibited('DNSResponseTruncated', 'node-b')).toBe(false);
    // Delivered: the page, and the other node's warning; never the inhibited warnings. The two
    // groups flush independently (each after its own group_wait), so wait for both, then for two
    // more group intervals in which an inhibited warning would have been sent if it were not muted.
    const delivered = () =>
      webhook.received
        .filter((r) => r.alert.labels.target === 'both.example.test')
        .map((r) => `${r.receiver} ${r.alert.labels.alertname} ${r.alert.labels.node}`);
    await waitFor(
      () =>
        delivered().includes('pager DNSTruncatedEmptyAnswer node-a') &&
        delivered().includes('chat DNSResponseTruncated node-b'),
      { timeoutMs: 15_000, what: 'the page and the uninhibited warning at the webhook' },
    );
    await holdsFor(
      () =>
        !delivered().includes('chat DNSResponseTruncated node-a') &&
        !delivered().includes('chat DNSResponseNearUDPLimit node-a'),
      { forMs: 2_500, what: 'no inhibited warning at the webhook' },
    );
  }, 30_000);
});
