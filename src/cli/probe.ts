/**
 * `dns-headroom probe`: the on-call tool. Asks each server the way a musl pod would, measures the
 * answers against 512 bytes and prints what each C library will return.
 */
import { parseArgs, readFile } from '../builtins.ts';
import { type Clock, systemClock } from '../clock.ts';
import {
  createNetTransport,
  type DnsTransport,
  type Family,
  parseServerAddress,
  probe,
  randomQueryIds,
  type ServerAddress,
} from '../probe/index.ts';
import { type ProbeReportJson, renderReport, reportJson } from '../report/index.ts';
import { checkName, DEFAULT_RESOLV_CONF, parseResolvConf, type ResolvConf } from '../resolver/index.ts';
import { DEFAULT_WARN_BYTES, judge } from '../verdict/index.ts';
import { type CliIo, EXIT } from './io.ts';

/** Help text of `probe`. */
export const PROBE_HELP = `Usage: dns-headroom probe NAME... [options]

Resolve each NAME the way a pod's getaddrinfo would (search list, ndots, UDP without EDNS0,
TCP fallback) and report, per server: the answer size against the 512-byte UDP limit, whether it
is truncated (TC), addresses kept vs complete, what musl 1.2.3, musl 1.2.4, musl 1.2.5 and glibc
will return, a verdict (ok, at_risk, degraded, failing, error) and a one-line diagnosis.

Options:
  --server HOST[:PORT]   DNS server to ask (IP literal; repeat for several; IPv6 as [::1]:53).
                         Default: the nameservers of the resolv.conf.
  --resolv-conf FILE     resolv.conf whose search list and ndots apply (default /etc/resolv.conf;
                         a pod's is what its getaddrinfo uses). Missing default file: musl defaults.
  --family F             inet (AF_INET, A), inet6 (AF_INET6, AAAA) or unspec (both; default).
  --json                 One JSON document (several names or servers: {"results": [...]}).
  --timeout MS           Deadline per query, in milliseconds (default 2000).
  --warn-bytes N         Headroom under N bytes is at_risk (default ${DEFAULT_WARN_BYTES}).
  --edns SIZE            Also send an EDNS0 query advertising SIZE bytes (512-65535).
  -h, --help             This help.

Exit status: 0 every name is ok, 1 some name is not ok (a finding), 2 usage error.

Examples:
  dns-headroom probe kubernetes.default --resolv-conf /etc/resolv.conf
  dns-headroom probe partial.lab.test --server 127.0.0.1:5300     (against \`dns-headroom lab\`)
  dns-headroom probe web.shop.svc.cluster.local --server 192.0.2.10 --family inet --json
`;

/** Parsed `probe` options. */
export interface ProbeOptions {
  readonly names: readonly string[];
  readonly servers: readonly ServerAddress[];
  readonly resolvConf: string | null;
  readonly family: Family;
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly warnBytes: number;
  readonly ednsPayloadSize: number | undefined;
  readonly help: boolean;
}

/** Options or a usage message. */
export type ProbeArgs = { ok: true; options: ProbeOptions } | { ok: false; message: string };

const FAMILIES: readonly Family[] = ['inet', 'inet6', 'unspec'];

function integer(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
  fallback: number,
): number | string {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    return `${flag} takes a whole number from ${min} to ${max}`;
  return value;
}

/** Parses `probe` arguments; pure. */
export function parseProbeArgs(args: readonly string[]): ProbeArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: 'string', multiple: true },
        'resolv-conf': { type: 'string' },
        family: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'warn-bytes': { type: 'string' },
        edns: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const help = v.help === true;
  const names = parsed.positionals;
  if (!help && names.length === 0) return { ok: false, message: 'probe needs at least one NAME' };
  for (const name of names) {
    const problem = checkName(name);
    if (problem) return { ok: false, message: problem };
  }
  const servers: ServerAddress[] = [];
  for (const text of (v.server as string[] | undefined) ?? []) {
    const server = parseServerAddress(text);
    if (!server.ok) return { ok: false, message: server.message };
    servers.push(server.server);
  }
  const family = (v.family as string | undefined) ?? 'unspec';
  if (!FAMILIES.includes(family as Family)) {
    return { ok: false, message: `--family takes inet, inet6 or unspec, not "${family}"` };
  }
  const timeoutMs = integer(v.timeout as string | undefined, '--timeout', 1, 60_000, 2000);
  const warnBytes = integer(
    v['warn-bytes'] as string | undefined,
    '--warn-bytes',
    0,
    512,
    DEFAULT_WARN_BYTES,
  );
  const edns = integer(v.edns as string | undefined, '--edns', 512, 65_535, -1);
  for (const value of [timeoutMs, warnBytes, edns])
    if (typeof value === 'string') return { ok: false, message: value };
  return {
    ok: true,
    options: {
      names,
      servers,
      resolvConf: (v['resolv-conf'] as string | undefined) ?? null,
      family: family as Family,
      json: v.json === true,
      timeoutMs: timeoutMs as number,
      warnBytes: warnBytes as number,
      ednsPayloadSize: edns === -1 ? undefined : (edns as number),
      help,
    },
  };
}

/** The edges of `probe`, injectable for tests. */
export interface ProbeCommandDeps {
  readonly transport?: DnsTransport;
  readonly clock?: Clock;
  readonly readText?: (path: string) => Promise<string>;
}

const DEFAULT_RESOLV_CONF_PATH = '/etc/resolv.conf';

/** Runs `dns-headroom probe`; returns the exit code. */
export async function runProbe(args: string[], io: CliIo, deps: ProbeCommandDeps = {}): Promise<number> {
  const parsed = parseProbeArgs(args);
  if (!parsed.ok) {
    io.stderr.write(`dns-headroom probe: ${parsed.message}\nRun 'dns-headroom probe --help' for usage.\n`);
    return EXIT.USAGE;
  }
  const options = parsed.options;
  if (options.help) {
    io.stdout.write(PROBE_HELP);
    return EXIT.OK;
  }
  const clock = deps.clock ?? systemClock;
  const transport = deps.transport ?? createNetTransport(clock);
  const readText = deps.readText ?? ((path: string) => readFile(path, 'utf8'));

  let conf: ResolvConf;
  const path = options.resolvConf ?? DEFAULT_RESOLV_CONF_PATH;
  try {
    conf = parseResolvConf(await readText(path));
  } catch (err) {
    if (options.resolvConf !== null) {
      io.stderr.write(`dns-headroom probe: cannot read --resolv-conf ${path}: ${(err as Error).message}\n`);
      return EXIT.USAGE;
    }
    // No resolv.conf at all: musl then uses its built-in defaults (resolvconf.c).
    conf = DEFAULT_RESOLV_CONF;
  }
  const servers =
    options.servers.length > 0 ? options.servers : conf.nameservers.map((host) => ({ host, port: 53 }));

  const jobs = options.names.flatMap((name) => servers.map((server) => ({ name, server })));
  const randomId = randomQueryIds();
  const reports: ProbeReportJson[] = await Promise.all(
    jobs.map(async ({ name, server }) => {
      const spec = {
        name,
        family: options.family,
        server,
        search: conf.search,
        ndots: conf.ndots,
        timeoutMs: options.timeoutMs,
        ednsPayloadSize: options.ednsPayloadSize,
      };
      const result = await probe(spec, { transport, clock, randomId });
      return reportJson(result, judge(result, { warnBytes: options.warnBytes }), options.warnBytes);
    }),
  );

  if (options.json) {
    const doc = reports.length === 1 ? reports[0] : { results: reports };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    io.stdout.write(`${reports.map(renderReport).join('\n\n')}\n`);
    if (reports.length > 1) {
      const counts = new Map<string, number>();
      for (const r of reports) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
      io.stdout.write(`\n${reports.length} probes: ${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')}\n`);
    }
  }
  return reports.every((r) => r.verdict === 'ok') ? EXIT.OK : EXIT.FINDING;
}
