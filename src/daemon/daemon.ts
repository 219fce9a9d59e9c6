/**
 * The long-running process of the DaemonSet: config in, scheduled probes, metrics, status, HTTP.
 * Wiring of tested parts; the decisions live in config/, schedule/, probe/, verdict/, metrics/ and
 * kube/. Constructing it starts nothing: `start()` loads the config, listens and schedules; `stop()`
 * undoes it.
 *
 * The config comes from a file or a ConfigMap (kube/configmap-source.ts); the Kubernetes features
 * of the config (kube/discovery.ts) add servers (each CoreDNS endpoint) and targets (headless
 * Services near the limit, ExternalName targets) on top of the configured ones.
 */
import type http from 'node:http';
import { readFile } from '../builtins.ts';
import type { Clock } from '../clock.ts';
import {
  type Config,
  ConfigStore,
  diffTargets,
  type ExpandedTarget,
  expandTargets,
  FileConfigSource,
  formatIssue,
  type KubernetesConfig,
  labelNames,
  type TargetConfig,
} from '../config/index.ts';
import {
  type BackoffOptions,
  ClusterDiscovery,
  type ConfigMapObject,
  type ConfigMapRef,
  ConfigMapSource,
  configMapSourceName,
  connectKube,
  type DelayFn,
  type KubeConnectOptions,
  type KubeConnectResult,
  ResilientWatch,
} from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { createMetrics, type Metrics, type TargetLabels, withExchangeMetrics } from '../metrics/index.ts';
import { FastRegistry } from '../metrics/registry.ts';
import {
  createNetTransport,
  type DnsTransport,
  formatServerAddress,
  type ProbeDeps,
  probe,
  randomQueryIds,
  type ServerAddress,
} from '../probe/index.ts';
import { reportJson } from '../report/index.ts';
import { DEFAULT_RESOLV_CONF, parseResolvConf, type ResolvConf } from '../resolver/index.ts';
import { Scheduler, TokenBucket, withQueryBudget } from '../schedule/index.ts';
import { buildServer } from '../server/index.ts';
import { judge } from '../verdict/index.ts';
import type { KubernetesStatus, StatusSnapshot } from './status.ts';
import { tcpCheck, tcpCheckEveryRounds } from './tcp-check.ts';
import { StatusTracker } from './tracker.ts';

/** How the daemon reaches the Kubernetes API (the ConfigMap source and the `kubernetes` features). */
export interface DaemonKubeDeps {
  /** `--kubeconfig FILE`; null or absent: `KUBECONFIG`, else the pod's service account. */
  readonly kubeconfigPath?: string | null;
  /** Where `KUBECONFIG` and `KUBERNETES_SERVICE_HOST` are read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces `connectKube` (tests). */
  readonly connect?: (options: KubeConnectOptions) => Promise<KubeConnectResult>;
  /** Restart pauses of the watches (tests inject short ones). */
  readonly delay?: DelayFn;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  /** How long `start()` waits for the first ConfigMap list (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** The edges the daemon needs. */
export interface DaemonDeps {
  /** The config file; exactly one of `configPath` and `configMap`. */
  readonly configPath?: string;
  /** The config from the `config.yaml` key of this ConfigMap (`--configmap NAMESPACE/NAME`). */
  readonly configMap?: ConfigMapRef;
  readonly kube?: DaemonKubeDeps;
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
  /**
   * Runs once each time every target has had its first probe (at start, and after a reload that
   * adds targets), to give start-up's memory back (release-memory.ts). None: nothing is released.
   */
  readonly releaseMemory?: (() => void) | null;
}

/** How `start()` went. */
export type StartOutcome =
  | { readonly ok: true; readonly address: { host: string; port: number } }
  | { readonly ok: false; readonly reason: string };

/** A target as the scheduler runs it. */
type Job = ExpandedTarget;

/** What the daemon needs of a config source (file or ConfigMap). */
interface ConfigSource {
  reload(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The daemon. */
export class Daemon {
  readonly #deps: DaemonDeps;
  readonly #log: Logger;
  readonly #store: ConfigStore;
  #source: ConfigSource | null = null;
  readonly #sourceName: string;
  #kube: Promise<KubeConnectResult> | null = null;
  #kubeError: string | null = null;
  #configMapWatch: ResilientWatch<ConfigMapObject> | null = null;
  #discovery: ClusterDiscovery | null = null;
  #retargetQueued = false;
  readonly #tracker = new StatusTracker();
  readonly #registry = new FastRegistry();
  readonly #metrics: Metrics;
  readonly #bucket: TokenBucket;
  readonly #transport: DnsTransport;
  /** What every probe gets: the transport, the clock and one stream of query ids. */
  readonly #probeDeps: ProbeDeps;
  /** The socket transport the daemon owns (null when one was injected). */
  readonly #netTransport: (DnsTransport & { close(): void }) | null;
  readonly #scheduler: Scheduler<Job>;
  #server: http.Server | null = null;
  #targets: readonly ExpandedTarget[] = [];
  #resolv: ResolvConf = DEFAULT_RESOLV_CONF;
  #summary: NodeJS.Timeout | null = null;
  /** Probes started per target key, to pick the rounds that check TCP. */
  readonly #rounds = new Map<string, number>();

  constructor(deps: DaemonDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ component: 'daemon' });
    this.#metrics = createMetrics(this.#registry, { version: deps.version, node: deps.node ?? undefined });
    this.#store = new ConfigStore({
      clock: deps.clock,
      log: deps.log.child({ component: 'config' }),
      onReload: () => this.#recordReload(),
    });
    if ((deps.configPath === undefined) === (deps.configMap === undefined)) {
      throw new TypeError('Daemon needs exactly one of configPath and configMap');
    }
    this.#sourceName = deps.configMap ? configMapSourceName(deps.configMap) : (deps.configPath as string);
    this.#bucket = new TokenBucket({ ratePerSecond: 100, clock: deps.clock });
    this.#netTransport = deps.transport ? null : createNetTransport(deps.clock);
    this.#transport = withExchangeMetrics(
      withQueryBudget(deps.transport ?? (this.#netTransport as DnsTransport), this.#bucket),
      this.#metrics,
    );
    this.#probeDeps = { transport: this.#transport, clock: deps.clock, randomId: randomQueryIds() };
    this.#scheduler = new Scheduler<Job>({
      clock: deps.clock,
      random: Math.random,
      intervalMs: 30_000,
      jitter: 0.1,
      concurrency: 32,
      tickMs: schedulerTickMs(30_000),
      run: (job, signal) => this.#probe(job, signal),
      onError: (job, err) => this.#internalError(job, err),
      onRoundComplete: () => this.#afterFirstRound(),
    });
  }

  /** Every target has had its first probe: the most memory the daemon needs at once is behind it. */
  #afterFirstRound(): void {
    const release = this.#deps.releaseMemory;
    if (!release) return;
    const before = process.memoryUsage.rss();
    const started = this.#deps.clock.monotonicMs();
    try {
      release();
    } catch (err) {
      this.#log.warn({ err }, 'giving memory back after the first round failed');
      return;
    }
    this.#log.debug(
      {
        rssBeforeMiB: Math.round(before / 1048576),
        rssAfterMiB: Math.round(process.memoryUsage.rss() / 1048576),
        ms: Math.round(this.#deps.clock.monotonicMs() - started),
      },
      'gave memory back after the first round',
    );
  }

  /** Loads the config, starts probing and listening. A first config that is invalid is fatal. */
  async start(): Promise<StartOutcome> {
    this.#store.subscribe(({ config }) => {
      // A listener must not throw into the store; the apply runs async (resolv.conf is a file read).
      this.#applyConfig(config).catch((err: unknown) => this.#log.error({ err }, 'applying config failed'));
    });
    const loaded = await this.#startSource();
    this.#recordReload();
    if (!loaded.ok) {
      await this.#stopKube();
      return { ok: false, reason: loaded.reason };
    }
    await this.#applied;
    const config = this.#store.current() as Config;
    const listen = this.#deps.listen ?? config.listen;
    const server = buildServer({
      registry: this.#registry,
      status: () => this.status(),
      readiness: () => ({ ready: this.#isReady(), config: { loaded: this.#store.current() !== null } }),
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
      await this.#stopKube();
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
        config: this.#sourceName,
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

  /** Re-reads the config now (SIGHUP). */
  async reload(): Promise<void> {
    await this.#source?.reload();
    this.#recordReload();
    await this.#applied;
  }

  /** Loads the first config from the file or the ConfigMap. */
  async #startSource(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const log = this.#deps.log.child({ component: 'config' });
    const invalid = () => {
      const issues = (this.#store.lastReload?.issues ?? []).map(formatIssue);
      return { ok: false as const, reason: `invalid config ${this.#sourceName}:\n  ${issues.join('\n  ')}` };
    };
    const ref = this.#deps.configMap;
    if (ref === undefined) {
      const source = new FileConfigSource({ path: this.#deps.configPath as string, store: this.#store, log });
      this.#source = source;
      return (await source.start()) ? { ok: true } : invalid();
    }
    const kube = await this.#connectKube();
    if (!kube.ok) return { ok: false, reason: `cannot read ${this.#sourceName}: ${kube.reason}` };
    const k = this.#deps.kube ?? {};
    const source = new ConfigMapSource({
      ref,
      store: this.#store,
      log,
      ...(k.startTimeoutMs !== undefined ? { startTimeoutMs: k.startTimeoutMs } : {}),
      watch: (onChange) => {
        const watch = new ResilientWatch<ConfigMapObject>({
          resource: 'configmap',
          // A field selector on the name: the Role can then be limited to this one ConfigMap.
          source: kube.client.informerSource<ConfigMapObject>({
            resource: 'configmaps',
            namespace: ref.namespace,
            fieldSelector: `metadata.name=${ref.name}`,
          }),
          log: this.#deps.log.child({ component: 'kube' }),
          onChange,
          onState: (state) => this.#metrics.kube.recordWatch(state),
          ...this.#watchTuning(),
        });
        this.#configMapWatch = watch;
        return watch;
      },
    });
    this.#source = source;
    const started = await source.start();
    if (started.ok) return { ok: true };
    return started.kind === 'invalid'
      ? invalid()
      : { ok: false, reason: `${this.#sourceName}: ${started.reason}` };
  }

  #watchTuning(): { delay?: DelayFn; random?: () => number; backoff?: BackoffOptions } {
    const k = this.#deps.kube ?? {};
    return {
      ...(k.delay ? { delay: k.delay } : {}),
      ...(k.random ? { random: k.random } : {}),
      ...(k.backoff ? { backoff: k.backoff } : {}),
    };
  }

  /** The API connection, made once on first need. Never throws. */
  #connectKube(): Promise<KubeConnectResult> {
    if (this.#kube === null) {
      const k = this.#deps.kube ?? {};
      const options: KubeConnectOptions = {
        kubeconfigPath: k.kubeconfigPath ?? null,
        env: k.env ?? process.env,
      };
      this.#kube = (k.connect ?? connectKube)(options).then((result) => {
        if (result.ok) {
          this.#kubeError = null;
          this.#log.info({ server: result.client.server }, 'kubernetes API client ready');
        } else {
          this.#kubeError = result.reason;
        }
        return result;
      });
    }
    return this.#kube;
  }

  /** Starts, reconfigures or stops the cluster discovery for a config's `kubernetes` section. */
  async #configureDiscovery(k: KubernetesConfig): Promise<void> {
    if (this.#discovery === null) {
      if (!ClusterDiscovery.needed(k)) return;
      const kube = await this.#connectKube();
      if (!kube.ok) {
        this.#log.error(
          { reason: kube.reason },
          'kubernetes features are enabled but the API is out of reach; they stay off',
        );
        return;
      }
      this.#discovery = new ClusterDiscovery({
        client: kube.client,
        metrics: this.#metrics,
        log: this.#deps.log.child({ component: 'kube' }),
        onChange: () => this.#queueRetarget(),
        ...this.#watchTuning(),
      });
    }
    this.#discovery.configure(k);
  }

  /** Discovery changed servers or targets: recompute the probe units once the current apply is done. */
  #queueRetarget(): void {
    if (this.#retargetQueued) return;
    this.#retargetQueued = true;
    this.#applied = this.#applied
      .then(() => {
        this.#retargetQueued = false;
        if (this.#config) this.#retarget(this.#config);
      })
      .catch((err: unknown) => this.#log.error({ err }, 'applying discovered targets failed'));
  }

  async #stopKube(): Promise<void> {
    await this.#source?.stop();
    await this.#discovery?.stop();
  }

  /** Stops scheduling, lets in-flight probes finish within `graceMs`, closes the server. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#summary) clearInterval(this.#summary);
    await this.#stopKube();
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
      ...(this.#deps.configMap || this.#kube !== null ? { kubernetes: this.#kubernetesStatus() } : {}),
    };
  }

  #kubernetesStatus(): KubernetesStatus {
    const d = this.#discovery;
    const watches = [
      ...(this.#configMapWatch ? [this.#configMapWatch.state()] : []),
      ...(d?.watchStates() ?? []),
    ];
    return {
      error: this.#kubeError,
      watches: watches.map((w) => ({
        resource: w.resource,
        phase: w.phase,
        restarts: w.restarts,
        lastError: w.lastError,
      })),
      dnsServers: (d?.dnsServers() ?? []).map(formatServerAddress),
      forecasts: (d?.forecasts() ?? []).map((f) => ({
        namespace: f.namespace,
        service: f.service,
        name: f.name,
        headroomBytes: f.headroomBytes,
        probed: f.probed,
        qtypes: f.qtypes.map((q) => ({
          qtype: q.qtype,
          readyEndpoints: q.readyEndpoints,
          predictedBytes: q.predictedBytes,
          headroomBytes: q.headroomBytes,
          maxSafeEndpoints: q.maxSafeEndpoints,
        })),
      })),
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
  get registry(): FastRegistry {
    return this.#registry;
  }

  #applied: Promise<void> = Promise.resolve();

  #recordReload(): void {
    const gauges = this.#store.reloadGauges();
    this.#metrics.recordReload(gauges.successful === 1, this.#store.lastSuccessAtMs);
  }

  /** Applies a new config: resolv.conf, discovery, targets, metrics series, scheduler, budget, log level. */
  #applyConfig(config: Config): Promise<void> {
    this.#applied = this.#applied.then(async () => {
      this.#deps.log.level = config.logLevel;
      this.#resolv = await this.#readResolvConf(config.resolvConf);
      await this.#configureDiscovery(config.kubernetes);
      this.#bucket.setRate(config.queriesPerSecond);
      this.#scheduler.setOptions({
        intervalMs: config.intervalMs,
        jitter: config.jitter,
        concurrency: config.concurrency,
        tickMs: schedulerTickMs(config.intervalMs),
      });
      const diff = this.#retarget(config);
      this.#config = config;
      this.#log.info(
        { targets: this.#targets.length, added: diff.added.length, removed: diff.removed.length },
        'config applied',
      );
    });
    return this.#applied;
  }

  /**
   * Recomputes the probe units: the config's targets plus the discovered ones, over the resolv.conf
   * nameservers plus the discovered DNS servers; updates series, tracker and scheduler.
   */
  #retarget(config: Config): ReturnType<typeof diffTargets> {
    const servers = new Map<string, ServerAddress>();
    for (const host of this.#resolv.nameservers) {
      const server = { host, port: 53 };
      servers.set(formatServerAddress(server), server);
    }
    for (const server of this.#discovery?.dnsServers() ?? [])
      servers.set(formatServerAddress(server), server);
    const { families, warnBytes } = config.kubernetes.discovered;
    const discovered: TargetConfig[] = (this.#discovery?.targets() ?? []).map((t) => ({
      name: t.name,
      families,
      warnBytes,
      servers: [],
      labels: {},
    }));
    const effective =
      discovered.length === 0 ? config : { ...config, targets: [...config.targets, ...discovered] };
    const next = expandTargets(effective, [...servers.values()]);
    const diff = diffTargets(this.#targets, next);
    // Info series pick their label names at scrape time from each target's config labels, so a
    // change of label names only renames columns; targets whose labels changed are relabelled.
    this.#metrics.setInfoLabelNames(labelNames(config));
    for (const t of diff.removed) this.#metrics.removeTarget(labelsOf(t));
    for (const { before } of diff.relabelled) this.#metrics.removeTarget(labelsOf(before));
    for (const t of diff.added) this.#metrics.addTarget(labelsOf(t), t.labels);
    for (const { after } of diff.relabelled) this.#metrics.addTarget(labelsOf(after), after.labels);
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
    this.#scheduler.setJobs(next);
    return diff;
  }

  #config: Config | null = null;

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
        tcp: tcpCheck(round, job.key, job.family, tcpCheckEveryRounds(config.intervalMs)),
      },
      this.#probeDeps,
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

/**
 * The scheduler's timer granularity for an interval: probes due within the same second start
 * together, so the process wakes about once a second instead of once per target (see "Timer
 * coalescing" in src/schedule/scheduler.ts). A twentieth of short intervals (demo and tests), so a
 * probe is never late by more than 5% of its period.
 */
export function schedulerTickMs(intervalMs: number): number {
  return Math.min(1000, intervalMs / 20);
}
