/**
 * Deciding what the lab sends for one incoming message: pure, so every scenario can be checked
 * at any clock time without sockets. The server only executes the returned plan.
 */
import { parseQuery } from './query.ts';
import { answerRecords, lookupName, SCENARIOS, type Scenario, soaRecord, zoneOf } from './scenarios.ts';
import {
  CLASS_IN,
  EDNS_MAX_UDP,
  encodeResponse,
  fitResponse,
  RCODE,
  type ResponseMessage,
  RR_TYPE,
  udpLimit,
} from './wire.ts';

/** The transport a message arrived on. */
export type LabTransport = 'udp' | 'tcp';

/**
 * What to do with a message:
 * - `send`: reply with these bytes (the server adds the TCP length prefix).
 * - `send-from-other-port`: UDP only; reply from a different socket than the one queried.
 * - `send-partial-and-close`: TCP only; announce `bytes.length` in the prefix, send only the
 *   first `sendBytes` bytes, then close the connection.
 * - `hang`: TCP only; keep the connection open and never answer.
 * - `drop`: send nothing.
 */
export type ReplyPlan =
  | { readonly action: 'send'; readonly bytes: Uint8Array }
  | { readonly action: 'send-from-other-port'; readonly bytes: Uint8Array }
  | { readonly action: 'send-partial-and-close'; readonly bytes: Uint8Array; readonly sendBytes: number }
  | { readonly action: 'hang' }
  | { readonly action: 'drop' };

/** A plan plus what it was for, so the server can log and count without re-parsing. */
export interface PlannedReply {
  readonly plan: ReplyPlan;
  /** The scenario that answered, or null (unknown name, malformed query). */
  readonly scenarioId: string | null;
  /** Why the message could not be answered normally, if it could not (`short`, `qdcount`, ...). */
  readonly problem: string | null;
}

/** Inputs besides the message. */
export interface ReplyContext {
  readonly transport: LabTransport;
  /** Milliseconds since the lab started: drives growing scenarios. */
  readonly elapsedMs: number;
  readonly scenarios?: readonly Scenario[];
}

/** Name of the decoy question in `wrong-question` replies. */
export const DECOY_LABEL = 'decoy';

/**
 * A deterministic undecodable reply: our id and a plausible header, then a label that claims
 * 63 bytes where only 20 follow. dns-packet throws on it and musl's __dns_parse rejects it.
 */
export function garbageReply(id: number): Uint8Array {
  const out = new Uint8Array(12 + 1 + 20).fill(0xff);
  out.set([id >>> 8, id & 0xff, 0x84, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], 0);
  out[12] = 63;
  return out;
}

const DROP = Object.freeze({ action: 'drop' } as const);

/**
 * Plans the reply to one message. Never throws for any input bytes; it can throw only if a
 * scenario table holds more records than fit in 65535 bytes (a programmer error).
 */
export function planReply(message: Uint8Array, ctx: ReplyContext): PlannedReply {
  const scenarios = ctx.scenarios ?? SCENARIOS;
  const query = parseQuery(message);
  if (!query.ok) {
    if (query.action === 'drop') return { plan: DROP, scenarioId: null, problem: query.reason };
    const bytes = encodeResponse({
      id: query.id,
      opcode: query.opcode,
      aa: false,
      rd: query.rd,
      tc: false,
      rcode: query.action === 'notimp' ? RCODE.NOTIMP : RCODE.FORMERR,
      question: null,
      answers: [],
      authorities: [],
      edns: null,
    }).bytes;
    return { plan: { action: 'send', bytes }, scenarioId: null, problem: query.reason };
  }

  const question = { name: query.labels, type: query.qtype, class: query.qclass };
  const base: ResponseMessage = {
    id: query.id,
    aa: true,
    rd: query.rd,
    tc: false,
    rcode: RCODE.NOERROR,
    question,
    answers: [],
    authorities: [],
    // RFC 6891 7: a responder that understands EDNS includes an OPT record when the query had one.
    edns: query.edns === null ? null : { udpPayloadSize: EDNS_MAX_UDP },
  };
  const send = (msg: ResponseMessage, scenario: Scenario | null): PlannedReply => {
    const bytes =
      ctx.transport === 'udp'
        ? fitResponse(msg, udpLimit(query.edns), scenario?.truncation ?? 'partial').bytes
        : encodeResponse(msg).bytes;
    return { plan: { action: 'send', bytes }, scenarioId: scenario?.id ?? null, problem: null };
  };

  // Only class IN is served; an authoritative server refuses other classes (CH version.bind, ...).
  if (query.qclass !== CLASS_IN) return send({ ...base, aa: false, rcode: RCODE.REFUSED }, null);

  const hit = lookupName(query.name, scenarios);
  if (hit === undefined) {
    const zone = zoneOf(query.name);
    const authorities = zone === undefined ? [] : [soaRecord(zone)];
    // The zone apex exists (it owns the SOA): NODATA there, NXDOMAIN for every other unknown name.
    const rcode = zone === query.name ? RCODE.NOERROR : RCODE.NXDOMAIN;
    return send({ ...base, aa: zone !== undefined, rcode, authorities }, null);
  }

  const s = hit.scenario;
  const mode = ctx.transport === 'udp' ? s.udp : s.tcp;
  if (mode === 'silent') return { plan: DROP, scenarioId: s.id, problem: null };
  if (mode === 'hang') return { plan: { action: 'hang' }, scenarioId: s.id, problem: null };
  if (mode === 'garbage') {
    return { plan: { action: 'send', bytes: garbageReply(query.id) }, scenarioId: s.id, problem: null };
  }

  let msg: ResponseMessage = base;
  if (s.rcode === 'SERVFAIL') {
    msg = { ...base, rcode: RCODE.SERVFAIL };
  } else {
    const answers = answerRecords(hit, query.qtype, ctx.elapsedMs);
    const final = [s.name, ...s.cnames].at(-1) ?? s.name;
    const hasData = answers.some((rr) => rr.type !== 'CNAME' || query.qtype === RR_TYPE.CNAME);
    // RFC 2308 2.2: a NODATA answer (possibly after a CNAME chain) carries the zone's SOA.
    const zone = zoneOf(final);
    const authorities = !hasData && zone !== undefined ? [soaRecord(zone)] : [];
    msg = { ...base, answers, authorities };
  }

  if (mode === 'wrong-id') msg = { ...msg, id: (query.id + 1) & 0xffff };
  if (mode === 'wrong-question') {
    const decoy = [DECOY_LABEL, ...query.labels];
    const answers = answerRecords(hit, query.qtype, ctx.elapsedMs).map((rr) => ({ ...rr, name: decoy }));
    msg = { ...msg, question: { ...question, name: decoy }, answers };
  }

  const planned = send(msg, s);
  if (planned.plan.action !== 'send') return planned;
  const bytes = planned.plan.bytes;
  if (mode === 'other-port') return { ...planned, plan: { action: 'send-from-other-port', bytes } };
  if (mode === 'close-mid') {
    return {
      ...planned,
      plan: { action: 'send-partial-and-close', bytes, sendBytes: Math.floor(bytes.length / 2) },
    };
  }
  return planned;
}
