/**
 * `dns-headroom lab`: serve the lab scenarios on loopback, or list them with the probe command
 * that shows each one (PRODUCT.md section 4). Argument checks and list formatting are pure;
 * only `runLab` touches sockets and signals.
 */
import net from 'node:net';
import { parseArgs } from '../builtins.ts';
import { systemClock } from '../clock.ts';
import { DnsHeadroomError } from '../errors.ts';
import {
  DEFAULT_GROW_EVERY_SECONDS,
  formatServer,
  growthTimeline,
  KUBERNETES_RESOLV_CONF_FILE,
  kubernetesResolvConf,
  type LabAddresses,
  LabServer,
  probeCommand,
  SCENARIOS,
  type Scenario,
  withGrowEvery,
} from '../lab/index.ts';
import { type CliIo, EXIT } from './io.ts';

/**
 * Default lab port. 5300 needs no privileges (ports under 1024 need root or
 * CAP_NET_BIND_SERVICE) and stays clear of 5353, where mDNS responders (avahi,
 * systemd-resolved) listen and multicast traffic arrives. 5301 is the UDP-only listener.
 */
export const DEFAULT_LAB_PORT = 5300;

/** Default lab address: IPv4 loopback. */
export const DEFAULT_LAB_ADDRESS = '127.0.0.1';

/** `dns-headroom lab --help`. */
export const LAB_HELP = `Usage: dns-headroom lab [--port N] [--address IP] [--grow-every SECONDS] [--list] [--json]

Serve the dns-headroom lab: a small DNS server on loopback whose names reproduce every way an
answer outgrows the 512-byte UDP limit (partial and empty truncation, CNAME chains, a growing
headless Service, TCP refused or hanging, SERVFAIL, NXDOMAIN on search suffixes, a reply cut
without TC). Probe its names to see every verdict without a cluster.

Options:
  --port N                  UDP+TCP port (default ${DEFAULT_LAB_PORT}). Port N+1 serves UDP only, so TCP
                            there is refused. ${DEFAULT_LAB_PORT} needs no root and is not 5353 (mDNS).
                            0 picks free ports.
  --address IP              loopback address to bind (default ${DEFAULT_LAB_ADDRESS}; ::1 for IPv6).
                            Only loopback: the lab answers anyone with oversized and hostile replies.
  --grow-every SECONDS      the headless scenario gains one A record this often (default ${DEFAULT_GROW_EVERY_SECONDS})
  --list                    print every scenario with the command that probes it, then exit
  --json                    with --list: the list as JSON; when serving: one JSON line with the addresses
  --kubernetes-resolv-conf  print a Kubernetes pod resolv.conf for the search scenario, then exit
  -h, --help                show this help

The lab runs until interrupted (Ctrl-C, SIGTERM).
`;

/** Parsed `lab` arguments. */
export interface LabArgs {
  readonly port: number;
  readonly address: string;
  readonly growEverySeconds: number;
  readonly list: boolean;
  readonly json: boolean;
  readonly kubernetesResolvConf: boolean;
  readonly help: boolean;
}

/** Reading arguments: the values, or a usage message. */
export type LabArgsResult =
  | { readonly ok: true; readonly args: LabArgs }
  | { readonly ok: false; readonly message: string };

/** Whether `address` is an IPv4 loopback (127.0.0.0/8) or the IPv6 loopback literal. */
export function isLoopback(address: string): boolean {
  if (net.isIPv4(address)) return address.startsWith('127.');
  if (net.isIPv6(address)) return net.SocketAddress.parse(`[${address}]:0`)?.address === '::1';
  return false;
}

/** Parses `lab` arguments (pure). */
export function parseLabArgs(argv: readonly string[]): LabArgsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        address: { type: 'string' },
        'grow-every': { type: 'string' },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
        'kubernetes-resolv-conf': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const portText = typeof values.port === 'string' ? values.port : String(DEFAULT_LAB_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_534)) {
    return {
      ok: false,
      message: `--port must be a number from 0 to 65534 (N+1 is used too), got '${portText}'`,
    };
  }
  const address = typeof values.address === 'string' ? values.address : DEFAULT_LAB_ADDRESS;
  if (!isLoopback(address)) {
    return {
      ok: false,
      message: `--address must be a loopback IP address (127.0.0.1, ::1), got '${address}'`,
    };
  }
  const growText =
    typeof values['grow-every'] === 'string' ? values['grow-every'] : String(DEFAULT_GROW_EVERY_SECONDS);
  const growEverySeconds = /^\d+(\.\d+)?$/.test(growText) ? Number(growText) : Number.NaN;
  if (!(growEverySeconds >= 0.1 && growEverySeconds <= 86_400)) {
    return {
      ok: false,
      message: `--grow-every must be a number of seconds from 0.1 to 86400, got '${growText}'`,
    };
  }
  return {
    ok: true,
    args: {
      port,
      address,
      growEverySeconds,
      list: values.list === true,
      json: values.json === true,
      kubernetesResolvConf: values['kubernetes-resolv-conf'] === true,
      help: values.help === true,
    },
  };
}

/** The addresses the lab will use for `address` and `port` (before binding: port N and N+1). */
export function plannedAddresses(address: string, port: number): LabAddresses {
  return { main: { host: address, port }, udpOnly: { host: address, port: port + 1 } };
}

function timelineText(s: Scenario): string | null {
  const steps = growthTimeline(s);
  if (steps.length < 2) return null;
  return steps.map((step) => `${step.verdict} at ${step.atSeconds} s (${step.a} A)`).join(', ');
}

/** One scenario as `--list --json` shows it. */
export interface ScenarioListing {
  readonly id: string;
  readonly name: string;
  readonly expectedVerdict: string;
  readonly server: string;
  readonly hostile: boolean;
  readonly resolvConf: string | null;
  readonly description: string;
  readonly command: string;
  /** For a growing scenario: when its verdict changes. */
  readonly timeline: readonly { atSeconds: number; a: number; verdict: string }[];
}

/** The scenario list as data (the `--list --json` document). */
export function scenarioListing(
  servers: LabAddresses,
  scenarios: readonly Scenario[],
): {
  servers: { main: string; udpOnly: string };
  scenarios: ScenarioListing[];
  kubernetesResolvConf: string;
} {
  return {
    servers: { main: formatServer(servers.main), udpOnly: formatServer(servers.udpOnly) },
    scenarios: scenarios.map((s) => ({
      id: s.id,
      name: s.name,
      expectedVerdict: s.expectedVerdict,
      server: formatServer(s.server === 'udp-only' ? servers.udpOnly : servers.main),
      hostile: s.hostile,
      resolvConf: s.resolvConf ?? null,
      description: s.description,
      command: probeCommand(s, servers),
      timeline: growthTimeline(s),
    })),
    kubernetesResolvConf: kubernetesResolvConf(servers.main.host),
  };
}

/** The human `--list` table: one row per scenario, its description and probe command beneath. */
export function formatScenarioList(servers: LabAddresses, scenarios: readonly Scenario[]): string {
  const idWidth = Math.max(2, ...scenarios.map((s) => s.id.length)) + 2;
  const verdictWidth = 'EXPECTED'.length + 2;
  const block = (s: Scenario): string[] => {
    const lines = [`${s.id.padEnd(idWidth)}${s.expectedVerdict.padEnd(verdictWidth)}${s.name}`];
    lines.push(`    ${s.description}`);
    const timeline = timelineText(s);
    if (timeline !== null) lines.push(`    Verdict over time: ${timeline}.`);
    lines.push(`    $ ${probeCommand(s, servers)}`);
    return lines;
  };
  const demo = scenarios.filter((s) => !s.hostile);
  const hostile = scenarios.filter((s) => s.hostile);
  const out = [
    `dns-headroom lab scenarios: UDP+TCP on ${formatServer(servers.main)}, UDP only on ${formatServer(servers.udpOnly)}`,
    '',
    `${'ID'.padEnd(idWidth)}${'EXPECTED'.padEnd(verdictWidth)}NAME`,
    ...demo.flatMap(block),
  ];
  if (hostile.length > 0) {
    out.push('', 'Hostile replies, for testing probes (the demo hides them):', ...hostile.flatMap(block));
  }
  if (scenarios.some((s) => s.resolvConf === 'kubernetes')) {
    out.push(
      '',
      `Scenarios probed with --resolv-conf ${KUBERNETES_RESOLV_CONF_FILE} need a Kubernetes pod resolv.conf:`,
      `    $ dns-headroom lab --kubernetes-resolv-conf > ${KUBERNETES_RESOLV_CONF_FILE}`,
    );
  }
  out.push('Any other name gets NXDOMAIN.', '');
  return out.join('\n');
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Runs `dns-headroom lab`; resolves to the exit code. */
export async function runLab(args: string[], io: CliIo): Promise<number> {
  const parsed = parseLabArgs(args);
  if (!parsed.ok) {
    io.stderr.write(`dns-headroom lab: ${parsed.message}\nRun 'dns-headroom lab --help' for usage.\n`);
    return EXIT.USAGE;
  }
  const opts = parsed.args;
  if (opts.help) {
    io.stdout.write(LAB_HELP);
    return EXIT.OK;
  }
  if (opts.kubernetesResolvConf) {
    io.stdout.write(kubernetesResolvConf(opts.address));
    return EXIT.OK;
  }
  const scenarios = withGrowEvery(SCENARIOS, opts.growEverySeconds);
  if (opts.list) {
    const servers = plannedAddresses(opts.address, opts.port);
    io.stdout.write(
      opts.json
        ? `${JSON.stringify(scenarioListing(servers, scenarios), null, 2)}\n`
        : formatScenarioList(servers, scenarios),
    );
    return EXIT.OK;
  }
  return serve(opts, scenarios, io);
}

async function serve(opts: LabArgs, scenarios: readonly Scenario[], io: CliIo): Promise<number> {
  // Without an injected stop signal, SIGINT/SIGTERM stop the lab; the handlers are removed after.
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  const signal = io.stopSignal ?? controller.signal;
  if (io.stopSignal === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const server = new LabServer({ address: opts.address, port: opts.port, clock: systemClock, scenarios });
  try {
    let servers: LabAddresses;
    try {
      servers = await server.start();
    } catch (err) {
      if (!(err instanceof DnsHeadroomError)) throw err;
      io.stderr.write(`dns-headroom lab: ${err.message}\n`);
      return EXIT.FINDING;
    }
    io.stdout.write(opts.json ? `${JSON.stringify(servers)}\n` : banner(servers, opts));
    await waitForAbort(signal);
    await server.stop();
    if (!opts.json) io.stdout.write('dns-headroom lab stopped.\n');
    return EXIT.OK;
  } finally {
    await server.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function banner(servers: LabAddresses, opts: LabArgs): string {
  const example = SCENARIOS.find((s) => s.id === 'partial') ?? SCENARIOS[0];
  const listFlags = [
    opts.port === DEFAULT_LAB_PORT ? '' : ` --port ${servers.main.port}`,
    opts.address === DEFAULT_LAB_ADDRESS ? '' : ` --address ${opts.address}`,
  ].join('');
  return [
    'dns-headroom lab is serving lab.test and web.default.svc.cluster.local',
    `  UDP+TCP   ${formatServer(servers.main)}`,
    `  UDP only  ${formatServer(servers.udpOnly)}   (TCP refused here: the tcp-refused scenario)`,
    '',
    'Try:',
    example === undefined ? '' : `  ${probeCommand(example, servers)}`,
    `  dns-headroom lab --list${listFlags}   (every scenario with its probe command)`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
