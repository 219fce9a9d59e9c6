import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  encodeResponse,
  fitResponse,
  ipv4Bytes,
  ipv6Bytes,
  nameWireLength,
  type ResourceRecord,
  type ResponseMessage,
  splitName,
  type Truncation,
  udpLimit,
} from '../../../src/lab/wire.ts';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function v4(i: number): string {
  return `192.0.2.${(i % 254) + 1}`;
}
function v6(i: number): string {
  return `2001:db8::${(i + 1).toString(16)}`;
}

/** A response for `qname` with an optional CNAME chain and `n` records of `qtype` at its end. */
function message(qname: string, chain: readonly string[], qtype: 'A' | 'AAAA', n: number): ResponseMessage {
  const owners = [qname, ...chain];
  const answers: ResourceRecord[] = chain.map((target, k) => ({
    type: 'CNAME',
    name: owners[k] ?? qname,
    ttl: 30,
    target,
  }));
  const final = owners.at(-1) ?? qname;
  for (let i = 0; i < n; i++) {
    answers.push(
      qtype === 'A'
        ? { type: 'A', name: final, ttl: 30, address: v4(i) }
        : { type: 'AAAA', name: final, ttl: 30, address: v6(i) },
    );
  }
  return {
    id: 0x1234,
    aa: true,
    rd: true,
    tc: false,
    rcode: 0,
    question: { name: qname, type: qtype === 'A' ? 1 : 28, class: 1 },
    answers,
    authorities: [],
    edns: null,
  };
}

/** The size rule of PRODUCT.md section 1, written out independently of the encoder. */
function formula(qname: string, cnameBytes: readonly number[], qtype: 'A' | 'AAAA', n: number): number {
  const cnames = cnameBytes.reduce((a, b) => a + b, 0);
  return 12 + (nameWireLength(qname) + 4) + cnames + (qtype === 'A' ? 16 : 28) * n;
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/**
 * Chains with the CNAME record sizes worked out by hand: owner pointer (2) + type, class, TTL,
 * RDLENGTH (10) + RDATA (new labels, then a 2-byte pointer to the longest earlier suffix, or 0).
 */
const CHAINS: readonly { qname: string; chain: string[]; cnameBytes: number[] }[] = [
  { qname: 'a30.test', chain: [], cnameBytes: [] },
  { qname: 'web.default.svc.cluster.local', chain: [], cnameBytes: [] },
  // cname.edge.lab.test: 'cname' 'edge' + ptr(lab.test) = 6+5+2 = 13 -> 25; then 'pool' + ptr = 7 -> 19.
  {
    qname: 'cname.lab.test',
    chain: ['cname.edge.lab.test', 'pool.cname.edge.lab.test'],
    cnameBytes: [25, 19],
  },
  // Nothing to share with the question: 'target' 'example' + root = 7+8+1 = 16 -> 28.
  { qname: 'x.lab.test', chain: ['target.example'], cnameBytes: [28] },
  // Target is a suffix of the question name itself: a bare pointer (2) -> 14.
  { qname: 'www.svc.lab.test', chain: ['svc.lab.test'], cnameBytes: [14] },
];

describe('encodeResponse sizes follow 12 + (qname + 4) + CNAMEs + 16 per A / 28 per AAAA', () => {
  const cases = CHAINS.flatMap(({ qname, chain, cnameBytes }) => [
    ...range(1, 60).map((n) => ({ qname, chain, cnameBytes, qtype: 'A' as const, n })),
    ...range(1, 20).map((n) => ({ qname, chain, cnameBytes, qtype: 'AAAA' as const, n })),
  ]);

  it.each(cases)('$qname chain=$chain.length $n x $qtype', ({ qname, chain, cnameBytes, qtype, n }) => {
    const encoded = encodeResponse(message(qname, chain, qtype, n));
    const bytes = encoded.bytes;
    expect(bytes.length).toBe(formula(qname, cnameBytes, qtype, n));

    // Valid DNS: dns-packet decodes it back to the same records.
    const decoded = dnsPacket.decode(Buffer.from(bytes));
    expect(decoded.id).toBe(0x1234);
    expect(decoded.questions?.[0]?.name).toBe(qname);
    const answers = decoded.answers ?? [];
    expect(answers).toHaveLength(chain.length + n);
    answers.slice(0, chain.length).forEach((rr, k) => {
      expect(rr.type).toBe('CNAME');
      expect(rr.name).toBe([qname, ...chain][k]);
      expect(rr.type === 'CNAME' && rr.data).toBe(chain[k]);
    });
    const addresses = answers.slice(chain.length);
    expect(
      addresses.every((rr) => rr.type === qtype && rr.name === ([qname, ...chain].at(-1) ?? qname)),
    ).toBe(true);
    expect(addresses.map((rr) => (rr.type === 'A' || rr.type === 'AAAA' ? rr.data : ''))).toEqual(
      range(0, n - 1).map(qtype === 'A' ? v4 : v6),
    );

    // Compression pointers: the first owner points at the question name (offset 12); every
    // address owner points at where the final name was first written.
    const starts = [encoded.questionEnd, ...encoded.answerEnds];
    expect(u16(bytes, starts[0] ?? 0)).toBe(0xc00c);
    const finalOwnerPointer = u16(bytes, starts[chain.length] ?? 0);
    expect(finalOwnerPointer & 0xc000).toBe(0xc000);
    for (let i = chain.length; i < chain.length + n; i++)
      expect(u16(bytes, starts[i] ?? 0)).toBe(finalOwnerPointer);
  });

  it.each([
    { qname: 'a30.test', n: 30, bytes: 506 },
    { qname: 'a30.test', n: 31, bytes: 522 },
    { qname: 'web.default.svc.cluster.local', n: 29, bytes: 511 },
    { qname: 'web.default.svc.cluster.local', n: 30, bytes: 527 },
    { qname: 'exact.lab.test', n: 30, bytes: 512 },
    { qname: 'exceed.lab.test', n: 30, bytes: 513 },
    { qname: 'a30.test', n: 60, bytes: 986 },
  ])('PRODUCT.md figures: $n A for $qname = $bytes bytes', ({ qname, n, bytes }) => {
    expect(encodeResponse(message(qname, [], 'A', n)).bytes.length).toBe(bytes);
  });

  it('compresses case-insensitively against the question as sent (0x20 case)', () => {
    const msg = {
      ...message('partial.lab.test', [], 'A', 2),
      question: { name: 'PaRtial.LAB.test', type: 1, class: 1 },
    };
    const encoded = encodeResponse(msg);
    expect(u16(encoded.bytes, encoded.questionEnd)).toBe(0xc00c);
    expect(dnsPacket.decode(Buffer.from(encoded.bytes)).questions?.[0]?.name).toBe('PaRtial.LAB.test');
  });

  it('adds an 11-byte OPT record with the payload size when asked', () => {
    const plain = encodeResponse(message('a30.test', [], 'A', 3)).bytes;
    const withOpt = encodeResponse({
      ...message('a30.test', [], 'A', 3),
      edns: { udpPayloadSize: 1232 },
    }).bytes;
    expect(withOpt.length).toBe(plain.length + 11);
    const opt = dnsPacket.decode(Buffer.from(withOpt)).additionals?.[0];
    expect(opt?.type).toBe('OPT');
    expect(opt?.type === 'OPT' && opt.udpPayloadSize).toBe(1232);
  });

  it('writes the header flags and rcode', () => {
    const bytes = encodeResponse({ ...message('a30.test', [], 'A', 0), tc: true, rcode: 3, rd: false }).bytes;
    const decoded = dnsPacket.decode(Buffer.from(bytes));
    expect(decoded.flags).toBe(dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE | 3);
    expect(decoded.type).toBe('response');
  });

  it('encodes an SOA with compressed names', () => {
    const soa: ResourceRecord = {
      type: 'SOA',
      name: 'lab.test',
      ttl: 30,
      mname: 'ns.lab.test',
      rname: 'hostmaster.lab.test',
      serial: 7,
      refresh: 3600,
      retry: 600,
      expire: 86_400,
      minimum: 30,
    };
    const msg: ResponseMessage = { ...message('nope.lab.test', [], 'A', 0), rcode: 3, authorities: [soa] };
    const bytes = encodeResponse(msg).bytes;
    // 12 + 19 question + SOA: owner ptr 2 + 10 + ('ns'+ptr 5) + ('hostmaster'+ptr 13) + 20 = 50.
    expect(bytes.length).toBe(12 + 19 + 50);
    const rr = dnsPacket.decode(Buffer.from(bytes)).authorities?.[0];
    expect(rr?.type === 'SOA' && rr.data).toMatchObject({
      mname: 'ns.lab.test',
      rname: 'hostmaster.lab.test',
      serial: 7,
    });
  });

  it('keeps pointers inside the 14-bit offset range for large TCP answers', () => {
    const bytes = encodeResponse(message('big.lab.test', ['far.away.lab.test'], 'A', 3000)).bytes;
    expect(bytes.length).toBe(12 + 18 + (2 + 10 + 11) + 3000 * 16);
    expect(dnsPacket.decode(Buffer.from(bytes)).answers).toHaveLength(3001);
  });
});

describe('fitResponse', () => {
  const full40 = message('partial.lab.test', [], 'A', 40);
  const chain40 = message(
    'cname-partial.lab.test',
    ['cname-partial.edge.lab.test', 'pool.cname-partial.edge.lab.test'],
    'A',
    40,
  );

  it.each<{
    label: string;
    msg: ResponseMessage;
    limit: number;
    mode: Truncation;
    bytes: number;
    tc: boolean;
    answers: number;
  }>([
    {
      label: 'fits',
      msg: message('exact.lab.test', [], 'A', 30),
      limit: 512,
      mode: 'partial',
      bytes: 512,
      tc: false,
      answers: 30,
    },
    {
      label: '513 partial',
      msg: message('exceed.lab.test', [], 'A', 30),
      limit: 512,
      mode: 'partial',
      bytes: 497,
      tc: true,
      answers: 29,
    },
    { label: 'partial', msg: full40, limit: 512, mode: 'partial', bytes: 498, tc: true, answers: 29 },
    { label: 'empty', msg: full40, limit: 512, mode: 'empty', bytes: 34, tc: true, answers: 0 },
    {
      label: 'cname-only without chain',
      msg: full40,
      limit: 512,
      mode: 'cname-only',
      bytes: 34,
      tc: true,
      answers: 0,
    },
    { label: 'chain partial', msg: chain40, limit: 512, mode: 'partial', bytes: 508, tc: true, answers: 28 },
    {
      label: 'chain cname-only',
      msg: chain40,
      limit: 512,
      mode: 'cname-only',
      bytes: 92,
      tc: true,
      answers: 2,
    },
    { label: 'chain empty', msg: chain40, limit: 512, mode: 'empty', bytes: 40, tc: true, answers: 0 },
    {
      label: 'EDNS 1232 fits 674+11',
      msg: { ...full40, edns: { udpPayloadSize: 1232 } },
      limit: 1232,
      mode: 'partial',
      bytes: 685,
      tc: false,
      answers: 40,
    },
    // 1232 - 34 - 11 = 1187 -> 74 records (1184 bytes) + OPT.
    {
      label: 'EDNS partial keeps OPT',
      msg: { ...message('partial.lab.test', [], 'A', 100), edns: { udpPayloadSize: 1232 } },
      limit: 1232,
      mode: 'partial',
      bytes: 34 + 74 * 16 + 11,
      tc: true,
      answers: 74,
    },
    {
      label: 'EDNS empty keeps OPT',
      msg: { ...message('partial.lab.test', [], 'A', 100), edns: { udpPayloadSize: 1232 } },
      limit: 1232,
      mode: 'empty',
      bytes: 45,
      tc: true,
      answers: 0,
    },
  ])('$label', ({ msg, limit, mode, bytes, tc, answers }) => {
    const fitted = fitResponse(msg, limit, mode);
    expect(fitted.bytes.length).toBe(bytes);
    expect(fitted.shrunk).toBe(tc);
    expect(fitted.fullBytes).toBe(encodeResponse(msg).bytes.length);
    const decoded = dnsPacket.decode(Buffer.from(fitted.bytes));
    expect(Boolean((decoded.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE)).toBe(tc);
    expect(decoded.answers).toHaveLength(answers);
    expect(decoded.authorities).toHaveLength(0);
    expect(decoded.additionals).toHaveLength(msg.edns === null ? 0 : 1);
  });

  it('drops authority records first when shrinking', () => {
    const soa: ResourceRecord = {
      type: 'SOA',
      name: 'lab.test',
      ttl: 30,
      mname: 'ns.lab.test',
      rname: 'hostmaster.lab.test',
      serial: 1,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: 1,
    };
    const fitted = fitResponse({ ...full40, authorities: [soa] }, 512, 'partial');
    expect(dnsPacket.decode(Buffer.from(fitted.bytes)).authorities).toHaveLength(0);
    expect(fitted.bytes.length).toBe(498);
  });

  it('cut: the first 512 bytes of the full answer, TC clear, header still claiming 40 records', () => {
    const fitted = fitResponse(full40, 512, 'cut');
    const full = encodeResponse(full40).bytes;
    expect(fitted.bytes).toEqual(full.slice(0, 512));
    expect((fitted.bytes[2] ?? 0) & 0x02).toBe(0);
    expect(u16(fitted.bytes, 6)).toBe(40);
    expect(() => dnsPacket.decode(Buffer.from(fitted.bytes))).toThrow();
  });
});

describe('helpers', () => {
  it.each([
    { edns: null, limit: 512 },
    { edns: { udpPayloadSize: 0 }, limit: 512 },
    { edns: { udpPayloadSize: 512 }, limit: 512 },
    { edns: { udpPayloadSize: 1232 }, limit: 1232 },
    { edns: { udpPayloadSize: 4096 }, limit: 1232 },
    { edns: { udpPayloadSize: 800 }, limit: 800 },
  ])('udpLimit($edns) = $limit', ({ edns, limit }) => {
    expect(udpLimit(edns)).toBe(limit);
  });

  it.each([
    { name: 'a30.test', length: 10 },
    { name: 'a30.test.', length: 10 },
    { name: '', length: 1 },
    { name: '.', length: 1 },
    { name: 'default.svc.cluster.local', length: 27 },
  ])('nameWireLength($name) = $length', ({ name, length }) => {
    expect(nameWireLength(name)).toBe(length);
    expect(splitName(name).join('.')).toBe(name.replace(/\.$/, ''));
  });

  it.each([
    { text: '2001:db8::1', hex: '20010db8000000000000000000000001' },
    { text: '::1', hex: '00000000000000000000000000000001' },
    { text: '::', hex: '00000000000000000000000000000000' },
    { text: '2001:db8:0:0:0:0:0:ff', hex: '20010db80000000000000000000000ff' },
    { text: 'fe80::1:2', hex: 'fe800000000000000000000000010002' },
  ])('ipv6Bytes($text)', ({ text, hex }) => {
    expect(Buffer.from(ipv6Bytes(text)).toString('hex')).toBe(hex);
  });

  it.each(['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '12345::'])(
    'ipv6Bytes rejects %s',
    (text) => {
      expect(() => ipv6Bytes(text)).toThrow(RangeError);
    },
  );

  it.each(['1.2.3', '256.1.1.1', 'a.b.c.d', '1.2.3.4.5'])('ipv4Bytes rejects %s', (text) => {
    expect(() => ipv4Bytes(text)).toThrow(RangeError);
  });

  it.each([
    { name: 'x'.repeat(64), why: 'label over 63' },
    { name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`, why: 'name over 255' },
    { name: 'a..b', why: 'empty label' },
  ])('encodeResponse rejects a bad name ($why)', ({ name }) => {
    expect(() => encodeResponse(message(name, [], 'A', 1))).toThrow(RangeError);
  });
});
