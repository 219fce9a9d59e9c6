/**
 * The long-running process of the DaemonSet: config in, scheduled probes, metrics, status, HTTP.
 * Wiring of tested parts; the decisions live in config/, schedule/, probe/, verdict/ and metrics/.
 * Constructing it starts nothing: `start()` loads the config, listens and schedules; `stop()` undoes it.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import {
  type Config,
  ConfigStore,
  diffTargets,
  type ExpandedTarget,
  expandTargets,
  FileConfigSource,
  formatIssue,
  labelNames,
} from '../config/index.ts';
import type { Logger } from '../log.ts';
import { createMetrics, type Metrics, type TargetLabels, withExchangeMetrics } from '../metrics/index.ts';
import { createNetTransport, type DnsTransport, formatServerAddress, probe } from '../probe/index.ts';
import { reportJson } from '../report/index.ts';
import { DEFAULT_RESOLV_CONF, parseResolvConf, type ResolvConf } from '../resolver/index.ts';
import { Scheduler, TokenBucket, withQueryBudget } from '../schedule/index.ts';
import { buildServer } from '../server/index.ts';
import { judge } from '../verdict/index.ts';
import type { StatusSnapshot } from './status.ts';
import { StatusTracker } from './tracker.ts';

/** The edges the daemon needs. */
export interface DaemonDeps {
  readonly configPath: string;
  readonly version: string;
  /** NODE_NAME from the downward API; the `node` label. */
  readonly node: string | null;
  readonly log: Logger;
  readonly clock: Clock;
  /** Defaults to real UDP/TCP sockets. */
  readonly transport?: DnsTransport;
  readonly readText?: (path: string) => Promise<string>;
  /** Overrides the config's listen address (tests use port 0). */
  readonly listen?: { host: string | null; port: number };
  /** Interval of the status summary log line (default 10 min). */
  readonly summaryEveryMs?: number;
}

/** How `start()` went. */
export type StartOutcome =
  | { readonly ok: true; readonly address: { host: string; port: number } }
  | { readonly ok: false; readonly reason: string };

/**
 * Every this many rounds a target's probe also asks TCP when UDP was complete, to keep
 * `dnsheadroom_tcp_fallback_success` true to life (a NetworkPolicy that blocks TCP 53 shows within
 * 10 intervals). Names that truncate use TCP every round. TCP set-up is the largest single cost of a
 * probe, so asking it every round for names that fit would multiply the daemon's CPU.
 */
export const TCP_CHECK_EVERY_ROUNDS = 10;

/** A target as the scheduler runs it. */
interface Job extends ExpandedTarget {
  readonly labels: Readonly<Record<string, string>>;
}

/** The daemon. */
export class Daemon {
  readonly #deps: DaemonDeps;
  readonly #log: Logger;
  readonly #store: ConfigStore;
  readonly #source: FileConfigSource;
  readonly #tracker = new StatusTracker();
  readonly #registry = new Registry();
  readonly #metrics: Metrics;
  readonly #bucket: TokenBucket;
  readonly #transport: DnsTransport;
  /** The socket transport the daemon owns (null when one was injected). */
  readonly #netTransport: (DnsTransport & { close(): void }) | null;
  readonly #scheduler: Scheduler<Job>;
  #server: http.Server | null = null;
  #targets: readonly ExpandedTarget[] = [];
  #resolv: ResolvConf = DEFAULT_RESOLV_CONF;
  #infoLabels: readonly string[] = [];
  #summary: NodeJS.Timeout | null = null;
  /** Probes started per target key, to pick the rounds that check TCP. */
  readonly #rounds = new Map<string, number>();

  constructor(deps: DaemonDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ component: 'daemon' });
    this.#metrics = createMetrics(this.#registry, { version: deps.version, node: deps.node ?? undefined });
    this.#store = new ConfigStore({ clock: deps.clock, log: deps.log.child({ component: 'config' }) });
    this.#source = new FileConfigSource({
      path: deps.configPath,
      store: this.#store,
      log: deps.log.child({ component: 'config' }),
    });
    this.#bucket = new TokenBucket({ ratePerSecond: 100, clock: deps.clock });
    this.#netTransport = deps.transport ? null : createNetTransport(deps.clock);
    this.#transport = withExchangeMetrics(
      withQueryBudget(deps.transport ?? (this.#netTransport as DnsTransport), this.#bucket),
      this.#metrics,
    );
    this.#scheduler = new Scheduler<Job>({
      clock: deps.clock,
      random: Math.random,
      intervalMs: 30_000,
      jitter: 0.1,
      concurrency: 32,
      run: (job, signal) => this.#probe(job, signal),
      onError: (job, err) => this.#internalError(job, err),
    });
  }

  /** Loads the config, starts probing and listening. A first config that is invalid is fatal. */
  async start(): Promise<StartOutcome> {
    this.#store.subscribe(({ config }) => {
      // A listener must not throw into the store; the apply runs async (resolv.conf is a file read).
      this.#applyConfig(config).catch((err: unknown) => this.#log.error({ err }, 'applying config failed'));
    });
    const loaded = await this.#source.start();
    this.#recordReload();
    if (!loaded) {
      const issues = (this.#store.lastReload?.issues ?? []).map(formatIssue);
      await this.#source.stop();
      return { ok: false, reason: `invalid config ${this.#deps.configPath}:\n  ${issues.join('\n  ')}` };
    }
    await this.#applied;
    const config = this.#store.current() as Config;
    const listen = this.#deps.listen ?? config.listen;
    const server = buildServer({
      registry: this.#registry,
      status: () => this.status(),
      log: this.#deps.log.child({ component: 'http' }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: listen.host ?? undefined, port: listen.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await this.#source.stop();
      return {
        ok: false,
        reason: `cannot listen on ${listen.host ?? '*'}:${listen.port}: ${(err as Error).message}`,
      };
    }
    this.#server = server;
    this.#scheduler.start();
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address : { address: '', port: 0 };
    this.#log.info(
      {
        configPath: this.#deps.configPath,
        targets: this.#targets.length,
        intervalSeconds: config.intervalMs / 1000,
        listen: `${bound.address}:${bound.port}`,
        node: this.#deps.node,
        version: this.#deps.version,
      },
      'dns-headroom daemon started',
    );
    const every = this.#deps.summaryEveryMs ?? 600_000;
    this.#summary = setInterval(
      () => this.#log.info({ verdicts: this.#tracker.counts() }, 'status summary'),
      every,
    );
    this.#summary.unref();
    return { ok: true, address: { host: bound.address, port: bound.port } };
  }

  /** Re-reads the config file now (SIGHUP). */
  async reload(): Promise<void> {
    await this.#source.reload();
    this.#recordReload();
    await this.#applied;
  }

  /** Stops scheduling, lets in-flight probes finish within `graceMs`, closes the server. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#summary) clearInterval(this.#summary);
    await this.#source.stop();
    // Queries waiting for a token give up at once; in-flight probes get `graceMs`, then are aborted.
    this.#bucket.close();
    await this.#scheduler.stop({ graceMs });
    this.#netTransport?.close();
    const server = this.#server;
    this.#server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.#log.info({}, 'dns-headroom daemon stopped');
  }

  /** The current status (what /status serves). */
  status(): StatusSnapshot {
    const last = this.#store.lastReload;
    return {
      generatedAtMs: this.#deps.clock.nowMs(),
      node: this.#deps.node,
      version: this.#deps.version,
      ready: this.#isReady(),
      config: {
        loaded: this.#store.current() !== null,
        lastReloadSuccessful: last?.successful ?? null,
        lastReloadAtMs: last?.atMs ?? null,
        issues: (last?.issues ?? []).map(formatIssue),
      },
      targets: this.#tracker.targets(),
      recentFailures: this.#tracker.failures(),
    };
  }

  /**
   * Ready once a config is loaded and every target has been probed once. Latched: a reload that adds
   * targets must not take the pod out of its Service while the new ones get their first probe.
   */
  #isReady(): boolean {
    if (!this.#ready) this.#ready = this.#store.current() !== null && this.#scheduler.firstRoundDone;
    return this.#ready;
  }

  #ready = false;

  /** The metrics registry (tests scrape it directly). */
  get registry(): Registry {
    return this.#registry;
  }

  #applied: Promise<void> = Promise.resolve();

  #recordReload(): void {
    const gauges = this.#store.reloadGauges();
    this.#metrics.recordReload(gauges.successful === 1, this.#store.lastSuccessAtMs);
  }

  /** Applies a new config: resolv.conf, targets, metrics series, scheduler, budget, log level. */
  #applyConfig(config: Config): Promise<void> {
    this.#applied = this.#applied.then(async () => {
      this.#deps.log.level = config.logLevel;
      this.#resolv = await this.#readResolvConf(config.resolvConf);
      const servers = this.#resolv.nameservers.map((host) => ({ host, port: 53 }));
      const next = expandTargets(config, servers);
      const diff = diffTargets(this.#targets, next);
      const names = labelNames(config);
      if (names.join(',') !== this.#infoLabels.join(',')) {
        // New label names: rebuild the info metric and re-add every target's info series.
        this.#metrics.setInfoLabelNames(names);
        this.#infoLabels = names;
        for (const t of this.#targets) this.#metrics.removeTarget(labelsOf(t), this.#info(t));
        for (const t of next) this.#metrics.addTarget(labelsOf(t), this.#info(t));
      } else {
        for (const t of diff.removed) this.#metrics.removeTarget(labelsOf(t), this.#info(t));
        for (const { before } of diff.relabelled)
          this.#metrics.removeTarget(labelsOf(before), this.#info(before));
        for (const t of diff.added) this.#metrics.addTarget(labelsOf(t), this.#info(t));
        for (const { after } of diff.relabelled) this.#metrics.addTarget(labelsOf(after), this.#info(after));
      }
      this.#targets = next;
      for (const t of diff.removed) this.#rounds.delete(t.key);
      this.#metrics.setTargetCount(next.length);
      this.#tracker.setTargets(
        next.map((t) => ({
          key: t.key,
          name: t.name,
          family: t.family,
          server: formatServerAddress(t.server),
          labels: t.labels,
          warnBytes: t.warnBytes,
        })),
      );
      this.#bucket.setRate(config.queriesPerSecond);
      this.#scheduler.setOptions({
        intervalMs: config.intervalMs,
        jitter: config.jitter,
        concurrency: config.concurrency,
      });
      this.#scheduler.setJobs(next);
      this.#config = config;
      this.#log.info(
        { targets: next.length, added: diff.added.length, removed: diff.removed.length },
        'config applied',
      );
    });
    return this.#applied;
  }

  #config: Config | null = null;

  #info(t: ExpandedTarget): Record<string, string> {
    const values: Record<string, string> = {};
    for (const name of this.#infoLabels) values[name] = t.labels[name] ?? '';
    return values;
  }

  async #readResolvConf(path: string): Promise<ResolvConf> {
    try {
      return parseResolvConf(await (this.#deps.readText ?? ((p: string) => readFile(p, 'utf8')))(path));
    } catch (err) {
      // musl falls back to its defaults without a resolv.conf (resolvconf.c); so do we, loudly.
      this.#log.warn({ err, resolvConf: path }, 'cannot read resolv.conf; using musl defaults');
      return DEFAULT_RESOLV_CONF;
    }
  }

  /** One scheduled probe of one target. */
  async #probe(job: Job, signal: AbortSignal): Promise<void> {
    const config = this.#config;
    if (!config) return;
    const round = this.#rounds.get(job.key) ?? 0;
    this.#rounds.set(job.key, round + 1);
    const result = await probe(
      {
        name: job.name,
        family: job.family,
        server: job.server,
        search: this.#resolv.search,
        ndots: this.#resolv.ndots,
        timeoutMs: config.timeoutMs,
        tcp: round % TCP_CHECK_EVERY_ROUNDS === 0 ? 'always' : 'when-needed',
      },
      { transport: this.#transport, clock: this.#deps.clock, randomId: () => randomInt(0, 65_536) },
      signal,
    );
    if (signal.aborted) return; // removed by a reload or shutting down: its numbers no longer matter
    const atMs = this.#deps.clock.nowMs();
    let assessment = judge(result, { warnBytes: job.warnBytes });
    if (assessment.verdict === 'ok' && this.#tracker.shrinking(job.key, atMs, assessment.fullBytes)) {
      assessment = judge(result, { warnBytes: job.warnBytes, shrinking: true });
    }
    const report = reportJson(result, assessment, job.warnBytes);
    this.#metrics.recordProbe(labelsOf(job), result, assessment, atMs);
    const transition = this.#tracker.record(job.key, report, atMs);
    if (transition) {
      const data = {
        target: job.name,
        family: job.family,
        server: report.server,
        from: transition.from,
        to: transition.to,
        fullBytes: report.fullBytes,
        headroomBytes: report.headroomBytes,
        clients: report.clients,
        diagnosis: report.diagnosis,
      };
      if (transition.to === 'ok' || transition.from === 'pending') this.#log.info(data, 'verdict changed');
      else this.#log.warn(data, 'verdict changed');
    }
  }

  /** A probe threw: a bug. Record it for that target; every other target carries on. */
  #internalError(job: Job, err: unknown): void {
    const atMs = this.#deps.clock.nowMs();
    this.#metrics.recordInternalError(labelsOf(job));
    this.#tracker.recordInternalError(
      job.key,
      `internal error: ${(err as Error)?.message ?? String(err)}`,
      atMs,
    );
    this.#log.error(
      { err, target: job.name, family: job.family, server: formatServerAddress(job.server) },
      'probe failed internally',
    );
  }
}

function labelsOf(t: ExpandedTarget): TargetLabels {
  return { target: t.name, family: t.family, server: formatServerAddress(t.server) };
}
