/**
 * Judging a probe (PRODUCT.md section 2 "Verdict"): pure arithmetic over what was measured and
 * predicted. Worst first: `error` (the probe could not complete), `failing` (some client gets no
 * address, or TCP fallback fails for a name that needs it), `degraded` (truncated: some client
 * gets a partial set), `at_risk` (fits, but headroom is under the threshold or shrinking), `ok`.
 */
import type { ClientName, ClientOutcome } from '../clients/types.ts';
import type { ProbeResult, QtypeProbe } from '../probe/probe.ts';
import { type Exchange, type Qtype, UDP_LIMIT } from '../probe/types.ts';

/** Verdicts, worst first. */
export const VERDICTS = Object.freeze(['error', 'failing', 'degraded', 'at_risk', 'ok'] as const);
/** A target's verdict. */
export type Verdict = (typeof VERDICTS)[number];

/** Default warning threshold: headroom under this many bytes is `at_risk` (PRODUCT.md section 2). */
export const DEFAULT_WARN_BYTES = 64;

/** How to judge. */
export interface JudgeOptions {
  readonly warnBytes: number;
  /** The caller (the daemon, with history) has seen the complete answer grow toward 512. */
  readonly shrinking?: boolean;
}

/** Per qtype, the numbers the report and the metrics show. */
export interface QtypeFigures {
  readonly qtype: Qtype;
  readonly name: string;
  readonly udpBytes: number | null;
  readonly truncated: boolean;
  /** Reply cut short without TC, or a UDP reply over the size limit: both break RFC 1035. */
  readonly malformedSize: 'cut' | 'oversize' | null;
  readonly udpAddresses: number;
  readonly fullBytes: number | null;
  readonly fullAddresses: number | null;
  /** `not_measured`: the daemon skipped TCP this round because the UDP answer was complete. */
  readonly tcp: 'ok' | 'failed' | 'not_measured';
}

/** The judgement of one probe. */
export interface Assessment {
  readonly verdict: Verdict;
  /** Complete answer size in bytes (largest qtype), or null when no complete answer was seen. */
  readonly fullBytes: number | null;
  /** 512 minus `fullBytes`; negative once over. */
  readonly headroomBytes: number | null;
  readonly qtypes: readonly QtypeFigures[];
  /** TCP worked for every qtype (`ok`), failed where the answer needed it (`failed`), or failed where it did not (`failed_unneeded`). */
  readonly tcpFallback: 'ok' | 'failed' | 'failed_unneeded';
  readonly diagnosis: string;
}

/** Is this exchange's answer the complete answer? (No TC, not cut, not over the limit.) */
function complete(exchange: Exchange): boolean {
  return exchange.ok && !exchange.truncated && !exchange.cut && !exchange.oversize;
}

function figures(qtype: Qtype, probe: QtypeProbe): QtypeFigures {
  const { udp, tcp } = probe;
  const full = tcp?.ok && tcp.rcode === (udp.ok ? udp.rcode : tcp.rcode) ? tcp : complete(udp) ? udp : null;
  return {
    qtype,
    name: probe.name,
    udpBytes: udp.ok ? udp.bytes : null,
    truncated: udp.ok && udp.truncated,
    malformedSize: udp.ok ? (udp.cut ? 'cut' : udp.oversize ? 'oversize' : null) : null,
    // What musl reads of a UDP reply: the records that end inside its 512-byte buffer.
    udpAddresses: udp.ok ? udp.addressEnds.filter((end) => end <= UDP_LIMIT).length : 0,
    fullBytes: full?.ok ? full.bytes : null,
    fullAddresses: full?.ok ? full.addresses.length : null,
    tcp: tcp === null ? 'not_measured' : tcp.ok ? 'ok' : 'failed',
  };
}

/** Judges a probe result. */
export function judge(result: ProbeResult, options: JudgeOptions): Assessment {
  const qtypes = (Object.entries(result.probes) as [Qtype, QtypeProbe][]).map(([qtype, p]) =>
    figures(qtype, p),
  );
  // The complete size is the largest qtype's; if any qtype's complete answer is unknown (TCP failed
  // on a truncated answer), so is the target's: a smaller known size would promise headroom it lacks.
  const sizes = qtypes.map((q) => q.fullBytes);
  const fullBytes =
    sizes.length > 0 && sizes.every((b) => b !== null) ? Math.max(...(sizes as number[])) : null;
  const headroomBytes = fullBytes === null ? null : UDP_LIMIT - fullBytes;
  const needsTcp = qtypes.some((q) => q.truncated || q.malformedSize !== null);
  const tcpFailed = qtypes.some((q) => q.tcp === 'failed');
  const tcpFallback = !tcpFailed ? 'ok' : needsTcp ? 'failed' : 'failed_unneeded';
  const verdict = decide(result, qtypes, headroomBytes, tcpFallback, options);
  const assessment = { verdict, fullBytes, headroomBytes, qtypes, tcpFallback, diagnosis: '' } as const;
  return { ...assessment, diagnosis: diagnose(result, assessment) };
}

/**
 * TCP failures that mean "the server's TCP is broken or hostile" rather than "TCP is blocked":
 * with these the complete answer could not be measured, so the probe did not complete. A refused
 * or silent TCP port is a finding about the fallback instead (failing when the name needs it).
 */
const BROKEN_TCP = new Set([
  'closed',
  'malformed',
  'id_mismatch',
  'question_mismatch',
  'source_mismatch',
  'network',
]);

function probeFailed(result: ProbeResult): Exchange | null {
  // The two qtypes by name (A first, as the probe orders them), not Object.values: this runs
  // twice on every probe.
  const { A: a, AAAA: aaaa } = result.probes;
  if (a && !a.udp.ok) return a.udp;
  if (aaaa && !aaaa.udp.ok) return aaaa.udp;
  if (a?.tcp && !a.tcp.ok && BROKEN_TCP.has(a.tcp.reason)) return a.tcp;
  if (aaaa?.tcp && !aaaa.tcp.ok && BROKEN_TCP.has(aaaa.tcp.reason)) return aaaa.tcp;
  return null;
}

function walkFailed(result: ProbeResult): boolean {
  return result.lookup.steps.some((step) =>
    Object.values(step.results).some((r) => r?.startsWith('failed:')),
  );
}

function decide(
  result: ProbeResult,
  qtypes: readonly QtypeFigures[],
  headroomBytes: number | null,
  tcpFallback: Assessment['tcpFallback'],
  options: JudgeOptions,
): Verdict {
  if (probeFailed(result) !== null || walkFailed(result)) return 'error';
  const outcomes = Object.values(result.clients) as ClientOutcome[];
  if (outcomes.some((o) => o.error !== null || o.addresses === 0)) return 'failing';
  if (tcpFallback === 'failed') return 'failing';
  const partial = qtypes.some(
    (q) =>
      q.truncated ||
      q.malformedSize !== null ||
      (q.fullAddresses !== null && q.udpAddresses < q.fullAddresses),
  );
  if (partial) return 'degraded';
  if (options.shrinking || (headroomBytes !== null && headroomBytes < options.warnBytes)) return 'at_risk';
  return 'ok';
}

const PEOPLE_NAMES: Readonly<Record<ClientName, string>> = {
  'musl-1.2.3': 'musl <= 1.2.3',
  'musl-1.2.4': 'musl 1.2.4',
  'musl-1.2.5': 'musl >= 1.2.5',
  glibc: 'glibc',
};

/** "40 addresses", "EAI_NONAME", in words a person reads at 3 a.m. */
function outcomeText(outcome: ClientOutcome): string {
  if (outcome.error !== null) return outcome.error;
  return outcome.addresses === 1 ? '1 address' : `${outcome.addresses} addresses`;
}

/** Groups the TCP-capable clients by outcome: "glibc and musl >= 1.2.4 get 40 addresses". */
function retryingClients(clients: Readonly<Record<ClientName, ClientOutcome>>): string {
  const groups = new Map<string, ClientName[]>();
  for (const name of ['glibc', 'musl-1.2.4', 'musl-1.2.5'] as const) {
    const text = outcomeText(clients[name]);
    groups.set(text, [...(groups.get(text) ?? []), name]);
  }
  return [...groups.entries()]
    .map(([text, names]) => {
      const label =
        names.includes('musl-1.2.4') && names.includes('musl-1.2.5')
          ? [...names.filter((n) => n === 'glibc').map((n) => PEOPLE_NAMES[n]), 'musl >= 1.2.4'].join(' and ')
          : names.map((n) => PEOPLE_NAMES[n]).join(' and ');
      const verb = names.length === 1 ? 'gets' : 'get';
      return `${label} ${verb} ${text}`;
    })
    .join('; ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One plain-language line that says what is wrong and for whom. */
function diagnose(result: ProbeResult, a: Omit<Assessment, 'diagnosis'>): string {
  const { clients } = result;
  const name = result.spec.name;
  const server = `${result.spec.server.host}:${result.spec.server.port}`;
  const failed = probeFailed(result);
  if (failed && !failed.ok) return `The probe could not complete: ${failed.message} (server ${server}).`;
  if (walkFailed(result)) {
    return `The probe could not complete: a search-list query for ${name} got no usable reply from ${server}.`;
  }
  const udps = Object.values(result.probes).map((p) => p?.udp);
  const rcodes = new Set(udps.map((u) => (u?.ok ? u.rcode : 'none')));
  if (rcodes.has('SERVFAIL'))
    return `${server} answers SERVFAIL for ${name}: every client gets ${clients.glibc.error ?? 'EAI_AGAIN'}.`;
  const walk = result.lookup;
  if (walk.answeringName === null && result.glibcLookup.answeringName === null) {
    return `${name} does not exist: every search candidate (${walk.candidates.length}) is NXDOMAIN, so every client gets EAI_NONAME.`;
  }
  const m123 = clients['musl-1.2.3'];
  const totalFull = a.qtypes.reduce((sum, q) => sum + (q.fullAddresses ?? 0), 0);
  const overflowing = a.qtypes.filter((q) => q.truncated);
  const bytesText = (q: QtypeFigures) => (q.fullBytes === null ? 'the' : `the ${q.fullBytes}-byte`);
  if (a.tcpFallback === 'failed') {
    const q = a.qtypes.find((x) => x.truncated || x.malformedSize !== null) ?? a.qtypes[0];
    const tcp = Object.values(result.probes).find((p) => p?.tcp && !p.tcp.ok)?.tcp;
    const why = tcp && !tcp.ok ? tcp.reason : 'failed';
    return (
      `The ${q?.qtype ?? ''} answer is truncated over UDP and TCP to ${server} fails (${why}): ` +
      `${retryingClients(clients)}; musl <= 1.2.3 gets ${outcomeText(m123)} from the truncated reply.`
    );
  }
  const cut = a.qtypes.find((q) => q.malformedSize === 'cut');
  if (cut) {
    return (
      `${server} cut ${bytesText(cut)} ${cut.qtype} answer at ${cut.udpBytes} bytes without setting TC, so nothing ` +
      `retries over TCP: musl keeps the ${cut.udpAddresses} of ${cut.fullAddresses ?? '?'} records before the cut ` +
      `(musl <= 1.2.3 gets ${outcomeText(m123)}); glibc rejects the broken reply and gets ${outcomeText(clients.glibc)}.`
    );
  }
  const oversize = a.qtypes.find((q) => q.malformedSize === 'oversize');
  if (oversize) {
    return (
      `${server} sent ${oversize.udpBytes} bytes over UDP without EDNS0 (the limit is 512): musl reads only the first 512 ` +
      `and gets ${oversize.udpAddresses} of ${oversize.fullAddresses ?? '?'} ${oversize.qtype} addresses.`
    );
  }
  if (overflowing.length > 0) {
    const q = overflowing[0] as QtypeFigures;
    const probe = result.probes[q.qtype];
    const cnameOnly = probe?.udp.ok && probe.udp.addresses.length === 0 && probe.udp.cnames.length > 0;
    const how =
      q.udpAddresses === 0
        ? cnameOnly
          ? 'the server truncates it to the CNAME chain alone'
          : 'the server truncates it to an empty answer'
        : `the server keeps ${q.udpAddresses} of ${q.fullAddresses ?? '?'} records`;
    const who =
      m123.addresses === 0
        ? `musl <= 1.2.3 pods get no address (${m123.error ?? 'EAI_NONAME'})`
        : m123.addresses < totalFull
          ? `musl <= 1.2.3 pods get ${m123.addresses} of ${totalFull} addresses`
          : `musl <= 1.2.3 pods still get ${plural(m123.addresses, 'address')}`;
    return `${who}: ${bytesText(q)} ${q.qtype} answer is over 512 and ${how}; ${retryingClients(clients)} after retrying over TCP.`;
  }
  const noData = (Object.entries(clients) as [ClientName, ClientOutcome][]).filter(
    ([, o]) => o.error !== null,
  );
  if (noData.length > 0) {
    const list = noData.map(([n, o]) => `${PEOPLE_NAMES[n]} ${o.error}`).join(', ');
    return `${name} has no ${a.qtypes.map((q) => q.qtype).join('/')} address at ${walk.answeringName ?? name}: ${list}.`;
  }
  if (a.headroomBytes === null) return `No complete answer was measured for ${name}.`;
  const worst = a.qtypes.reduce((w, q) => ((q.fullBytes ?? 0) > (w.fullBytes ?? 0) ? q : w));
  const per = worst.qtype === 'A' ? 16 : 28;
  const room = Math.floor(a.headroomBytes / per);
  const roomText =
    room === 0
      ? `no room for another ${worst.qtype} record`
      : `room for ${plural(room, `more ${worst.qtype} record`)}`;
  if (a.verdict === 'at_risk') {
    return `Fits, but only ${plural(a.headroomBytes, 'byte')} of headroom (${a.fullBytes} of 512): ${roomText} before musl <= 1.2.3 pods see a truncated answer.`;
  }
  return `Fits: ${a.fullBytes} of 512 bytes, ${a.headroomBytes} bytes of headroom (${roomText}).`;
}
