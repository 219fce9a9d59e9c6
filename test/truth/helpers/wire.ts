/**
 * The answer-size arithmetic of PRODUCT.md section 1, written independently of src/ so the truth
 * tests can check the real servers (and the product) against it:
 *   12 (header) + qname wire length + 4 (qtype, qclass)
 *   + per CNAME: 2 (owner, compressed) + 10 (type, class, ttl, rdlength) + compressed target
 *   + per address: 2 + 10 + 4 (A) or 16 (AAAA), i.e. 16 per A and 28 per AAAA.
 * Compression follows RFC 1035 4.1.4: a name is written as its labels up to the longest suffix
 * already present in the message, then a 2-byte pointer (or the root's 1 zero byte).
 */

/** DNS header size (RFC 1035 4.1.1). */
export const HEADER_BYTES = 12;
/** Fixed part of a resource record after its owner name: type, class, ttl, rdlength. */
export const RR_FIXED_BYTES = 10;
/** A compression pointer. */
export const POINTER_BYTES = 2;

/** Labels of an absolute name given without the trailing dot; the root is []. */
export function labels(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** Uncompressed wire length of a name: one length byte per label, the label, and the root byte. */
export function nameWireLength(name: string): number {
  return labels(name).reduce((sum, label) => sum + 1 + label.length, 1);
}

/**
 * How a server picks compression targets.
 * - `rfc`: the longest suffix already in the message (RFC 1035 4.1.4); what Knot 3.2 does.
 * - `bind918`: BIND 9.18 (lib/dns/compress.c) looks up only the whole name and the name minus
 *   its first label, and remembers only those two suffixes of each name it writes. A CNAME
 *   target two or more labels below an already written suffix is therefore sent uncompressed.
 */
export type CompressionStyle = 'rfc' | 'bind918';

/** Tracks which name suffixes a message already holds, to price compressed names. */
export class CompressionTable {
  #suffixes = new Set<string>();
  #style: CompressionStyle;

  constructor(style: CompressionStyle = 'rfc') {
    this.#style = style;
  }

  /** Bytes needed to write `name` now; records the suffixes the server would remember. */
  write(name: string): number {
    const parts = labels(name.toLowerCase());
    // BIND tries suffixes starting at label 0 and 1 only (and only label 0 for a one-label name).
    const tries = this.#style === 'rfc' ? parts.length : Math.min(parts.length, 2);
    let bytes = 0;
    for (let i = 0; i < parts.length; i++) {
      if (i < tries && this.#suffixes.has(parts.slice(i).join('.'))) {
        this.#remember(parts, i);
        return bytes + POINTER_BYTES;
      }
      bytes += 1 + (parts[i]?.length ?? 0);
    }
    this.#remember(parts, parts.length);
    return bytes + 1;
  }

  /** Remembers the suffixes written as labels (the first `written` ones). */
  #remember(parts: readonly string[], written: number): void {
    const keep = this.#style === 'rfc' ? written : Math.min(written, 2);
    for (let i = 0; i < keep; i++) this.#suffixes.add(parts.slice(i).join('.'));
  }
}

/** Per-record address data size. */
export const ADDRESS_RDATA_BYTES = { A: 4, AAAA: 16 } as const;

/**
 * Layout of a complete, compressed answer: the question, the CNAME chain from `qname` (each
 * element the target of the previous), then `addresses` records of `qtype` owned by the chain's
 * last name. `ends[k]` is the message size once the k-th answer record is written; no
 * authority or additional records (BIND minimal-responses; Knot's default).
 */
export function answerLayout(
  qname: string,
  chain: readonly string[],
  qtype: 'A' | 'AAAA',
  addresses: number,
  style: CompressionStyle = 'rfc',
): { readonly question: number; readonly ends: readonly number[] } {
  const table = new CompressionTable(style);
  const question = HEADER_BYTES + table.write(qname) + 4;
  const ends: number[] = [];
  let bytes = question;
  for (const target of chain) {
    bytes += POINTER_BYTES + RR_FIXED_BYTES + table.write(target);
    ends.push(bytes);
  }
  for (let i = 0; i < addresses; i++) {
    bytes += POINTER_BYTES + RR_FIXED_BYTES + ADDRESS_RDATA_BYTES[qtype];
    ends.push(bytes);
  }
  return { question, ends };
}

/** Size of the complete answer described by {@link answerLayout}. */
export function answerBytes(
  qname: string,
  chain: readonly string[],
  qtype: 'A' | 'AAAA',
  addresses: number,
  style: CompressionStyle = 'rfc',
): number {
  const { question, ends } = answerLayout(qname, chain, qtype, addresses, style);
  return ends[ends.length - 1] ?? question;
}
