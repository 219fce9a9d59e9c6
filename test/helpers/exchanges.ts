/**
 * Exchange values for the client-model tables, and a small "world" that answers the exchanges
 * a model asks for, the way the probe does. Sizes follow PRODUCT.md section 1: a 12-byte header,
 * the question (26 bytes in all for a name like `a60.test`), then each record with a compressed
 * owner name: 16 bytes per A, 28 per AAAA, and a CNAME of 30 bytes.
 */
import type { ClientModel, ExchangeKey, LookupQuestion, ModelRun } from '../../src/clients/types.ts';
import type {
  ExchangeFailureReason,
  FailedExchange,
  OkExchange,
  Qtype,
  Rcode,
  Transport,
} from '../../src/probe/types.ts';

/** Bytes up to the end of the question section (header 12 + `a60.test` 10 + type/class 4). */
export const QUESTION_END = 26;
/** Wire size of one answer record per type. */
export const RECORD_BYTES: Readonly<Record<Qtype, number>> = { A: 16, AAAA: 28 };
/** Wire size of one CNAME record in these fixtures. */
export const CNAME_BYTES = 30;

/** Options of a successful exchange; everything has a sensible default. */
export interface OkOptions {
  readonly rcode?: Rcode;
  /** Address records of `qtype` in the message. */
  readonly addresses?: number;
  readonly qtype?: Qtype;
  /** CNAME records before the addresses. */
  readonly cnames?: number;
  readonly truncated?: boolean;
  /** Message size; defaults to the end of the last record. */
  readonly bytes?: number;
  /** Header ancount; defaults to cnames + addresses. */
  readonly ancount?: number;
  readonly qdcount?: number;
  readonly cut?: boolean;
  readonly transport?: Transport;
}

/** A successful exchange with `addresses` records laid out after the question. */
export function okExchange(o: OkOptions = {}): OkExchange {
  const qtype = o.qtype ?? 'A';
  const n = o.addresses ?? 0;
  const cnames = o.cnames ?? 0;
  const first = QUESTION_END + cnames * CNAME_BYTES;
  const addressEnds = Array.from({ length: n }, (_, i) => first + (i + 1) * RECORD_BYTES[qtype]);
  const addresses = Array.from({ length: n }, (_, i) =>
    qtype === 'A' ? `192.0.2.${i % 256}` : `2001:db8::${(i + 1).toString(16)}`,
  );
  return {
    ok: true,
    transport: o.transport ?? 'udp',
    queryBytes: 26,
    durationSeconds: 0.001,
    ignored: { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 },
    oversize: false,
    bytes: o.bytes ?? first + n * RECORD_BYTES[qtype],
    truncated: o.truncated ?? false,
    rcode: o.rcode ?? 'NOERROR',
    ancount: o.ancount ?? cnames + n,
    qdcount: o.qdcount ?? 1,
    cut: o.cut ?? false,
    addresses,
    addressEnds,
    cnames: Array.from({ length: cnames }, (_, i) => `alias${i}.example.net`),
    ednsPayloadSize: null,
  };
}

/** An exchange that produced no usable answer. */
export function failedExchange(reason: ExchangeFailureReason, transport: Transport = 'udp'): FailedExchange {
  return {
    ok: false,
    transport,
    reason,
    message: `test: ${reason}`,
    queryBytes: 26,
    durationSeconds: 0.001,
    ignored: { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 },
  };
}

/** NXDOMAIN over either transport. */
export function nxdomain(transport: Transport = 'udp'): OkExchange {
  return okExchange({ rcode: 'NXDOMAIN', transport });
}

/** "name|qtype|transport" → exchange; names lower-case without trailing dot. */
export type WorldSpec = Readonly<Record<string, OkExchange | FailedExchange>>;

/** What the server answers: the spec, else NXDOMAIN (every name not listed does not exist). */
export function world(spec: WorldSpec): (key: ExchangeKey) => OkExchange | FailedExchange {
  return (key) => spec[`${key.fqdn}|${key.qtype}|${key.transport}`] ?? nxdomain(key.transport);
}

/** A finished run plus the batches of needs the model asked for, in order. */
export interface Drive {
  readonly run: Extract<ModelRun, { done: true }>;
  readonly batches: readonly (readonly ExchangeKey[])[];
}

/** Runs a model against a world the way the probe does: need → exchange → run again. */
export function drive(
  model: ClientModel,
  question: LookupQuestion,
  answer: (key: ExchangeKey) => OkExchange | FailedExchange,
): Drive {
  const table = new Map<string, OkExchange | FailedExchange>();
  const keyOf = (k: ExchangeKey) => `${k.fqdn}|${k.qtype}|${k.transport}`;
  const batches: ExchangeKey[][] = [];
  for (let round = 0; round < 50; round++) {
    const run = model(question, (fqdn, qtype, transport) => table.get(keyOf({ fqdn, qtype, transport })));
    if (run.done) return { run, batches };
    if (run.need.length === 0) throw new Error('model needs nothing but is not done');
    batches.push([...run.need]);
    for (const k of run.need) {
      if (table.has(keyOf(k))) throw new Error(`model asked again for ${keyOf(k)}`);
      table.set(keyOf(k), answer(k));
    }
  }
  throw new Error('model did not finish in 50 rounds');
}

/** The Kubernetes pod search list of namespace `default`. */
export const K8S_SEARCH: readonly string[] = [
  'default.svc.cluster.local',
  'svc.cluster.local',
  'cluster.local',
];
