/**
 * DNS message building and defensive decoding for the probe.
 *
 * Queries are built with dns-packet. Replies are decoded here, by hand, because the probe must
 * keep what a partial packet still holds: musl's __dns_parse (src/network/dns_parse.c) walks the
 * answer section record by record and keeps every record before the first one that does not fit,
 * and a reply cut at 512 bytes without TC (PRODUCT.md section 1) is exactly such a packet.
 * dns-packet's decoder is all-or-nothing and can also read a short buffer into nonsense.
 */
import { createRequire } from 'node:module';
import type DnsPacket from 'dns-packet';
import type { Answer, Qtype, Rcode } from './types.ts';

const require = createRequire(import.meta.url);
/**
 * dns-packet, loaded on first use. Only names the fast path below cannot write need it, and the
 * daemon may never see one: loaded at startup it cost about 1 MiB of RSS on every node (Node 24.21,
 * `require('dns-packet')` after the daemon's built-ins), and a heap snapshot of the daemon held its
 * source text twice (an ESM `import` of a CommonJS package reads it for the export names too).
 */
let dnsPacket: typeof DnsPacket | undefined;

const TYPE_CODES: Readonly<Record<Qtype, number>> = { A: 1, AAAA: 28 };
const TYPE_CNAME = 5;
const TYPE_OPT = 41;
const CLASS_IN = 1;
const HEADER_BYTES = 12;
/** RFC 1035 3.1: a name is at most 255 octets on the wire. */
const MAX_NAME_WIRE = 255;
/** Follow at most this many compression pointers in one name; more means a loop. */
const MAX_POINTERS = 64;
/** Follow at most this many CNAMEs from the question name (glibc and musl stop far earlier). */
const MAX_CHAIN = 16;

const RCODE_NAMES: readonly Rcode[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** What to ask: the absolute name (no trailing dot), the type, and an optional EDNS0 payload size. */
export interface QuerySpec {
  readonly id: number;
  readonly name: string;
  readonly qtype: Qtype;
  /** Advertise EDNS0 with this UDP payload size; absent means no OPT record, as musl sends. */
  readonly ednsPayloadSize?: number;
}

/**
 * Builds a query the way musl's __res_mkquery does: one question, RD set, no EDNS0 unless asked.
 * Every probe sends several, so the common case (a well-formed ASCII name) is written straight into
 * one buffer; anything else goes through dns-packet, whose bytes the fast path matches exactly
 * (test/unit/probe/message.test.ts compares them).
 */
export function buildQuery(spec: QuerySpec): Uint8Array {
  return encodePlainQuery(spec) ?? encodeWithDnsPacket(spec);
}

/** The OPT record dns-packet writes for a bare EDNS0 payload size: root name, type 41, class = size, TTL 0, no options. */
const OPT_BYTES = 11;

/** The fast path, or null when the name is not plain ASCII labels of 1 to 63 bytes, 253 at most. */
function encodePlainQuery(spec: QuerySpec): Uint8Array | null {
  const name = spec.name.endsWith('.') ? spec.name.slice(0, -1) : spec.name;
  if (name.length === 0 || name.length > 253) return null;
  const opt = spec.ednsPayloadSize === undefined ? 0 : OPT_BYTES;
  // Header, one length byte per label plus the label bytes (= name.length + 1), root, qtype, qclass.
  const buf = Buffer.allocUnsafe(HEADER_BYTES + name.length + 2 + 4 + opt);
  // Bytes written directly rather than with writeUInt16BE: Node's range checks behind it allocate
  // an argument list per call unless the optimising compiler inlines them away (Maglev does not),
  // and every probe builds several queries. The values are in range by construction.
  put16(buf, 0, spec.id & 0xffff);
  put16(buf, 2, 0x0100); // RD
  put16(buf, 4, 1); // QDCOUNT
  put16(buf, 6, 0); // ANCOUNT
  put16(buf, 8, 0); // NSCOUNT
  put16(buf, 10, opt === 0 ? 0 : 1); // ARCOUNT
  let lengthAt = HEADER_BYTES;
  let offset = HEADER_BYTES + 1;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      const len = offset - lengthAt - 1;
      if (len === 0 || len > 63) return null;
      buf[lengthAt] = len;
      lengthAt = offset++;
      continue;
    }
    if (c > 0x7e || c < 0x21) return null;
    buf[offset++] = c;
  }
  const last = offset - lengthAt - 1;
  if (last === 0 || last > 63) return null;
  buf[lengthAt] = last;
  buf[offset++] = 0;
  put16(buf, offset, TYPE_CODES[spec.qtype]);
  put16(buf, offset + 2, CLASS_IN);
  offset += 4;
  if (spec.ednsPayloadSize !== undefined) {
    buf[offset] = 0;
    buf.writeUInt16BE(TYPE_OPT, offset + 1);
    buf.writeUInt16BE(spec.ednsPayloadSize, offset + 3);
    buf.writeUInt32BE(0, offset + 5);
    buf.writeUInt16BE(0, offset + 9);
  }
  return buf;
}

function put16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 8;
  buf[offset + 1] = value & 0xff;
}

/** The same query through dns-packet's generic encoder: the fallback, and the reference the fast path is tested against. */
export function encodeWithDnsPacket(spec: QuerySpec): Uint8Array {
  dnsPacket ??= require('dns-packet') as typeof DnsPacket;
  return dnsPacket.encode({
    type: 'query',
    id: spec.id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: spec.qtype, class: 'IN', name: spec.name }],
    additionals:
      spec.ednsPayloadSize === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: spec.ednsPayloadSize,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  });
}

/** Result of matching a reply to the query we sent. */
export type DecodedReply =
  | { readonly kind: 'answer'; readonly answer: Answer }
  | { readonly kind: 'id_mismatch' }
  | { readonly kind: 'question_mismatch'; readonly detail: string }
  | { readonly kind: 'malformed'; readonly detail: string };

interface NameRead {
  readonly name: string;
  /** Offset just past the name at its original position (pointers count as 2 bytes). */
  readonly end: number;
}

class WireError extends Error {}

/**
 * Where readName assembles a name before making one string of it: a name is at most 255 bytes on
 * the wire, so its text is at most 253. One buffer for the process; readName never yields.
 */
const NAME_SCRATCH = Buffer.allocUnsafe(MAX_NAME_WIRE);

/**
 * Reads a possibly compressed name (RFC 1035 4.1.4), lower-cased; throws WireError on anything
 * unsound. Each byte is one character (latin1), as before: the name is compared, not displayed.
 */
function readName(buf: Uint8Array, start: number): NameRead {
  let length = 0;
  let nonAscii = false;
  let offset = start;
  let end = -1;
  let wire = 1;
  for (let jumps = 0; ; ) {
    const len = buf[offset];
    if (len === undefined) throw new WireError('name runs past the end of the message');
    if (len === 0) {
      if (end < 0) end = offset + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      const low = buf[offset + 1];
      if (low === undefined) throw new WireError('compression pointer runs past the end');
      const target = ((len & 0x3f) << 8) | low;
      // A pointer must point backwards; anything else is a loop or garbage.
      if (target >= offset) throw new WireError('compression pointer does not point backwards');
      if (end < 0) end = offset + 2;
      if (++jumps > MAX_POINTERS) throw new WireError('too many compression pointers');
      offset = target;
      continue;
    }
    if (kind !== 0) throw new WireError('unsupported label type');
    if (offset + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) throw new WireError('name longer than 255 bytes');
    if (length > 0) NAME_SCRATCH[length++] = 0x2e;
    for (let i = offset + 1; i <= offset + len; i++) {
      let c = buf[i] as number;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      else if (c >= 0x80) nonAscii = true;
      NAME_SCRATCH[length++] = c;
    }
    offset += 1 + len;
  }
  const name = NAME_SCRATCH.toString('latin1', 0, length);
  return { name: nonAscii ? name.toLowerCase() : name, end };
}

function rcodeName(code: number): Rcode {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

function formatIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 5952 text form: lower-case hex, leading zeros dropped, the longest run of zero groups as `::`. */
function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

interface RawRecord {
  readonly owner: string;
  readonly type: number;
  readonly data: string | null;
  readonly end: number;
}

/**
 * Decodes a reply and checks it belongs to `query` (id, then question), as a resolver must
 * before trusting it. Never throws: anything unsound is a `malformed` value.
 */
export function decodeReply(buf: Uint8Array, query: QuerySpec): DecodedReply {
  if (buf.length < 2) return { kind: 'malformed', detail: `reply of ${buf.length} bytes has no id` };
  const id = ((buf[0] ?? 0) << 8) | (buf[1] ?? 0);
  if (id !== query.id) return { kind: 'id_mismatch' };
  if (buf.length < HEADER_BYTES) {
    return { kind: 'malformed', detail: `reply of ${buf.length} bytes is shorter than a DNS header` };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0)
    return { kind: 'malformed', detail: 'reply does not have the QR (response) bit' };
  const qdcount = view.getUint16(4);
  const ancount = view.getUint16(6);
  const nscount = view.getUint16(8);
  const arcount = view.getUint16(10);
  let offset = HEADER_BYTES;
  if (qdcount !== 1) {
    return { kind: 'question_mismatch', detail: `reply carries ${qdcount} questions instead of 1` };
  }
  let question: NameRead;
  try {
    question = readName(buf, offset);
  } catch (err) {
    return { kind: 'malformed', detail: `question: ${(err as Error).message}` };
  }
  offset = question.end;
  if (offset + 4 > buf.length)
    return { kind: 'malformed', detail: 'question runs past the end of the message' };
  const qtype = view.getUint16(offset);
  const qclass = view.getUint16(offset + 2);
  offset += 4;
  const wanted = query.name.toLowerCase().replace(/\.$/, '');
  if (question.name !== wanted || qtype !== TYPE_CODES[query.qtype] || qclass !== CLASS_IN) {
    return {
      kind: 'question_mismatch',
      detail: `reply is for ${question.name || '.'} type ${qtype}, not ${wanted} ${query.qtype}`,
    };
  }

  // Answer section: keep every record that fits, stop at the first that does not (musl dns_parse.c).
  const records: RawRecord[] = [];
  let cut = false;
  for (let i = 0; i < ancount; i++) {
    const record = readRecord(buf, view, offset);
    if (record === null) {
      cut = true;
      break;
    }
    records.push(record);
    offset = record.end;
  }

  // Authority and additional only matter for the OPT record; a fault there changes no address.
  let ednsPayloadSize: number | null = null;
  if (!cut) {
    for (let i = 0; i < nscount + arcount; i++) {
      const record = readRecord(buf, view, offset);
      if (record === null) break;
      if (record.type === TYPE_OPT) ednsPayloadSize = view.getUint16(offset + nameLength(buf, offset) + 2);
      offset = record.end;
    }
  }

  const rcode = rcodeName(flags & 0x0f);
  const { cnames, names } = followChain(wanted, records);
  const typeCode = TYPE_CODES[query.qtype];
  const addresses: string[] = [];
  const addressEnds: number[] = [];
  for (const record of records) {
    if (record.type === typeCode && record.data !== null && names.has(record.owner)) {
      addresses.push(record.data);
      addressEnds.push(record.end);
    }
  }
  return {
    kind: 'answer',
    answer: {
      bytes: buf.length,
      truncated: (flags & 0x0200) !== 0,
      rcode,
      ancount,
      qdcount,
      cut,
      addresses,
      addressEnds,
      cnames,
      ednsPayloadSize,
    },
  };
}

function nameLength(buf: Uint8Array, offset: number): number {
  return readName(buf, offset).end - offset;
}

/** Reads one resource record at `offset`, or null when it does not fit in the message. */
function readRecord(buf: Uint8Array, view: DataView, offset: number): RawRecord | null {
  let owner: NameRead;
  try {
    owner = readName(buf, offset);
  } catch {
    return null;
  }
  const fixed = owner.end;
  if (fixed + 10 > buf.length) return null;
  const type = view.getUint16(fixed);
  const rdlength = view.getUint16(fixed + 8);
  const rdata = fixed + 10;
  const end = rdata + rdlength;
  if (end > buf.length) return null;
  let data: string | null = null;
  if (type === TYPE_CODES.A && rdlength === 4) data = formatIpv4(buf.subarray(rdata, end));
  else if (type === TYPE_CODES.AAAA && rdlength === 16) data = formatIpv6(buf.subarray(rdata, end));
  else if (type === TYPE_CNAME) {
    try {
      data = readName(buf, rdata).name;
    } catch {
      return null;
    }
  }
  return { owner: owner.name, type, data, end };
}

/** Follows CNAMEs from the question name; returns the targets in order and every name on the chain. */
function followChain(qname: string, records: readonly RawRecord[]): { cnames: string[]; names: Set<string> } {
  const names = new Set([qname]);
  const cnames: string[] = [];
  let current = qname;
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    const next = records.find((r) => r.type === TYPE_CNAME && r.owner === current && r.data !== null);
    if (next?.data == null || names.has(next.data)) break;
    cnames.push(next.data);
    names.add(next.data);
    current = next.data;
  }
  return { cnames, names };
}

/** Wire length of a name written without compression: one length byte per label, the labels, the root byte. */
export function nameWireLength(name: string): number {
  const trimmed = name.replace(/\.$/, '');
  if (trimmed === '') return 1;
  return trimmed.split('.').reduce((sum, label) => sum + 1 + Buffer.byteLength(label, 'latin1'), 1);
}

/** What a complete answer holds, for size arithmetic. */
export interface AnswerShape {
  readonly qname: string;
  readonly qtype: Qtype;
  /** CNAME targets from the question name, in order. */
  readonly cnames?: readonly string[];
  readonly addresses: number;
}

/**
 * Predicted size of the complete answer with name compression as BIND, Knot and CoreDNS write it
 * (PRODUCT.md section 1): `12 + (qname + 4)`, then per record a 2-byte pointer for the owner and
 * 10 fixed bytes plus the rdata. A CNAME's target is written once in full (minus any suffix it
 * shares with a name already written, which becomes a pointer); later owners point at it.
 */
export function predictAnswerBytes(shape: AnswerShape): number {
  const rdata = shape.qtype === 'A' ? 4 : 16;
  let bytes = HEADER_BYTES + nameWireLength(shape.qname) + 4;
  const written: string[] = [shape.qname.toLowerCase().replace(/\.$/, '')];
  for (const target of shape.cnames ?? []) {
    bytes += 2 + 10 + compressedLength(target.toLowerCase().replace(/\.$/, ''), written);
    written.push(target.toLowerCase().replace(/\.$/, ''));
  }
  return bytes + shape.addresses * (2 + 10 + rdata);
}

/** Bytes needed to write `name` when every suffix of a name in `written` can be a 2-byte pointer. */
function compressedLength(name: string, written: readonly string[]): number {
  const suffixes = new Set<string>();
  for (const w of written) {
    const labels = w.split('.');
    for (let i = 0; i < labels.length; i++) suffixes.add(labels.slice(i).join('.'));
  }
  const labels = name.split('.');
  let bytes = 0;
  for (let i = 0; i < labels.length; i++) {
    if (suffixes.has(labels.slice(i).join('.'))) return bytes + 2;
    bytes += 1 + Buffer.byteLength(labels[i] ?? '', 'latin1');
  }
  return bytes + 1;
}

/** Number of addresses of `qtype` that still fit in `limit` bytes for this question (no CNAMEs). */
export function maxAddressesWithin(qname: string, qtype: Qtype, limit: number): number {
  const base = predictAnswerBytes({ qname, qtype, addresses: 0 });
  const per = qtype === 'A' ? 16 : 28;
  return Math.max(0, Math.floor((limit - base) / per));
}
