/**
 * The daemon in-process against the lab on loopback: every scenario's values from a real /metrics
 * scrape, config reloads (valid, invalid kept-last-good, removed target's series gone), a probe that
 * throws, /status and /readyz, and promtool's verdict on the exposition.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { Daemon } from '../../../src/daemon/index.ts';
import { fullAnswerBytes, SCENARIOS, type Scenario } from '../../../src/lab/index.ts';
import { createNetTransport, type DnsTransport } from '../../../src/probe/index.ts';
import { useLabAndDir } from '../../helpers/lab-fixture.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { parseSamples, type Sample, sampleValue } from '../../helpers/prom-text.ts';
import { waitFor } from '../../helpers/wait.ts';

const exec = promisify(execFile);

/** The parts of /status these tests read. */
interface StatusJson {
  ready: boolean;
  targets: { verdict: string }[];
  recentFailures: unknown[];
  config: { lastReloadSuccessful: boolean | null; issues: string[] };
}
const statusOf = async (base: string) => (await (await fetch(`${base}/status`)).json()) as StatusJson;
const fixture = useLabAndDir('dnsh-daemon-');

const benign = SCENARIOS.filter((s) => !s.hostile && s.growth === null);
const serverOf = (s: Scenario) =>
  `127.0.0.1:${s.server === 'udp-only' ? fixture.servers.udpOnly.port : fixture.servers.main.port}`;

function config(targets: string[], extra = ''): string {
  return [
    'interval: 1s',
    'timeout: 500ms',
    'jitter: 0',
    'concurrency: 16',
    'queriesPerSecond: 1000',
    'logLevel: info',
    `resolvConf: ${join(fixture.dir, 'resolv.conf')}`,
    extra,
    'targets:',
    ...targets,
    '',
  ].join('\n');
}

function target(s: Scenario): string {
  return `  - name: ${s.name}\n    servers: ["${serverOf(s)}"]\n    labels: { scenario: ${s.id} }`;
}

async function start(path: string, transport?: DnsTransport, releaseMemory?: () => void) {
  const { log, lines } = captureLog();
  const daemon = new Daemon({
    configPath: path,
    version: '0.0.0-test',
    node: 'node-a',
    log,
    clock: systemClock,
    listen: { host: '127.0.0.1', port: 0 },
    ...(transport ? { transport } : {}),
    ...(releaseMemory ? { releaseMemory } : {}),
  });
  const started = await daemon.start();
  if (!started.ok) throw new Error(started.reason);
  const base = `http://127.0.0.1:${started.address.port}`;
  const scrape = async (): Promise<Sample[]> => parseSamples(await (await fetch(`${base}/metrics`)).text());
  return { daemon, base, lines, scrape };
}

describe('daemon against every lab scenario', () => {
  let d: Awaited<ReturnType<typeof start>>;
  let samples: Sample[];

  beforeAll(async () => {
    const path = join(fixture.dir, 'all.yaml');
    await writeFile(path, config(benign.map(target)));
    d = await start(path);
    await waitFor(async () => (await fetch(`${d.base}/readyz`)).status === 200, {
      what: '/readyz 200',
      timeoutMs: 15_000,
    });
    samples = await d.scrape();
  });
  afterAll(async () => {
    await d.daemon.stop(1000);
  });

  it.each(benign.map((s) => [s.id, s] as const))(
    '%s: verdict state set, sizes, TC, addresses, TCP fallback',
    (_id, s) => {
      const labels = { target: s.name, family: 'unspec', server: serverOf(s), node: 'node-a' };
      for (const v of ['error', 'failing', 'degraded', 'at_risk', 'ok']) {
        expect(sampleValue(samples, 'dnsheadroom_verdict', { ...labels, verdict: v }), v).toBe(
          v === s.expectedVerdict ? 1 : 0,
        );
      }
      const a = { ...labels, qtype: 'A' };
      if (s.udp !== 'answer') return;
      const full = fullAnswerBytes(s, 'A', 0);
      const tcpWorks = s.tcp === 'answer' && s.server === 'main';
      expect(sampleValue(samples, 'dnsheadroom_tcp_fallback_success', a)).toBe(tcpWorks ? 1 : 0);
      if (s.rcode !== 'NOERROR' || s.a === 0) return;
      const udp = sampleValue(samples, 'dnsheadroom_udp_response_bytes', a) as number;
      expect(udp).toBeLessThanOrEqual(512);
      expect(sampleValue(samples, 'dnsheadroom_truncated', a)).toBe(full > 512 ? 1 : 0);
      if (tcpWorks) {
        expect(sampleValue(samples, 'dnsheadroom_full_response_bytes', a)).toBe(full);
        expect(sampleValue(samples, 'dnsheadroom_headroom_bytes', a)).toBe(512 - full);
        expect(sampleValue(samples, 'dnsheadroom_full_addresses', a)).toBe(s.a);
      } else {
        expect(sampleValue(samples, 'dnsheadroom_full_response_bytes', a)).toBeUndefined();
      }
      if (full <= 512) expect(sampleValue(samples, 'dnsheadroom_udp_addresses', a)).toBe(s.a);
      else expect(sampleValue(samples, 'dnsheadroom_udp_addresses', a) as number).toBeLessThan(s.a);
      const glibc = sampleValue(samples, 'dnsheadroom_client_addresses', { ...labels, client: 'glibc' });
      // glibc retries over TCP on TC, and rejects a reply cut without TC as a whole (measured).
      const glibcExpected = s.truncation === 'cut' && full > 512 ? 0 : tcpWorks ? s.a + s.aaaa : 0;
      expect(glibc).toBe(glibcExpected);
    },
  );

  it('exports build info, config state, target count and query counters with the node label', () => {
    expect(sampleValue(samples, 'dnsheadroom_build_info', { version: '0.0.0-test', node: 'node-a' })).toBe(1);
    expect(sampleValue(samples, 'dnsheadroom_config_last_reload_successful', {})).toBe(1);
    expect(sampleValue(samples, 'dnsheadroom_targets', {})).toBe(benign.length);
    expect(sampleValue(samples, 'dnsheadroom_queries_total', { transport: 'udp' }) as number).toBeGreaterThan(
      benign.length,
    );
    expect(
      sampleValue(samples, 'dnsheadroom_target_info', { target: 'partial.lab.test', scenario: 'partial' }),
    ).toBe(1);
  });

  it('serves /status with every target worst first and /healthz', async () => {
    const status = await statusOf(d.base);
    expect(status.ready).toBe(true);
    expect(status.targets).toHaveLength(benign.length);
    const order = ['error', 'failing', 'degraded', 'at_risk', 'pending', 'ok'];
    const ranks = status.targets.map((t: { verdict: string }) => order.indexOf(t.verdict));
    expect(ranks).toEqual([...ranks].sort((x: number, y: number) => x - y));
    expect(status.recentFailures.length).toBeGreaterThan(0);
    expect((await fetch(`${d.base}/healthz`)).status).toBe(200);
  });

  it('passes promtool check metrics', async () => {
    const text = await (await fetch(`${d.base}/metrics`)).text();
    const promtool = async (exposition: string) => {
      const path = join(fixture.dir, 'scrape.prom');
      await writeFile(path, exposition);
      // promtool reads the exposition on stdin; lint findings are printed and make it exit non-zero.
      return exec('bash', ['-c', `promtool check metrics < ${path}`]).then(
        ({ stdout, stderr }) => `${stdout}${stderr}`.trim(),
        (err) => {
          if (err.code === 127) throw new Error('promtool missing: install Debian package prometheus');
          return `${err.stdout}${err.stderr}`.trim();
        },
      );
    };
    // Our own families must be clean.
    const own = text
      .split('\n')
      .filter((l) => /^(# (HELP|TYPE) )?dnsheadroom_/.test(l))
      .join('\n');
    expect(await promtool(`${own}\n`)).toBe('');
    // The whole scrape may only carry prom-client's three known findings on its default gauges.
    const KNOWN_UPSTREAM = [
      'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
      'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
      'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
    ];
    const findings = (await promtool(text)).split('\n').filter((l) => l !== '');
    expect(findings.filter((f) => !KNOWN_UPSTREAM.includes(f))).toEqual([]);
  });

  it('logs each verdict once, not every probe', () => {
    const changes = d.lines.filter((l) => l.msg === 'verdict changed');
    const perTarget = new Map<string, number>();
    for (const l of changes) perTarget.set(String(l.target), (perTarget.get(String(l.target)) ?? 0) + 1);
    expect(perTarget.size).toBe(benign.length);
    for (const [, n] of perTarget) expect(n).toBe(1);
  });
});

describe('config reload', () => {
  it('applies a valid change, keeps the last good config on an invalid one, drops removed series', async () => {
    const fits = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
    const partial = SCENARIOS.find((s) => s.id === 'partial') as Scenario;
    const path = join(fixture.dir, 'reload.yaml');
    await writeFile(path, config([target(fits), target(partial)]));
    const d = await start(path);
    try {
      const has = (samples: Sample[], name: string) =>
        samples.some((x) => x.name === 'dnsheadroom_verdict' && x.labels.target === name && x.value === 1);
      await waitFor(async () => has(await d.scrape(), 'partial.lab.test'), { what: 'partial probed' });

      // Invalid: kept last good, gauge 0, every issue logged.
      await writeFile(path, config([target(fits), target(partial)], 'intervall: 5s'));
      await d.daemon.reload();
      let samples = await d.scrape();
      expect(sampleValue(samples, 'dnsheadroom_config_last_reload_successful', {})).toBe(0);
      expect(sampleValue(samples, 'dnsheadroom_targets', {})).toBe(2);
      expect(d.lines.some((l) => JSON.stringify(l).includes('intervall'))).toBe(true);
      const status = await statusOf(d.base);
      expect(status.config.lastReloadSuccessful).toBe(false);
      expect(status.config.issues.join('\n')).toContain('intervall');

      // Valid again, without partial: its series are gone, fits stays.
      await writeFile(path, config([target(fits)]));
      await d.daemon.reload();
      samples = await d.scrape();
      expect(sampleValue(samples, 'dnsheadroom_config_last_reload_successful', {})).toBe(1);
      expect(samples.filter((x) => x.labels.target === 'partial.lab.test')).toEqual([]);
      expect(has(samples, 'fits.lab.test')).toBe(true);

      // Added target appears at once (zero-initialised state set), then gets its verdict.
      const empty = SCENARIOS.find((s) => s.id === 'empty') as Scenario;
      await writeFile(path, config([target(fits), target(empty)]));
      await d.daemon.reload();
      samples = await d.scrape();
      expect(
        sampleValue(samples, 'dnsheadroom_verdict', { target: 'empty.lab.test', verdict: 'failing' }),
      ).toBeDefined();
      await waitFor(async () => has(await d.scrape(), 'empty.lab.test'), { what: 'empty probed' });
    } finally {
      await d.daemon.stop(1000);
    }
  });

  it('gives memory back once every target has had its first probe, and again for targets a reload adds', async () => {
    const fits = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
    const partial = SCENARIOS.find((s) => s.id === 'partial') as Scenario;
    const path = join(fixture.dir, 'release.yaml');
    await writeFile(path, config([target(fits), target(partial)]));
    let releases = 0;
    const d = await start(path, undefined, () => releases++);
    try {
      await waitFor(async () => (await fetch(`${d.base}/readyz`)).status === 200, { what: '/readyz 200' });
      expect(releases).toBe(1);
      // Later rounds (interval 1 s; each sends at least A and AAAA for both targets) release nothing more.
      const before = await d.scrape();
      const count = (samples: Sample[]) =>
        samples
          .filter((x) => x.name === 'dnsheadroom_probe_duration_seconds_count')
          .reduce((sum, x) => sum + x.value, 0);
      await waitFor(async () => count(await d.scrape()) >= count(before) + 8, { what: 'two more rounds' });
      expect(releases).toBe(1);

      const empty = SCENARIOS.find((s) => s.id === 'empty') as Scenario;
      await writeFile(path, config([target(fits), target(partial), target(empty)]));
      await d.daemon.reload();
      await waitFor(() => releases === 2, { what: 'a release after the added target was probed' });
      const has = (samples: Sample[], name: string) =>
        samples.some((x) => x.name === 'dnsheadroom_verdict' && x.labels.target === name && x.value === 1);
      expect(has(await d.scrape(), 'empty.lab.test')).toBe(true);
    } finally {
      await d.daemon.stop(1000);
    }
  });

  it('reloads by itself when the file changes', async () => {
    const fits = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
    const cut = SCENARIOS.find((s) => s.id === 'cut-512') as Scenario;
    const path = join(fixture.dir, 'watch.yaml');
    await writeFile(path, config([target(fits)]));
    const d = await start(path);
    try {
      await writeFile(path, config([target(fits), target(cut)]));
      await waitFor(async () => sampleValue(await d.scrape(), 'dnsheadroom_targets', {}) === 2, {
        what: 'file reload',
      });
    } finally {
      await d.daemon.stop(1000);
    }
  });
});

describe('isolation', () => {
  it('a probe that throws is an error for its target only; the others carry on', async () => {
    const fits = SCENARIOS.find((s) => s.id === 'fits') as Scenario;
    const inner = createNetTransport(systemClock);
    const transport: DnsTransport = {
      udp: (r) => {
        if (r.query.name === 'boom.lab.test') throw new Error('transport exploded');
        return inner.udp(r);
      },
      tcp: (r) => inner.tcp(r),
    };
    const path = join(fixture.dir, 'boom.yaml');
    await writeFile(
      path,
      config([target(fits), `  - name: boom.lab.test\n    servers: ["${serverOf(fits)}"]`]),
    );
    const d = await start(path, transport);
    try {
      await waitFor(async () => (await fetch(`${d.base}/readyz`)).status === 200, { what: 'ready' });
      const samples = await d.scrape();
      expect(sampleValue(samples, 'dnsheadroom_verdict', { target: 'boom.lab.test', verdict: 'error' })).toBe(
        1,
      );
      expect(sampleValue(samples, 'dnsheadroom_verdict', { target: 'fits.lab.test', verdict: 'ok' })).toBe(1);
      expect(
        sampleValue(samples, 'dnsheadroom_probe_errors_total', { reason: 'internal' }) as number,
      ).toBeGreaterThan(0);
      expect(d.lines.some((l) => l.msg === 'probe failed internally' && l.target === 'boom.lab.test')).toBe(
        true,
      );
    } finally {
      await d.daemon.stop(1000);
    }
  });
});
