/**
 * The lab's DNS response encoder. dns-packet does not compress names when it encodes, and the
 * lab must produce the exact sizes real servers produce, so the lab writes its own responses
 * with name compression (RFC 1035 4.1.4) and the truncation behaviours seen in the wild
 * (PRODUCT.md section 1). Pure: bytes in, bytes out.
 */

/** A domain name: dotted text (no trailing dot needed; '' is the root) or its labels. */
export type NameInput = string | readonly string[];

/** RR type codes the lab writes (RFC 1035 3.2.2, RFC 3596, RFC 6891). */
export const RR_TYPE = Object.freeze({ A: 1, CNAME: 5, SOA: 6, AAAA: 28, OPT: 41 } as const);

/** The IN class (RFC 1035 3.2.4). */
export const CLASS_IN = 1;

/** Response codes the lab sends (RFC 1035 4.1.1). */
export const RCODE = Object.freeze({
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const);

/** Size of the fixed DNS header (RFC 1035 4.1.1). */
export const HEADER_BYTES = 12;

/** Size of an OPT record with no options: root name, type, class, TTL, RDLENGTH (RFC 6891 6.1.2). */
export const OPT_RR_BYTES = 11;

/** The classic UDP limit without EDNS0 (RFC 1035 2.3.4, 4.2.1). */
export const CLASSIC_UDP_LIMIT = 512;

/**
 * The largest UDP payload the lab accepts to send with EDNS0: 1232 bytes is what BIND, Knot,
 * Unbound and PowerDNS default to since DNS Flag Day 2020 (fits a 1280-byte IPv6 MTU).
 */
export const EDNS_MAX_UDP = 1232;

/** Largest DNS message over TCP: the 2-byte length prefix (RFC 1035 4.2.2). */
export const MAX_MESSAGE_BYTES = 65_535;

/** One resource record of an answer or authority section. */
export type ResourceRecord =
  | { readonly type: 'A'; readonly name: NameInput; readonly ttl: number; readonly address: string }
  | { readonly type: 'AAAA'; readonly name: NameInput; readonly ttl: number; readonly address: string }
  | { readonly type: 'CNAME'; readonly name: NameInput; readonly ttl: number; readonly target: NameInput }
  | {
      readonly type: 'SOA';
      readonly name: NameInput;
      readonly ttl: number;
      readonly mname: NameInput;
      readonly rname: NameInput;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    };

/** The question echoed in a response. `labels` keep the query's bytes and case (0x20 randomisation). */
export interface WireQuestion {
  readonly name: NameInput;
  readonly type: number;
  readonly class: number;
}

/** Everything a response says. Flags not listed are zero (RA: the lab is authoritative only). */
export interface ResponseMessage {
  readonly id: number;
  readonly opcode?: number;
  readonly aa: boolean;
  readonly rd: boolean;
  readonly tc: boolean;
  readonly rcode: number;
  readonly question: WireQuestion | null;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** An OPT record to add (only when the query carried one, RFC 6891 7). */
  readonly edns: { readonly udpPayloadSize: number } | null;
}

/** Encoded bytes plus where each section ends, so callers can cut on record boundaries. */
export interface EncodedResponse {
  readonly bytes: Uint8Array;
  /** Offset just past the question section. */
  readonly questionEnd: number;
  /** Offset just past each answer record, in order. */
  readonly answerEnds: readonly number[];
}

/**
 * How a server shrinks an answer that does not fit:
 * - `partial`: keep as many whole records as fit and set TC (BIND; CoreDNS >= 1.6 via miekg/dns
 *   `Msg.Truncate`, which drops authority and additional records first).
 * - `empty`: set TC and send no records at all (Knot; CoreDNS `forward` since 1.11.3).
 * - `cname-only`: set TC and keep only the CNAME records, dropping the final address RRset whole
 *   (RRset-granular truncation).
 * - `cut`: send the first `limit` bytes of the full answer without TC (a broken cloud resolver).
 */
export type Truncation = 'partial' | 'empty' | 'cname-only' | 'cut';

/** A response sized for one transport. */
export interface FittedResponse {
  readonly bytes: Uint8Array;
  /** Whether the full answer had to be shrunk (TC set, or cut without TC). */
  readonly shrunk: boolean;
  /** Size of the complete answer, before any shrinking. */
  readonly fullBytes: number;
}

/** Splits dotted text into labels; '' and '.' are the root. */
export function splitName(name: NameInput): readonly string[] {
  if (typeof name !== 'string') return name;
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** Size of a name on the wire without compression: one length byte per label, the labels, the root byte. */
export function nameWireLength(name: NameInput): number {
  return splitName(name).reduce((sum, label) => sum + 1 + label.length, 1);
}

/** The UDP size a response may use: 512 without EDNS0; the advertised size clamped to [512, 1232] with it. */
export function udpLimit(edns: { readonly udpPayloadSize: number } | null): number {
  if (edns === null) return CLASSIC_UDP_LIMIT;
  return Math.min(Math.max(edns.udpPayloadSize, CLASSIC_UDP_LIMIT), EDNS_MAX_UDP);
}

/** Case-insensitive (ASCII only, RFC 4343) key of a label sequence for the compression table. */
function suffixKey(labels: readonly string[]): string {
  return JSON.stringify(labels.map((label) => label.replace(/[A-Z]/g, (c) => c.toLowerCase())));
}

/** Compression pointers hold 14 bits of offset (RFC 1035 4.1.4). */
const MAX_POINTER_OFFSET = 0x3fff;

/** A growable byte buffer with a compression table. */
class Writer {
  #buf = new Uint8Array(512);
  #len = 0;
  readonly #names = new Map<string, number>();

  get length(): number {
    return this.#len;
  }

  #ensure(extra: number): void {
    if (this.#len + extra > MAX_MESSAGE_BYTES) {
      throw new RangeError(`DNS message would exceed ${MAX_MESSAGE_BYTES} bytes`);
    }
    if (this.#len + extra <= this.#buf.length) return;
    const next = new Uint8Array(
      Math.min(MAX_MESSAGE_BYTES, Math.max(this.#buf.length * 2, this.#len + extra)),
    );
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(value: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = value & 0xff;
  }

  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value);
  }

  u32(value: number): void {
    this.u16(Math.floor(value / 0x10000) & 0xffff);
    this.u16(value & 0xffff);
  }

  bytes(data: Uint8Array): void {
    this.#ensure(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** Overwrites a 16-bit value written earlier (RDLENGTH once the RDATA is known). */
  patchU16(offset: number, value: number): void {
    this.#buf[offset] = (value >>> 8) & 0xff;
    this.#buf[offset + 1] = value & 0xff;
  }

  /**
   * Writes a name, replacing the longest suffix already in the message with a pointer to it,
   * as BIND and Knot do for every name they write (RFC 1035 4.1.4). Every new suffix is
   * remembered so later names can point at it.
   */
  name(input: NameInput): void {
    const labels = splitName(input);
    if (nameWireLength(labels) > 255) throw new RangeError('DNS name longer than 255 bytes');
    for (let i = 0; i < labels.length; i++) {
      const key = suffixKey(labels.slice(i));
      const earlier = this.#names.get(key);
      if (earlier !== undefined) {
        this.u16(0xc000 | earlier);
        return;
      }
      if (this.#len <= MAX_POINTER_OFFSET) this.#names.set(key, this.#len);
      const label = labels[i] ?? '';
      if (label.length === 0 || label.length > 63) throw new RangeError('DNS label must be 1-63 bytes');
      this.u8(label.length);
      // latin1 keeps one byte per character, so labels taken from a query round-trip unchanged.
      this.bytes(Buffer.from(label, 'latin1'));
    }
    this.u8(0);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Parses a dotted-quad IPv4 address; throws on anything else (zone data is ours). */
export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  return Uint8Array.from(parts.map(Number));
}

/** Parses an IPv6 address in hex-and-colons form (with at most one '::'); throws on anything else. */
export function ipv6Bytes(address: string): Uint8Array {
  const halves = address.split('::');
  if (halves.length > 2) throw new RangeError(`not an IPv6 address: ${address}`);
  const groups = (part: string | undefined): string[] =>
    part === undefined || part === '' ? [] : part.split(':');
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) {
    throw new RangeError(`not an IPv6 address: ${address}`);
  }
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new RangeError(`not an IPv6 address: ${address}`);
    const value = Number.parseInt(group, 16);
    out[i * 2] = value >>> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  return out;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(RR_TYPE[rr.type]);
  w.u16(CLASS_IN);
  w.u32(rr.ttl);
  const rdlengthAt = w.length;
  w.u16(0);
  switch (rr.type) {
    case 'A':
      w.bytes(ipv4Bytes(rr.address));
      break;
    case 'AAAA':
      w.bytes(ipv6Bytes(rr.address));
      break;
    case 'CNAME':
      // RFC 3597 4 allows compression inside CNAME and SOA RDATA (the RFC 1035 well-known types).
      w.name(rr.target);
      break;
    case 'SOA':
      w.name(rr.mname);
      w.name(rr.rname);
      w.u32(rr.serial);
      w.u32(rr.refresh);
      w.u32(rr.retry);
      w.u32(rr.expire);
      w.u32(rr.minimum);
      break;
  }
  w.patchU16(rdlengthAt, w.length - rdlengthAt - 2);
}

/** Encodes a response with name compression. Throws only on invalid input (a programmer error). */
export function encodeResponse(msg: ResponseMessage): EncodedResponse {
  const w = new Writer();
  w.u16(msg.id & 0xffff);
  // RFC 1035 4.1.1: QR | Opcode(4) | AA | TC | RD, then RA | Z | AD | CD | RCODE(4).
  w.u8(
    0x80 | (((msg.opcode ?? 0) & 0xf) << 3) | (msg.aa ? 0x04 : 0) | (msg.tc ? 0x02 : 0) | (msg.rd ? 0x01 : 0),
  );
  w.u8(msg.rcode & 0xf);
  w.u16(msg.question === null ? 0 : 1);
  w.u16(msg.answers.length);
  w.u16(msg.authorities.length);
  w.u16(msg.edns === null ? 0 : 1);
  if (msg.question !== null) {
    w.name(msg.question.name);
    w.u16(msg.question.type);
    w.u16(msg.question.class);
  }
  const questionEnd = w.length;
  const answerEnds: number[] = [];
  for (const rr of msg.answers) {
    writeRecord(w, rr);
    answerEnds.push(w.length);
  }
  for (const rr of msg.authorities) writeRecord(w, rr);
  if (msg.edns !== null) {
    // RFC 6891 6.1.2: root owner, CLASS carries the payload size, TTL holds extended rcode,
    // version 0 and flags (no DO: the lab does not sign), no options.
    w.u8(0);
    w.u16(RR_TYPE.OPT);
    w.u16(msg.edns.udpPayloadSize);
    w.u32(0);
    w.u16(0);
  }
  return { bytes: w.finish(), questionEnd, answerEnds };
}

/**
 * Encodes `msg` so it fits in `limit` bytes the way a server using `mode` would. A message
 * that fits is sent whole (a 512-byte answer is not truncated; 513 is). Authority records go
 * first when shrinking, as miekg/dns `Truncate` drops them before answers (RFC 2181 9).
 */
export function fitResponse(msg: ResponseMessage, limit: number, mode: Truncation): FittedResponse {
  const full = encodeResponse(msg);
  const fullBytes = full.bytes.length;
  if (fullBytes <= limit) return { bytes: full.bytes, shrunk: false, fullBytes };
  if (mode === 'cut') return { bytes: full.bytes.slice(0, limit), shrunk: true, fullBytes };
  const base: ResponseMessage = { ...msg, tc: true, authorities: [] };
  const answers =
    mode === 'empty'
      ? []
      : mode === 'cname-only'
        ? msg.answers.filter((rr) => rr.type === 'CNAME')
        : msg.answers;
  return { bytes: keepWhole({ ...base, answers }, limit), shrunk: true, fullBytes };
}

/**
 * Keeps the longest prefix of whole answer records that fits. Compression only points backwards,
 * so a prefix encodes to exactly the bytes it had in the longer message: the cut point can be
 * read from the record end offsets.
 */
function keepWhole(msg: ResponseMessage, limit: number): Uint8Array {
  const layout = encodeResponse(msg);
  if (layout.bytes.length <= limit) return layout.bytes;
  const tail = msg.edns === null ? 0 : OPT_RR_BYTES;
  let kept = 0;
  while (kept < layout.answerEnds.length && (layout.answerEnds[kept] ?? Infinity) + tail <= limit) kept++;
  return encodeResponse({ ...msg, answers: msg.answers.slice(0, kept) }).bytes;
}
