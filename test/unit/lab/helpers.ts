/** Test helpers for the lab: building queries and reading replies (dns-packet, plus a header reader for broken replies). */
import dnsPacket from 'dns-packet';

/** A query as musl sends it (no EDNS unless asked), with RD set. */
export function buildQuery(
  name: string,
  type: 'A' | 'AAAA' | 'CNAME' | 'TXT' = 'A',
  opts: { id?: number; edns?: number } = {},
): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 0x4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals:
      opts.edns === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: opts.edns,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  });
}

/** What a reply looks like, read from the header and (when decodable) the records. */
export interface ReplySummary {
  readonly bytes: number;
  readonly id: number;
  readonly tc: boolean;
  readonly rcode: number;
  readonly ancount: number;
  /** null when dns-packet cannot decode the reply (cut or garbage). */
  readonly decoded: {
    readonly question: string | undefined;
    readonly cnames: number;
    readonly addresses: string[];
    readonly authorities: string[];
    readonly opt: number | null;
  } | null;
}

/** Summarises a reply without trusting it. */
export function summarise(reply: Uint8Array): ReplySummary {
  const b = Buffer.from(reply);
  let decoded: ReplySummary['decoded'] = null;
  try {
    const packet = dnsPacket.decode(b);
    const answers = packet.answers ?? [];
    const opt = (packet.additionals ?? []).find((rr) => rr.type === 'OPT');
    decoded = {
      question: packet.questions?.[0]?.name,
      cnames: answers.filter((rr) => rr.type === 'CNAME').length,
      addresses: answers.flatMap((rr) => (rr.type === 'A' || rr.type === 'AAAA' ? [rr.data] : [])),
      authorities: (packet.authorities ?? []).map((rr) => rr.type),
      opt: opt?.type === 'OPT' ? opt.udpPayloadSize : null,
    };
  } catch {
    decoded = null;
  }
  return {
    bytes: b.length,
    id: b.length >= 2 ? b.readUInt16BE(0) : -1,
    tc: b.length >= 3 && ((b[2] ?? 0) & 0x02) !== 0,
    rcode: b.length >= 4 ? (b[3] ?? 0) & 0x0f : -1,
    ancount: b.length >= 8 ? b.readUInt16BE(6) : -1,
    decoded,
  };
}

/** Every address in the lab's documentation ranges (RFC 5737, RFC 3849). */
export function isDocumentationAddress(address: string): boolean {
  return /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(address) || /^2001:db8:/i.test(address);
}

/**
 * Expected wire behaviour per scenario and qtype at time 0 (no EDNS), shared by the unit tests
 * (planReply) and the integration tests (real sockets). Sizes are worked out by hand in
 * scenarios.ts comments and by the size rule; `tcp: 'hang'` means no answer on TCP.
 */
export interface WireExpectation {
  readonly bytes: number;
  readonly tc: boolean;
  readonly rcode: number;
  readonly addresses: number;
  readonly cnames: number;
  /** The reply cannot be decoded (cut without TC): check the header count instead. */
  readonly ancount?: number;
}

/** NODATA answers carry the zone SOA: owner pointer 2 + 10 + 'ns'+ptr 5 + 'hostmaster'+ptr 13 + 20 = 50. */
const SOA = 50;

export const WIRE_EXPECTATIONS: readonly {
  id: string;
  qtype: 'A' | 'AAAA';
  udp: WireExpectation;
  tcp: WireExpectation | 'hang';
}[] = [
  ...(
    [
      // id, qtype, udp [bytes, tc, addresses, cnames], tcp [bytes, addresses, cnames]
      ['fits', 'A', [95, false, 4, 0], [95, 4, 0]],
      ['fits', 'AAAA', [87, false, 2, 0], [87, 2, 0]],
      ['near-limit', 'A', [463, false, 27, 0], [463, 27, 0]],
      ['near-limit', 'AAAA', [31 + SOA, false, 0, 0], [31 + SOA, 0, 0]],
      ['exact-512', 'A', [512, false, 30, 0], [512, 30, 0]],
      ['over-513', 'A', [497, true, 29, 0], [513, 30, 0]],
      ['partial', 'A', [498, true, 29, 0], [674, 40, 0]],
      ['partial', 'AAAA', [34 + SOA, false, 0, 0], [34 + SOA, 0, 0]],
      ['empty', 'A', [32, true, 0, 0], [672, 40, 0]],
      ['cname-fits', 'A', [172, false, 6, 2], [172, 6, 2]],
      ['cname-fits', 'AAAA', [76 + SOA, false, 0, 2], [76 + SOA, 0, 2]],
      ['cname-partial', 'A', [508, true, 26, 2], [732, 40, 2]],
      ['cname-only', 'A', [86, true, 0, 2], [726, 40, 2]],
      ['cname-only', 'AAAA', [86 + SOA, false, 0, 2], [86 + SOA, 0, 2]],
      ['aaaa-overflow', 'A', [99, false, 4, 0], [99, 4, 0]],
      ['aaaa-overflow', 'AAAA', [35, true, 0, 0], [595, 20, 0]],
      ['headless-growth', 'A', [431, false, 24, 0], [431, 24, 0]],
      ['headless-growth', 'AAAA', [47 + SOA, false, 0, 0], [47 + SOA, 0, 0]],
      ['tcp-refused', 'A', [502, true, 29, 0], [678, 40, 0]],
      ['search-walk', 'A', [63, false, 2, 0], [63, 2, 0]],
      ['search-walk', 'AAAA', [31 + SOA, false, 0, 0], [31 + SOA, 0, 0]],
    ] as const
  ).map(([id, qtype, [ub, tc, ua, uc], [tb, ta, tcn]]) => ({
    id,
    qtype,
    udp: { bytes: ub, tc, rcode: 0, addresses: ua, cnames: uc },
    tcp: { bytes: tb, tc: false, rcode: 0, addresses: ta, cnames: tcn },
  })),
  {
    id: 'tcp-hang',
    qtype: 'A',
    udp: { bytes: 499, tc: true, rcode: 0, addresses: 29, cnames: 0 },
    tcp: 'hang',
  },
  {
    id: 'tcp-hang',
    qtype: 'AAAA',
    udp: { bytes: 35 + SOA, tc: false, rcode: 0, addresses: 0, cnames: 0 },
    tcp: 'hang',
  },
  ...(['A', 'AAAA'] as const).map((qtype) => ({
    id: 'servfail',
    qtype,
    udp: { bytes: 35, tc: false, rcode: 2, addresses: 0, cnames: 0 },
    tcp: { bytes: 35, tc: false, rcode: 2, addresses: 0, cnames: 0 },
  })),
  {
    id: 'cut-512',
    qtype: 'A',
    udp: { bytes: 512, tc: false, rcode: 0, addresses: 0, cnames: 0, ancount: 40 },
    tcp: { bytes: 670, tc: false, rcode: 0, addresses: 40, cnames: 0 },
  },
];
