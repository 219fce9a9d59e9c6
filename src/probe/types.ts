/**
 * Values that cross module boundaries: what one DNS exchange measured, and the vocabulary
 * (query types, families, rcodes) shared by the probe, the client models and the CLI.
 * Nothing here does I/O.
 */

/** Address query types; getaddrinfo only ever asks for these two. */
export type Qtype = 'A' | 'AAAA';

/** getaddrinfo's address family hint: AF_INET, AF_INET6 or AF_UNSPEC. */
export type Family = 'inet' | 'inet6' | 'unspec';

/**
 * Query types per family, in the order musl sends them (A before AAAA; see
 * musl src/network/lookup_name.c name_from_dns, which fills qtypes in that order and checks
 * the answers' rcodes in that order).
 */
export const FAMILY_QTYPES: Readonly<Record<Family, readonly Qtype[]>> = Object.freeze({
  inet: Object.freeze(['A'] as const),
  inet6: Object.freeze(['AAAA'] as const),
  unspec: Object.freeze(['A', 'AAAA'] as const),
});

/** How a query went out: plain UDP as musl sends it, TCP, or UDP with an EDNS0 OPT record. */
export type Transport = 'udp' | 'tcp' | 'edns';

/** Response codes by name (RFC 1035 4.1.1, RFC 6895); unknown ones as `RCODE<n>`. */
export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | `RCODE${number}`;

/** A DNS server to ask: an IP literal and a port. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Why an exchange produced no usable answer. Replies that musl would ignore (wrong id,
 * wrong question, wrong source) are not failures by themselves: the exchange keeps waiting,
 * and only if nothing valid arrives does the failure name what was ignored instead of
 * a bare `timeout`.
 */
export type ExchangeFailureReason =
  | 'timeout' // nothing at all arrived before the deadline
  | 'refused' // TCP connection refused (or ICMP port unreachable)
  | 'network' // any other socket error
  | 'closed' // TCP peer closed before the full length-prefixed message arrived
  | 'malformed' // a reply with our id that cannot be decoded
  | 'id_mismatch' // only replies with other ids arrived
  | 'question_mismatch' // only replies with our id but another question arrived
  | 'source_mismatch' // only replies from another address or port arrived
  | 'aborted'; // the caller's signal fired for another reason than our deadline

/** Counts of replies ignored while waiting (musl ignores the same ones: res_msend.c). */
export interface Ignored {
  idMismatch: number;
  questionMismatch: number;
  sourceMismatch: number;
  malformed: number;
}

/** What a decoded reply says, reduced to what the client models and the reports need. */
export interface Answer {
  /** Wire size of the DNS message (UDP payload, or TCP message without the 2-byte prefix). */
  readonly bytes: number;
  /** TC bit. */
  readonly truncated: boolean;
  readonly rcode: Rcode;
  /** Answer count declared in the header. */
  readonly ancount: number;
  /** Question count declared in the header (musl refuses to parse when qdcount+ancount > 64). */
  readonly qdcount: number;
  /**
   * True when the answer section ends before `ancount` records could be read: a reply cut
   * short without TC (PRODUCT.md section 1), or a broken packet. Records before the cut are kept,
   * as musl's __dns_parse keeps them.
   */
  readonly cut: boolean;
  /** Addresses of the queried type on the CNAME chain of the question name, in wire order. */
  readonly addresses: readonly string[];
  /**
   * Byte offset just past each address record of `addresses` (same order). Lets a model
   * ask "how many addresses fit in the first N bytes" (musl parses 512 bytes of UDP, 768 of TCP
   * in 1.2.4) without re-reading the packet.
   */
  readonly addressEnds: readonly number[];
  /** CNAME targets followed from the question name, in order. */
  readonly cnames: readonly string[];
  /** EDNS0 UDP payload size the server advertised, if it sent an OPT record. */
  readonly ednsPayloadSize: number | null;
}

/** One query/response exchange over one transport, as measured. Never an exception. */
export type Exchange =
  | (Answer & {
      readonly ok: true;
      readonly transport: Transport;
      readonly queryBytes: number;
      readonly durationSeconds: number;
      readonly ignored: Ignored;
      /** A UDP reply larger than the size we could accept (512 without EDNS): the server broke RFC 1035 4.2.1. */
      readonly oversize: boolean;
    })
  | {
      readonly ok: false;
      readonly transport: Transport;
      readonly reason: ExchangeFailureReason;
      /** Plain-language detail for people; never used as a metric label. */
      readonly message: string;
      readonly queryBytes: number;
      readonly durationSeconds: number;
      readonly ignored: Ignored;
    };

/** Successful exchange. */
export type OkExchange = Extract<Exchange, { ok: true }>;
/** Failed exchange. */
export type FailedExchange = Extract<Exchange, { ok: false }>;

/** The classic DNS UDP limit without EDNS0 (RFC 1035 2.3.4); musl's answer buffer size. */
export const UDP_LIMIT = 512;
