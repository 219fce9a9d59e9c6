import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  buildQuery,
  decodeReply,
  encodeWithDnsPacket,
  maxAddressesWithin,
  nameWireLength,
  predictAnswerBytes,
  type QuerySpec,
} from '../../../src/probe/message.ts';

const QUERY: QuerySpec = { id: 0x1234, name: 'web.lab.test', qtype: 'A' };

function aRecords(n: number, name = 'web.lab.test') {
  return Array.from({ length: n }, (_, i) => ({
    type: 'A' as const,
    name,
    ttl: 30,
    data: `192.0.2.${i + 1}`,
  }));
}

function reply(overrides: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: QUERY.id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', class: 'IN', name: 'web.lab.test' }],
    answers: aRecords(3),
    ...overrides,
  });
}

describe('buildQuery', () => {
  it('builds what musl sends: one question, RD, no EDNS0', () => {
    const wire = buildQuery(QUERY);
    const decoded = dnsPacket.decode(Buffer.from(wire));
    expect(decoded.id).toBe(0x1234);
    expect(decoded.questions).toEqual([{ type: 'A', class: 'IN', name: 'web.lab.test' }]);
    expect((decoded.flags ?? 0) & dnsPacket.RECURSION_DESIRED).toBeTruthy();
    expect(decoded.additionals).toEqual([]);
    expect(wire.length).toBe(12 + nameWireLength('web.lab.test') + 4);
  });

  it('adds an OPT record with the payload size when asked', () => {
    const wire = buildQuery({ ...QUERY, ednsPayloadSize: 1232 });
    const opt = dnsPacket.decode(Buffer.from(wire)).additionals?.[0] as {
      type: string;
      udpPayloadSize: number;
    };
    expect(opt.type).toBe('OPT');
    expect(opt.udpPayloadSize).toBe(1232);
    expect(wire.length).toBe(12 + nameWireLength('web.lab.test') + 4 + 11);
  });

  it('writes exactly the bytes dns-packet writes, for 3,000 seeded names of every shape', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    const alphabet = 'abcXYZ019-_*.\\ é名\t';
    for (let i = 0; i < 3000; i++) {
      const labels = Array.from({ length: 1 + random(6) }, () => {
        const len = random(10) === 0 ? 60 + random(8) : 1 + random(12);
        return Array.from({ length: len }, () => alphabet[random(alphabet.length)]).join('');
      });
      let name = labels.join('.');
      if (random(8) === 0) name += '.';
      if (random(20) === 0) name = `.${name}`;
      if (random(20) === 0) name = name.repeat(4); // over 253 characters
      const spec: QuerySpec = {
        id: random(65_536),
        name,
        qtype: random(2) === 0 ? 'A' : 'AAAA',
        ...(random(3) === 0 ? { ednsPayloadSize: 512 + random(4096) } : {}),
      };
      expect(Buffer.from(buildQuery(spec)).toString('hex'), JSON.stringify(spec)).toBe(
        Buffer.from(encodeWithDnsPacket(spec)).toString('hex'),
      );
    }
  });
});

describe('decodeReply', () => {
  it('reads addresses, sizes, rcode and flags of a plain answer', () => {
    const buf = reply();
    const decoded = decodeReply(buf, QUERY);
    expect(decoded.kind).toBe('answer');
    if (decoded.kind !== 'answer') return;
    expect(decoded.answer).toMatchObject({
      bytes: buf.length,
      truncated: false,
      rcode: 'NOERROR',
      ancount: 3,
      qdcount: 1,
      cut: false,
      addresses: ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
      cnames: [],
      ednsPayloadSize: null,
    });
    expect(decoded.answer.addressEnds.at(-1)).toBe(buf.length);
  });

  it.each([
    ['TC bit', { flags: dnsPacket.TRUNCATED_RESPONSE }, { truncated: true }],
    ['NXDOMAIN', { flags: 3, answers: [] }, { rcode: 'NXDOMAIN', addresses: [] }],
    ['SERVFAIL', { flags: 2, answers: [] }, { rcode: 'SERVFAIL' }],
    ['unknown rcode', { flags: 9, answers: [] }, { rcode: 'RCODE9' }],
  ])('reads %s', (_label, overrides, expected) => {
    const decoded = decodeReply(reply(overrides as Partial<dnsPacket.Packet>), QUERY);
    expect(decoded.kind === 'answer' && decoded.answer).toMatchObject(expected);
  });

  it('follows a CNAME chain and keeps only addresses on it', () => {
    const buf = reply({
      answers: [
        { type: 'CNAME', name: 'web.lab.test', ttl: 30, data: 'mid.lab.test' },
        { type: 'CNAME', name: 'mid.lab.test', ttl: 30, data: 'end.lab.test' },
        ...aRecords(2, 'end.lab.test'),
        { type: 'A', name: 'unrelated.lab.test', ttl: 30, data: '198.51.100.9' },
      ],
    });
    const decoded = decodeReply(buf, QUERY);
    if (decoded.kind !== 'answer') throw new Error(decoded.kind);
    expect(decoded.answer.cnames).toEqual(['mid.lab.test', 'end.lab.test']);
    expect(decoded.answer.addresses).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('formats AAAA records in RFC 5952 form', () => {
    const q: QuerySpec = { ...QUERY, qtype: 'AAAA' };
    const buf = dnsPacket.encode({
      type: 'response',
      id: q.id,
      questions: [{ type: 'AAAA', class: 'IN', name: 'web.lab.test' }],
      answers: [
        { type: 'AAAA', name: 'web.lab.test', ttl: 1, data: '2001:db8::1' },
        { type: 'AAAA', name: 'web.lab.test', ttl: 1, data: '2001:db8:0:1:0:0:0:2' },
        { type: 'AAAA', name: 'web.lab.test', ttl: 1, data: '2001:db8:1:2:3:4:5:6' },
      ],
    });
    const decoded = decodeReply(buf, q);
    expect(decoded.kind === 'answer' && decoded.answer.addresses).toEqual([
      '2001:db8::1',
      '2001:db8:0:1::2',
      '2001:db8:1:2:3:4:5:6',
    ]);
  });

  it('keeps the records before a cut, like musl __dns_parse, and flags the cut', () => {
    const full = reply({ answers: aRecords(10) });
    const cutAt = full.length - 20; // inside the 10th (last, 28-byte uncompressed) record
    const decoded = decodeReply(full.subarray(0, cutAt), QUERY);
    if (decoded.kind !== 'answer') throw new Error(decoded.kind);
    expect(decoded.answer.cut).toBe(true);
    expect(decoded.answer.ancount).toBe(10);
    expect(decoded.answer.addresses).toHaveLength(9);
    expect(decoded.answer.bytes).toBe(cutAt);
  });

  it('reads the advertised EDNS0 payload size', () => {
    const buf = reply({
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    const decoded = decodeReply(buf, QUERY);
    expect(decoded.kind === 'answer' && decoded.answer.ednsPayloadSize).toBe(1232);
  });

  it('follows compression pointers in owners and CNAME targets', () => {
    // Header, question web.lab.test A IN, then CNAME web->mid (mid.<ptr lab.test>), A on mid (<ptr mid>).
    const q = Buffer.from([3, ...Buffer.from('web'), 3, ...Buffer.from('lab'), 4, ...Buffer.from('test'), 0]);
    const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]);
    const question = Buffer.concat([q, Buffer.from([0, 1, 0, 1])]);
    const cnameTarget = Buffer.from([3, ...Buffer.from('mid'), 0xc0, 16]); // "lab.test" starts at 12 + 4
    const cname = Buffer.concat([
      Buffer.from([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, cnameTarget.length]),
      cnameTarget,
    ]);
    const midOffset = 12 + question.length + 12;
    const a = Buffer.from([0xc0, midOffset, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 7]);
    const buf = Buffer.concat([header, question, cname, a]);
    const decoded = decodeReply(buf, QUERY);
    if (decoded.kind !== 'answer') throw new Error(decoded.kind);
    expect(decoded.answer.cnames).toEqual(['mid.lab.test']);
    expect(decoded.answer.addresses).toEqual(['192.0.2.7']);
  });

  it.each([
    ['one byte', Buffer.from([0x12]), 'malformed'],
    ['a header cut short', reply().subarray(0, 8), 'malformed'],
    ['another id', Buffer.concat([Buffer.from([0xab, 0xcd]), reply().subarray(2)]), 'id_mismatch'],
    ['a query instead of a response', Buffer.from(buildQuery(QUERY)), 'malformed'],
    [
      'another name',
      reply({ questions: [{ type: 'A', class: 'IN', name: 'other.lab.test' }] }),
      'question_mismatch',
    ],
    [
      'another type',
      reply({ questions: [{ type: 'AAAA', class: 'IN', name: 'web.lab.test' }] }),
      'question_mismatch',
    ],
    ['no question', reply({ questions: [] }), 'question_mismatch'],
    ['a question cut short', reply().subarray(0, 20), 'malformed'],
  ])('classifies %s', (_label, buf, kind) => {
    expect(decodeReply(buf, QUERY).kind).toBe(kind);
  });

  it('refuses a compression loop instead of hanging', () => {
    const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
    const loop = Buffer.from([0xc0, 12, 0, 1, 0, 1]);
    expect(decodeReply(Buffer.concat([header, loop]), QUERY).kind).toBe('malformed');
  });

  it('matches the question name case-insensitively', () => {
    const decoded = decodeReply(
      reply({ questions: [{ type: 'A', class: 'IN', name: 'WEB.Lab.TEST' }] }),
      QUERY,
    );
    expect(decoded.kind).toBe('answer');
  });

  it('lower-cases CNAME targets and owners, ASCII and latin1 bytes alike, to follow the chain', () => {
    const decoded = decodeReply(
      reply({
        answers: [
          { type: 'CNAME', name: 'Web.LAB.test', ttl: 30, data: 'ALIAS.Lab.Test' },
          { type: 'CNAME', name: 'alias.lab.test', ttl: 30, data: 'É.lab.test' },
          { type: 'A', name: 'É.LAB.test', ttl: 30, data: '192.0.2.7' },
        ],
      }),
      QUERY,
    );
    // dns-packet writes É as UTF-8 (C3 89); read as latin1 that is Ã and U+0089, lower-cased ã.
    expect(decoded).toMatchObject({
      kind: 'answer',
      answer: { cnames: ['alias.lab.test', '\u00e3\u0089.lab.test'], addresses: ['192.0.2.7'] },
    });
  });
});

describe('size arithmetic', () => {
  it.each([
    ['a30.test', 'A' as const, 30, 506],
    ['web.default.svc.cluster.local', 'A' as const, 29, 511],
    ['web.default.svc.cluster.local', 'A' as const, 30, 527],
  ])('%s with %i %s records is %i bytes (PRODUCT.md section 1)', (qname, qtype, n, bytes) => {
    expect(predictAnswerBytes({ qname, qtype, addresses: n })).toBe(bytes);
  });

  it.each([
    ['a30.test', 'A' as const, 30],
    ['web.default.svc.cluster.local', 'A' as const, 29],
    ['web.default.svc.cluster.local', 'AAAA' as const, 16],
  ])('at most %s fit for %s %s', (qname, qtype, n) => {
    expect(maxAddressesWithin(qname, qtype, 512)).toBe(n);
  });

  it('counts a CNAME target against names already written', () => {
    // web.lab.test CNAME mid.lab.test: owner pointer 2 + fixed 10 + "mid" label 4 + pointer 2.
    expect(
      predictAnswerBytes({ qname: 'web.lab.test', qtype: 'A', cnames: ['mid.lab.test'], addresses: 0 }),
    ).toBe(12 + 14 + 4 + 18);
    // A target sharing nothing is written in full.
    expect(
      predictAnswerBytes({ qname: 'web.lab.test', qtype: 'A', cnames: ['cdn.example'], addresses: 0 }),
    ).toBe(12 + 14 + 4 + 12 + 13);
  });
});
