/**
 * `dns-headroom forecast`: the application team's question, answered offline: "will Alpine pods
 * still resolve my headless Service when it has N ready pods?" Same size rule and C-library models
 * as the probe and the daemon's Service forecasts (kube/forecast.ts); nothing is sent anywhere.
 */
import { parseArgs } from '../builtins.ts';
import { CLIENT_NAMES, type ClientOutcome } from '../clients/index.ts';
import { forecastAnswer, predictClients, type QtypeForecast, type RecordCounts } from '../kube/index.ts';
import type { Family, Qtype } from '../probe/index.ts';
import { checkName } from '../resolver/index.ts';
import { type CliIo, EXIT } from './io.ts';

/** Help text of `forecast`. */
export const FORECAST_HELP = `Usage: dns-headroom forecast --endpoints N --name NAME [options]

Predict, without asking any server, the DNS answer for a headless Service name with N ready
endpoints: its size against the 512-byte UDP limit, the most endpoints that still fit, and what
musl 1.2.3, musl 1.2.4, musl 1.2.5 and glibc getaddrinfo return. The answer is assumed to be
truncated the way CoreDNS truncates (TC, keeping the records that fit).

Options:
  --endpoints N          Ready endpoints (one address record each), 0 to 10000. Required.
  --name NAME            The full name the answer is for, e.g. web.shop.svc.cluster.local. Required.
  --family F             What getaddrinfo asks: inet (A), inet6 (AAAA) or unspec (both; default).
  --stack S              The Service's address families: ipv4 (default: N A records, no AAAA),
                         ipv6 (N AAAA records) or dual (N of each).
  --json                 One JSON document.
  -h, --help             This help.

Exit status: 0 the answer fits in 512 bytes, 1 it does not, 2 usage error.

Example:
  dns-headroom forecast --endpoints 35 --name web.shop.svc.cluster.local
`;

/** The Service's IP families. */
export type Stack = 'ipv4' | 'ipv6' | 'dual';

/** Parsed `forecast` options. */
export interface ForecastOptions {
  readonly endpoints: number;
  readonly name: string;
  readonly family: Family;
  readonly stack: Stack;
  readonly json: boolean;
}

/** Options, help, or a usage message. */
export type ForecastArgs =
  | { ok: true; options: ForecastOptions }
  | { ok: true; help: true }
  | { ok: false; message: string };

/** Largest `--endpoints`: far beyond any answer that could fit, small enough to compute instantly. */
export const MAX_FORECAST_ENDPOINTS = 10_000;

const FAMILIES: readonly Family[] = ['inet', 'inet6', 'unspec'];
const STACKS: readonly Stack[] = ['ipv4', 'ipv6', 'dual'];

/** Parses the arguments; pure. */
export function parseForecastArgs(args: readonly string[]): ForecastArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        endpoints: { type: 'string' },
        name: { type: 'string' },
        family: { type: 'string' },
        stack: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  if (values.help) return { ok: true, help: true };
  const endpointsText = values.endpoints as string | undefined;
  if (endpointsText === undefined) return { ok: false, message: '--endpoints N is required' };
  const endpoints = /^\d+$/.test(endpointsText) ? Number(endpointsText) : Number.NaN;
  if (!Number.isInteger(endpoints) || endpoints > MAX_FORECAST_ENDPOINTS) {
    return { ok: false, message: `--endpoints takes a whole number from 0 to ${MAX_FORECAST_ENDPOINTS}` };
  }
  const name = values.name as string | undefined;
  if (name === undefined) return { ok: false, message: '--name NAME is required' };
  const problem = checkName(name);
  if (problem !== null) return { ok: false, message: `--name: ${problem}` };
  const family = (values.family as string | undefined) ?? 'unspec';
  if (!FAMILIES.includes(family as Family)) {
    return { ok: false, message: `--family takes inet, inet6 or unspec, not "${family}"` };
  }
  const stack = (values.stack as string | undefined) ?? 'ipv4';
  if (!STACKS.includes(stack as Stack)) {
    return { ok: false, message: `--stack takes ipv4, ipv6 or dual, not "${stack}"` };
  }
  return {
    ok: true,
    options: {
      endpoints,
      name: name.replace(/\.$/, '').toLowerCase(),
      family: family as Family,
      stack: stack as Stack,
      json: values.json === true,
    },
  };
}

/** The forecast document (`--json`). */
export interface ForecastReport {
  readonly name: string;
  readonly endpoints: number;
  readonly stack: Stack;
  readonly family: Family;
  /** Every answer the family asks for fits in 512 bytes. */
  readonly fits: boolean;
  /** Per qtype the family asks for: records, bytes, headroom, max safe endpoints. */
  readonly qtypes: Partial<Record<Qtype, QtypeForecast>>;
  readonly clients: Readonly<Record<string, ClientOutcome>>;
  /** How an answer over 512 bytes is assumed to be truncated. */
  readonly truncation: 'partial';
}

/** Record counts of a Service with `endpoints` ready endpoints on `stack`. */
export function recordCounts(endpoints: number, stack: Stack): RecordCounts {
  return {
    A: stack === 'ipv6' ? 0 : endpoints,
    AAAA: stack === 'ipv4' ? 0 : endpoints,
  };
}

/** Computes the forecast; pure. */
export function forecastReport(options: ForecastOptions): ForecastReport {
  const counts = recordCounts(options.endpoints, options.stack);
  const asked: readonly Qtype[] =
    options.family === 'inet' ? ['A'] : options.family === 'inet6' ? ['AAAA'] : ['A', 'AAAA'];
  const qtypes: Partial<Record<Qtype, QtypeForecast>> = {};
  for (const qtype of asked) qtypes[qtype] = forecastAnswer(options.name, qtype, counts[qtype]);
  return {
    name: options.name,
    endpoints: options.endpoints,
    stack: options.stack,
    family: options.family,
    fits: Object.values(qtypes).every((q) => q.fits),
    qtypes,
    clients: predictClients(options.name, options.family, counts),
    truncation: 'partial',
  };
}

const FAMILY_TEXT: Readonly<Record<Family, string>> = {
  inet: 'AF_INET',
  inet6: 'AF_INET6',
  unspec: 'AF_UNSPEC',
};
const STACK_TEXT: Readonly<Record<Stack, string>> = { ipv4: 'IPv4', ipv6: 'IPv6', dual: 'dual-stack' };

function outcomeText(o: ClientOutcome): string {
  return o.error ?? String(o.addresses);
}

/** The human-readable forecast. */
export function renderForecast(r: ForecastReport): string {
  const lines = [
    `${r.name} with ${r.endpoints} ready ${r.endpoints === 1 ? 'endpoint' : 'endpoints'} (${STACK_TEXT[r.stack]}), getaddrinfo ${FAMILY_TEXT[r.family]}`,
  ];
  for (const q of Object.values(r.qtypes)) {
    if (q.readyEndpoints === 0) {
      lines.push(
        `  ${q.qtype.padEnd(5)}no records (the Service has no ${q.qtype === 'A' ? 'IPv4' : 'IPv6'} endpoints)`,
      );
      continue;
    }
    const room = q.fits ? `${q.headroomBytes} B headroom` : `${-q.headroomBytes} B over 512`;
    lines.push(
      `  ${q.qtype.padEnd(5)}${`${q.predictedBytes} B`.padEnd(8)}${room.padEnd(17)}${q.readyEndpoints} of ${q.maxSafeEndpoints} safe endpoints`,
    );
  }
  lines.push(
    `  getaddrinfo: ${CLIENT_NAMES.map((c) => `${c} ${outcomeText(r.clients[c] as ClientOutcome)}`).join(' | ')}`,
  );
  lines.push(`  ${verdictLine(r)}`);
  return `${lines.join('\n')}\n`;
}

function verdictLine(r: ForecastReport): string {
  const over = Object.values(r.qtypes).filter((q) => !q.fits);
  if (over.length === 0) {
    const tight = Object.values(r.qtypes)
      .filter((q) => q.readyEndpoints > 0)
      .sort((a, b) => a.headroomBytes - b.headroomBytes)[0];
    if (tight === undefined) return 'fits: no address records at all';
    const more = tight.maxSafeEndpoints - tight.readyEndpoints;
    const next = `endpoint ${tight.maxSafeEndpoints + 1} would push the ${tight.qtype} answer over 512 bytes`;
    return more === 0
      ? `fits, with no room left: ${next}.`
      : `fits: room for ${more} more ready ${more === 1 ? 'endpoint' : 'endpoints'}; ${next}.`;
  }
  const q = over[0] as QtypeForecast;
  const musl = r.clients['musl-1.2.3'] as ClientOutcome;
  const total = Object.values(r.qtypes).reduce((n, x) => n + x.readyEndpoints, 0);
  const kept = musl.error === null ? `${musl.addresses} of ${total} addresses` : musl.error;
  return `does not fit: endpoint ${q.maxSafeEndpoints + 1} pushes the ${q.qtype} answer over 512 bytes; CoreDNS truncates it to the ${q.maxSafeEndpoints} records that fit, and musl <= 1.2.3 pods (no TCP retry) get ${kept}.`;
}

/** Runs `forecast`; returns the exit code. */
export async function runForecast(args: string[], io: CliIo): Promise<number> {
  const parsed = parseForecastArgs(args);
  if (!parsed.ok) {
    io.stderr.write(
      `dns-headroom forecast: ${parsed.message}\nRun 'dns-headroom forecast --help' for usage.\n`,
    );
    return EXIT.USAGE;
  }
  if ('help' in parsed) {
    io.stdout.write(FORECAST_HELP);
    return EXIT.OK;
  }
  const report = forecastReport(parsed.options);
  io.stdout.write(parsed.options.json ? `${JSON.stringify(report, null, 2)}\n` : renderForecast(report));
  return report.fits ? EXIT.OK : EXIT.FINDING;
}
