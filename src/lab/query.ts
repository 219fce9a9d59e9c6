/**
 * Reading the queries the lab receives. Anything can arrive on a socket, so this never throws:
 * it returns what a server needs to answer (or to refuse) as a value. Hand-written rather than
 * dns-packet so the question's exact bytes and case can be echoed back (RFC 1035 4.1.2; resolvers
 * using 0x20 case randomisation compare them) and every bound is checked explicitly.
 */
import { HEADER_BYTES, RR_TYPE } from './wire.ts';

/** A query the lab can answer. */
export interface ParsedQuery {
  readonly id: number;
  readonly opcode: number;
  readonly rd: boolean;
  /** Question labels exactly as sent (latin1, one character per byte). */
  readonly labels: readonly string[];
  /** Lower-case dotted name without trailing dot, for lookups ('' for the root). */
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
  /** The EDNS0 OPT record's advertised UDP payload size, or null without EDNS0. */
  readonly edns: { readonly udpPayloadSize: number } | null;
}

/**
 * Why a message cannot be answered normally. `drop` means send nothing (too short to carry an id,
 * or a response rather than a query: answering responses invites loops); the others are
 * answered with that rcode.
 */
export type QueryProblem =
  | { readonly action: 'drop'; readonly reason: 'short' | 'not_a_query' }
  | {
      readonly action: 'formerr';
      readonly reason: 'qdcount' | 'question' | 'records' | 'trailing';
      readonly id: number;
      readonly opcode: number;
      readonly rd: boolean;
    }
  | {
      readonly action: 'notimp';
      readonly reason: 'opcode';
      readonly id: number;
      readonly opcode: number;
      readonly rd: boolean;
    };

/** Result of reading a query. */
export type QueryParse = ({ readonly ok: true } & ParsedQuery) | ({ readonly ok: false } & QueryProblem);

/** Lower-cases ASCII letters only: DNS names compare case-insensitively in ASCII (RFC 4343). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Reads an uncompressed name at `offset`. Queries have no earlier names to point at, so pointers are refused. */
function readQuestionName(buf: Uint8Array, offset: number): { labels: string[]; end: number } | null {
  const labels: string[] = [];
  let p = offset;
  let wire = 1;
  for (;;) {
    const len = buf[p];
    if (len === undefined) return null;
    if (len === 0) return { labels, end: p + 1 };
    if (len > 63) return null;
    wire += 1 + len;
    if (wire > 255 || p + 1 + len > buf.length) return null;
    labels.push(Buffer.from(buf.subarray(p + 1, p + 1 + len)).toString('latin1'));
    p += 1 + len;
  }
}

/** Skips a possibly compressed name in a record; returns the offset after it, or null. */
function skipName(buf: Uint8Array, offset: number): number | null {
  let p = offset;
  for (let guard = 0; guard < 128; guard++) {
    const len = buf[p];
    if (len === undefined) return null;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= buf.length ? p + 2 : null;
    if (len > 63) return null;
    p += 1 + len;
  }
  return null;
}

function u16(buf: Uint8Array, offset: number): number {
  return ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0);
}

/** Reads a DNS query. Never throws. */
export function parseQuery(buf: Uint8Array): QueryParse {
  if (buf.length < HEADER_BYTES) return { ok: false, action: 'drop', reason: 'short' };
  const id = u16(buf, 0);
  const flags = buf[2] ?? 0;
  if (flags & 0x80) return { ok: false, action: 'drop', reason: 'not_a_query' };
  const opcode = (flags >> 3) & 0xf;
  const rd = (flags & 0x01) !== 0;
  const head = { ok: false, id, opcode, rd } as const;
  // RFC 1035 4.1.1: only standard queries (opcode 0) are implemented here.
  if (opcode !== 0) return { ...head, action: 'notimp', reason: 'opcode' };
  const qdcount = u16(buf, 4);
  const records = u16(buf, 6) + u16(buf, 8) + u16(buf, 10);
  // Every server in practice answers only single-question queries (RFC 9619).
  if (qdcount !== 1) return { ...head, action: 'formerr', reason: 'qdcount' };
  const qname = readQuestionName(buf, HEADER_BYTES);
  if (qname === null || qname.end + 4 > buf.length) return { ...head, action: 'formerr', reason: 'question' };
  const qtype = u16(buf, qname.end);
  const qclass = u16(buf, qname.end + 2);
  let p = qname.end + 4;
  let edns: { udpPayloadSize: number } | null = null;
  for (let i = 0; i < records; i++) {
    const afterName = skipName(buf, p);
    if (afterName === null || afterName + 10 > buf.length)
      return { ...head, action: 'formerr', reason: 'records' };
    const type = u16(buf, afterName);
    const rdlength = u16(buf, afterName + 8);
    const end = afterName + 10 + rdlength;
    if (end > buf.length) return { ...head, action: 'formerr', reason: 'records' };
    if (type === RR_TYPE.OPT) {
      // RFC 6891 6.1.1: more than one OPT record is a FORMERR.
      if (edns !== null) return { ...head, action: 'formerr', reason: 'records' };
      edns = { udpPayloadSize: u16(buf, afterName + 2) };
    }
    p = end;
  }
  if (p !== buf.length) return { ...head, action: 'formerr', reason: 'trailing' };
  return {
    ok: true,
    id,
    opcode,
    rd,
    labels: qname.labels,
    name: asciiLower(qname.labels.join('.')),
    qtype,
    qclass,
    edns,
  };
}
