import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/lab/query.ts';

function query(name: string, type: 'A' | 'AAAA' | 'TXT' = 'A', edns?: number): Uint8Array {
  return dnsPacket.encode({
    type: 'query',
    id: 0xbeef,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals:
      edns === undefined
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: edns,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  });
}

function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy.set(values, at);
  return copy;
}

/** mulberry32: a tiny seeded PRNG so the fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('parseQuery', () => {
  it('reads a plain query as musl sends it', () => {
    expect(parseQuery(query('Partial.LAB.test'))).toEqual({
      ok: true,
      id: 0xbeef,
      opcode: 0,
      rd: true,
      labels: ['Partial', 'LAB', 'test'],
      name: 'partial.lab.test',
      qtype: 1,
      qclass: 1,
      edns: null,
    });
  });

  it.each([512, 1232, 4096])('reads the EDNS0 payload size %i', (size) => {
    const parsed = parseQuery(query('fits.lab.test', 'AAAA', size));
    expect(parsed.ok && parsed.edns).toEqual({ udpPayloadSize: size });
    expect(parsed.ok && parsed.qtype).toBe(28);
  });

  const good = query('fits.lab.test');
  const withOpt = query('fits.lab.test', 'A', 1232);
  it.each<{ why: string; bytes: Uint8Array; expected: Record<string, unknown> }>([
    { why: 'empty', bytes: new Uint8Array(0), expected: { action: 'drop', reason: 'short' } },
    { why: '11 bytes', bytes: good.slice(0, 11), expected: { action: 'drop', reason: 'short' } },
    {
      why: 'a response (QR set)',
      bytes: patched(good, 2, 0x81),
      expected: { action: 'drop', reason: 'not_a_query' },
    },
    {
      why: 'opcode STATUS',
      bytes: patched(good, 2, 0x10 | 0x01),
      expected: { action: 'notimp', reason: 'opcode', opcode: 2 },
    },
    { why: 'no question', bytes: patched(good, 4, 0, 0), expected: { action: 'formerr', reason: 'qdcount' } },
    {
      why: 'two questions',
      bytes: patched(good, 4, 0, 2),
      expected: { action: 'formerr', reason: 'qdcount' },
    },
    { why: 'header only', bytes: good.slice(0, 12), expected: { action: 'formerr', reason: 'question' } },
    { why: 'name cut short', bytes: good.slice(0, 16), expected: { action: 'formerr', reason: 'question' } },
    {
      why: 'qtype cut short',
      bytes: good.slice(0, good.length - 1),
      expected: { action: 'formerr', reason: 'question' },
    },
    {
      why: 'pointer in question',
      bytes: patched(good, 12, 0xc0, 0x0c),
      expected: { action: 'formerr', reason: 'question' },
    },
    {
      why: 'label length 64',
      bytes: patched(good, 12, 64),
      expected: { action: 'formerr', reason: 'question' },
    },
    {
      why: 'trailing bytes',
      bytes: Uint8Array.from([...good, 0, 0]),
      expected: { action: 'formerr', reason: 'trailing' },
    },
    {
      why: 'arcount without record',
      bytes: patched(good, 10, 0, 1),
      expected: { action: 'formerr', reason: 'records' },
    },
    {
      why: 'OPT cut short',
      bytes: withOpt.slice(0, withOpt.length - 3),
      expected: { action: 'formerr', reason: 'records' },
    },
    {
      why: 'two OPT records',
      bytes: patched(Uint8Array.from([...withOpt, ...withOpt.slice(withOpt.length - 11)]), 10, 0, 2),
      expected: { action: 'formerr', reason: 'records' },
    },
  ])('refuses $why', ({ bytes, expected }) => {
    expect(parseQuery(bytes)).toMatchObject({ ok: false, ...expected });
  });

  it('keeps the id, opcode and RD of a refused query so the error reply can echo them', () => {
    expect(parseQuery(patched(good, 4, 0, 2))).toEqual({
      ok: false,
      action: 'formerr',
      reason: 'qdcount',
      id: 0xbeef,
      opcode: 0,
      rd: true,
    });
  });

  it('refuses names over 255 bytes', () => {
    const labels = Array.from({ length: 5 }, () => [63, ...Array<number>(63).fill(0x61)]).flat();
    const bytes = Uint8Array.from([...good.slice(0, 12), ...labels, 0, 0, 1, 0, 1]);
    expect(parseQuery(bytes)).toMatchObject({ ok: false, action: 'formerr', reason: 'question' });
  });

  it('keeps non-ASCII label bytes one-for-one', () => {
    const bytes = Uint8Array.from([
      ...good.slice(0, 12),
      2,
      0xc3,
      0x41,
      4,
      0x74,
      0x65,
      0x73,
      0x74,
      0,
      0,
      1,
      0,
      1,
    ]);
    const parsed = parseQuery(bytes);
    expect(parsed.ok && parsed.labels).toEqual(['\u00c3A', 'test']);
    expect(parsed.ok && parsed.name).toBe('\u00c3a.test');
  });

  it('never throws on random bytes or random corruptions of a valid query', () => {
    const random = prng(42);
    for (let i = 0; i < 5000; i++) {
      const base = i % 2 === 0 ? withOpt : new Uint8Array(Math.floor(random() * 80));
      const bytes = Uint8Array.from(base);
      for (let k = 0; k < 1 + Math.floor(random() * 4) && bytes.length > 0; k++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const cut = bytes.slice(0, Math.floor(random() * (bytes.length + 1)));
      expect(() => parseQuery(cut)).not.toThrow();
    }
  });
});
