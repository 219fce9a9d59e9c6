/**
 * The lab's zone: one scenario per behaviour of PRODUCT.md section 1, as pure data, plus the
 * pure functions that turn a scenario into records at a given time. The server (server.ts) and
 * the reply planner (respond.ts) only read this table.
 *
 * Sizes below use the rule `12 + (qname wire length + 4) + 16 per A, 28 per AAAA` (+ each CNAME
 * record) that compressed answers follow; the unit tests check every figure quoted here.
 */
import type { ServerAddress } from '../probe/types.ts';
import { encodeResponse, type ResourceRecord, RR_TYPE, type Truncation } from './wire.ts';

/** The verdict a probe should reach (same names as src/verdict, kept local so the lab stays standalone). */
export type LabVerdict = 'ok' | 'at_risk' | 'degraded' | 'failing' | 'error';

/** Which lab listener a scenario is meant to be probed on: UDP+TCP, or UDP only (TCP refused by the kernel). */
export type LabServerRole = 'main' | 'udp-only';

/** The resolv.conf a scenario is meant to be looked up with: none (the FQDN as is) or a Kubernetes pod's. */
export type ResolvConfHint = 'plain' | 'kubernetes';

/**
 * What the lab sends over UDP: a normal answer, or one of the replies a careful client must
 * ignore or reject (musl src/network/res_msend.c ignores wrong ids, questions and sources).
 */
export type UdpReply = 'answer' | 'garbage' | 'wrong-id' | 'wrong-question' | 'other-port' | 'silent';

/**
 * What the lab does on a TCP connection: answer, accept and never answer (`hang`), send a
 * length prefix then fewer bytes and close (`close-mid`), or a hostile reply as over UDP.
 */
export type TcpReply = 'answer' | 'hang' | 'close-mid' | 'garbage' | 'wrong-id' | 'wrong-question';

/** A record count that grows by one every `growEverySeconds` from `start` up to `max` (a scaling headless Service). */
export interface Growth {
  readonly start: number;
  readonly max: number;
  readonly growEverySeconds: number;
}

/** One behaviour the lab reproduces. */
export interface Scenario {
  /** Stable short id (kebab-case), used by tests and `lab --list`. */
  readonly id: string;
  /** The FQDN it answers for, lower-case, without trailing dot. */
  readonly name: string;
  /** One plain sentence for people. */
  readonly description: string;
  /** Verdict for family unspec, probed on the `server` listener (at time 0 for a growing scenario). */
  readonly expectedVerdict: LabVerdict;
  readonly server: LabServerRole;
  readonly resolvConf?: ResolvConfHint;
  /** Hostile replies exist to test the probe's defences; the demo hides them. */
  readonly hostile: boolean;
  /** SERVFAIL answers every qtype with that rcode and no records. */
  readonly rcode: 'NOERROR' | 'SERVFAIL';
  /** CNAME chain from `name`; the last target (or `name`) owns the addresses. */
  readonly cnames: readonly string[];
  /** Number of A records (the value at time 0 when `growth` is set). */
  readonly a: number;
  /** Number of AAAA records. */
  readonly aaaa: number;
  readonly growth: Growth | null;
  /** How a UDP answer over the client's limit is shrunk. */
  readonly truncation: Truncation;
  readonly udp: UdpReply;
  readonly tcp: TcpReply;
}

/** Zones the lab is authoritative for: NXDOMAIN and NODATA answers under them carry the zone's SOA. */
export const LAB_ZONES: readonly string[] = Object.freeze(['lab.test', 'cluster.local']);

/** TTL of every lab record: short, as cluster DNS records are (CoreDNS kubernetes plugin defaults to 5 s). */
export const LAB_TTL = 30;

/** Default growth step of the headless scenario: slow enough to watch, fast enough for a demo. */
export const DEFAULT_GROW_EVERY_SECONDS = 20;

/** The Kubernetes pod search list for namespace `default` (kubelet writes it into every pod). */
export const KUBERNETES_SEARCH: readonly string[] = Object.freeze([
  'default.svc.cluster.local',
  'svc.cluster.local',
  'cluster.local',
]);

type ScenarioInput = Pick<Scenario, 'id' | 'name' | 'description' | 'expectedVerdict'> & Partial<Scenario>;

function scenario(input: ScenarioInput): Scenario {
  return Object.freeze({
    server: 'main',
    hostile: false,
    rcode: 'NOERROR',
    cnames: Object.freeze([]),
    a: 0,
    aaaa: 0,
    growth: null,
    truncation: 'partial',
    udp: 'answer',
    tcp: 'answer',
    ...input,
  } satisfies Scenario);
}

/** Every scenario, demo ones first, hostile ones last. */
export const SCENARIOS: readonly Scenario[] = Object.freeze([
  scenario({
    id: 'fits',
    name: 'fits.lab.test',
    description: 'Four A and two AAAA records: 95 and 87 bytes, far below 512.',
    expectedVerdict: 'ok',
    a: 4,
    aaaa: 2,
  }),
  scenario({
    id: 'near-limit',
    name: 'near.lab.test',
    description: '27 A records make a 463-byte answer: it fits, but only 49 bytes of headroom are left.',
    expectedVerdict: 'at_risk',
    a: 27,
  }),
  scenario({
    id: 'exact-512',
    name: 'exact.lab.test',
    description: '30 A records make exactly 512 bytes: sent whole without TC, with zero headroom.',
    expectedVerdict: 'at_risk',
    a: 30,
  }),
  scenario({
    id: 'over-513',
    name: 'exceed.lab.test',
    description: 'A one-letter-longer name makes 30 A records 513 bytes: the server truncates to 29 records.',
    expectedVerdict: 'degraded',
    a: 30,
  }),
  scenario({
    id: 'partial',
    name: 'partial.lab.test',
    description: '40 A records (674 bytes) truncated BIND/CoreDNS style: TC with the 29 records that fit.',
    expectedVerdict: 'degraded',
    a: 40,
    truncation: 'partial',
  }),
  scenario({
    id: 'empty',
    name: 'empty.lab.test',
    description:
      '40 A records truncated Knot / CoreDNS forward style: TC with an empty answer, so musl 1.2.3 gets nothing.',
    expectedVerdict: 'failing',
    a: 40,
    truncation: 'empty',
  }),
  scenario({
    id: 'cname-fits',
    name: 'cname.lab.test',
    description: 'A two-hop CNAME chain to six A records: 172 bytes, fits.',
    expectedVerdict: 'ok',
    cnames: ['cname.edge.lab.test', 'pool.cname.edge.lab.test'],
    a: 6,
  }),
  scenario({
    id: 'cname-partial',
    name: 'cname-partial.lab.test',
    description: 'A CNAME chain to 40 A records, truncated to the chain plus the 26 records that fit.',
    expectedVerdict: 'degraded',
    cnames: ['cname-partial.edge.lab.test', 'pool.cname-partial.edge.lab.test'],
    a: 40,
    truncation: 'partial',
  }),
  scenario({
    id: 'cname-only',
    name: 'cname-only.lab.test',
    description:
      'A CNAME chain to 40 A records, truncated to the CNAMEs alone: no address survives over UDP.',
    expectedVerdict: 'failing',
    cnames: ['cname-only.edge.lab.test', 'pool.cname-only.edge.lab.test'],
    a: 40,
    truncation: 'cname-only',
  }),
  scenario({
    id: 'aaaa-overflow',
    name: 'v6-heavy.lab.test',
    description:
      'Four A records fit, but 20 AAAA records (595 bytes) truncate to empty, so IPv6 silently disappears.',
    expectedVerdict: 'degraded',
    a: 4,
    aaaa: 20,
    truncation: 'empty',
  }),
  scenario({
    id: 'headless-growth',
    name: 'web.default.svc.cluster.local',
    description:
      'A headless Service gaining one ready pod at a time: 29 A records fit (511 bytes), the 30th truncates.',
    expectedVerdict: 'ok',
    a: 24,
    growth: Object.freeze({ start: 24, max: 50, growEverySeconds: DEFAULT_GROW_EVERY_SECONDS }),
    truncation: 'partial',
  }),
  scenario({
    id: 'tcp-refused',
    name: 'tcp-refused.lab.test',
    description:
      '40 A records truncate over UDP and the TCP fallback is refused (probe it on the UDP-only port).',
    expectedVerdict: 'failing',
    server: 'udp-only',
    a: 40,
  }),
  scenario({
    id: 'tcp-hang',
    name: 'tcp-hang.lab.test',
    description: '40 A records truncate over UDP and the TCP fallback connects but never answers.',
    expectedVerdict: 'failing',
    a: 40,
    tcp: 'hang',
  }),
  scenario({
    id: 'servfail',
    name: 'servfail.lab.test',
    description: 'The server answers SERVFAIL for every query type.',
    expectedVerdict: 'failing',
    rcode: 'SERVFAIL',
  }),
  scenario({
    id: 'search-walk',
    name: 'walk.lab.test',
    description:
      'Exists only as written: with a Kubernetes search list the suffixed names get NXDOMAIN, then the bare name answers.',
    expectedVerdict: 'ok',
    resolvConf: 'kubernetes',
    a: 2,
  }),
  scenario({
    id: 'cut-512',
    name: 'cut.lab.test',
    description:
      '40 A records cut off at byte 512 without TC, as one cloud resolver was seen doing: musl keeps the 30 records before the cut, glibc rejects the whole reply.',
    expectedVerdict: 'failing',
    a: 40,
    truncation: 'cut',
  }),
  scenario({
    id: 'garbage',
    name: 'garbage.lab.test',
    description: 'Replies carry the right id followed by bytes that do not decode.',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    udp: 'garbage',
    tcp: 'garbage',
  }),
  scenario({
    id: 'wrong-id',
    name: 'wrong-id.lab.test',
    description: 'Replies carry another message id.',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    udp: 'wrong-id',
    tcp: 'wrong-id',
  }),
  scenario({
    id: 'wrong-question',
    name: 'wrong-question.lab.test',
    description: 'Replies carry the right id but answer another question.',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    udp: 'wrong-question',
    tcp: 'wrong-question',
  }),
  scenario({
    id: 'other-port',
    name: 'other-port.lab.test',
    description: 'UDP replies come from another source port (TCP answers normally).',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    udp: 'other-port',
  }),
  scenario({
    id: 'tcp-close',
    name: 'tcp-close.lab.test',
    description:
      'UDP answers normally; over TCP the length prefix promises more bytes than are sent before the close.',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    tcp: 'close-mid',
  }),
  scenario({
    id: 'silent',
    name: 'silent.lab.test',
    description: 'No reply at all: UDP queries are dropped and TCP connections never answer.',
    expectedVerdict: 'error',
    hostile: true,
    a: 2,
    udp: 'silent',
    tcp: 'hang',
  }),
]);

/** Looks a scenario up by id. */
export function scenarioById(id: string, scenarios: readonly Scenario[] = SCENARIOS): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}

/** The same scenarios with every growth step set to `seconds` (the `--grow-every` flag). */
export function withGrowEvery(scenarios: readonly Scenario[], seconds: number): readonly Scenario[] {
  return Object.freeze(
    scenarios.map((s) =>
      s.growth === null
        ? s
        : Object.freeze({ ...s, growth: Object.freeze({ ...s.growth, growEverySeconds: seconds }) }),
    ),
  );
}

/** The grown count `elapsedMs` after the lab started: start + one per full step, capped at max. */
export function answerCountAt(growth: Growth, elapsedMs: number): number {
  const steps = Math.floor(Math.max(0, elapsedMs) / (growth.growEverySeconds * 1000));
  return Math.min(growth.max, growth.start + steps);
}

/** A and AAAA counts of a scenario `elapsedMs` after the lab started. */
export function addressCountsAt(
  s: Scenario,
  elapsedMs: number,
): { readonly a: number; readonly aaaa: number } {
  return { a: s.growth === null ? s.a : answerCountAt(s.growth, elapsedMs), aaaa: s.aaaa };
}

const IPV4_POOLS = ['192.0.2', '198.51.100', '203.0.113'] as const;

/** The i-th lab IPv4 address (0-based), walking the three documentation /24s (RFC 5737), hosts 1-254. */
export function labIpv4(i: number): string {
  const pool = IPV4_POOLS[Math.floor(i / 254)];
  if (pool === undefined || i < 0) throw new RangeError(`no lab IPv4 address #${i}`);
  return `${pool}.${(i % 254) + 1}`;
}

/** The i-th lab IPv6 address (0-based) in 2001:db8::/32 (RFC 3849). */
export function labIpv6(i: number): string {
  if (i < 0 || i > 0xfffe) throw new RangeError(`no lab IPv6 address #${i}`);
  return `2001:db8::${(i + 1).toString(16)}`;
}

/** Where `name` sits in the lab zone: a scenario's name (hop 0) or one of its CNAME targets (hop k). */
export interface ZoneHit {
  readonly scenario: Scenario;
  /** 0 for the scenario name, k for `cnames[k-1]`. */
  readonly hop: number;
}

/** Finds the scenario owning `name` (lower-case, no trailing dot), or undefined (NXDOMAIN). */
export function lookupName(name: string, scenarios: readonly Scenario[] = SCENARIOS): ZoneHit | undefined {
  for (const s of scenarios) {
    if (s.name === name) return { scenario: s, hop: 0 };
    const k = s.cnames.indexOf(name);
    if (k >= 0) return { scenario: s, hop: k + 1 };
  }
  return undefined;
}

/** The lab zone containing `name`, if any (used for the SOA of negative answers, RFC 2308 3). */
export function zoneOf(name: string): string | undefined {
  return LAB_ZONES.find((zone) => name === zone || name.endsWith(`.${zone}`));
}

/** The SOA record of a lab zone, for the authority section of NXDOMAIN and NODATA answers. */
export function soaRecord(zone: string): ResourceRecord {
  return {
    type: 'SOA',
    name: zone,
    ttl: LAB_TTL,
    mname: `ns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86_400,
    minimum: LAB_TTL,
  };
}

/**
 * The answer section for a query of `qtype` at hop `hop` of a scenario: the rest of the CNAME
 * chain (every qtype but CNAME follows it, RFC 1034 4.3.2), then the final owner's records of
 * that type. A CNAME query gets only the CNAME at that name.
 */
export function answerRecords(hit: ZoneHit, qtype: number, elapsedMs: number): ResourceRecord[] {
  const { scenario: s, hop } = hit;
  const owners = [s.name, ...s.cnames];
  const chain: ResourceRecord[] = [];
  for (let k = hop; k < s.cnames.length; k++) {
    chain.push({ type: 'CNAME', name: owners[k] ?? s.name, ttl: LAB_TTL, target: owners[k + 1] ?? s.name });
    if (qtype === RR_TYPE.CNAME) return chain;
  }
  if (qtype === RR_TYPE.CNAME) return chain;
  const final = owners[owners.length - 1] ?? s.name;
  const counts = addressCountsAt(s, elapsedMs);
  if (qtype === RR_TYPE.A) {
    for (let i = 0; i < counts.a; i++)
      chain.push({ type: 'A', name: final, ttl: LAB_TTL, address: labIpv4(i) });
  } else if (qtype === RR_TYPE.AAAA) {
    for (let i = 0; i < counts.aaaa; i++)
      chain.push({ type: 'AAAA', name: final, ttl: LAB_TTL, address: labIpv6(i) });
  }
  return chain;
}

/** Size of the complete (TCP, no EDNS) answer of a scenario's name for A or AAAA at a time. */
export function fullAnswerBytes(s: Scenario, qtype: 'A' | 'AAAA', elapsedMs: number): number {
  const type = RR_TYPE[qtype];
  const answers = answerRecords({ scenario: s, hop: 0 }, type, elapsedMs);
  return encodeResponse({
    id: 0,
    aa: true,
    rd: false,
    tc: false,
    rcode: 0,
    question: { name: s.name, type, class: 1 },
    answers,
    authorities: [],
    edns: null,
  }).bytes.length;
}

/**
 * The verdict a probe should reach `elapsedMs` after the lab started. Only a growing scenario
 * changes: `ok` while headroom is at least 64 bytes, `at_risk` below, `degraded` once the A
 * answer passes 512 bytes and is truncated partially (PRODUCT.md section 2).
 */
export function expectedVerdictAt(s: Scenario, elapsedMs: number, warnBytes = 64): LabVerdict {
  if (s.growth === null) return s.expectedVerdict;
  const bytes = Math.max(fullAnswerBytes(s, 'A', elapsedMs), fullAnswerBytes(s, 'AAAA', elapsedMs));
  if (bytes > 512) return s.truncation === 'partial' || s.truncation === 'cut' ? 'degraded' : 'failing';
  return 512 - bytes < warnBytes ? 'at_risk' : 'ok';
}

/** Formats a server as the probe's `--server` flag takes it: `host:port`, `[v6]:port`. */
export function formatServer(server: ServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/** The two lab listeners. */
export interface LabAddresses {
  readonly main: ServerAddress;
  readonly udpOnly: ServerAddress;
}

/** File name the lab suggests for the Kubernetes-style resolv.conf (see `kubernetesResolvConf`). */
export const KUBERNETES_RESOLV_CONF_FILE = 'lab-kubernetes.resolv.conf';

/** The exact command that shows a scenario's behaviour against a running lab. */
export function probeCommand(s: Scenario, servers: LabAddresses): string {
  const server = s.server === 'udp-only' ? servers.udpOnly : servers.main;
  const parts = ['dns-headroom', 'probe', s.name, '--server', formatServer(server)];
  if (s.resolvConf === 'kubernetes') parts.push('--resolv-conf', KUBERNETES_RESOLV_CONF_FILE);
  return parts.join(' ');
}

/**
 * A Kubernetes pod's resolv.conf (kubelet writes the namespace's search list and ndots:5) pointing at
 * `nameserver`, an IP without port: resolv.conf has no port syntax, so give the lab's port with
 * `--server` as well.
 */
export function kubernetesResolvConf(nameserver: string): string {
  return [
    '# A Kubernetes pod resolv.conf (namespace "default") for the dns-headroom lab.',
    '# resolv.conf cannot carry a port: pass the lab port with --server too.',
    `nameserver ${nameserver}`,
    `search ${KUBERNETES_SEARCH.join(' ')}`,
    'options ndots:5',
    '',
  ].join('\n');
}

/** A point where a growing scenario's expected verdict changes. */
export interface TimelineStep {
  readonly atSeconds: number;
  readonly a: number;
  readonly verdict: LabVerdict;
}

/** When a growing scenario's expected verdict changes, from time 0 until it stops growing; [] for static scenarios. */
export function growthTimeline(s: Scenario, warnBytes = 64): readonly TimelineStep[] {
  if (s.growth === null) return [];
  const steps: TimelineStep[] = [];
  const stepMs = s.growth.growEverySeconds * 1000;
  for (let k = 0; s.growth.start + k <= s.growth.max; k++) {
    const verdict = expectedVerdictAt(s, k * stepMs, warnBytes);
    if (steps.at(-1)?.verdict !== verdict) {
      steps.push({ atSeconds: k * s.growth.growEverySeconds, a: s.growth.start + k, verdict });
    }
  }
  return steps;
}
