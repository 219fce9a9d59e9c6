/**
 * The size rule of PRODUCT.md section 1 against bytes on the wire: `predictAnswerBytes` must equal
 * what a compressing encoder writes (the lab's, which writes names as BIND and Knot do) for 1..60 A
 * and 1..20 AAAA records, with and without CNAME chains, and `decodeReply` must read every record back.
 */
import { describe, expect, it } from 'vitest';
import { encodeResponse, type ResourceRecord } from '../../../src/lab/wire.ts';
import { decodeReply, predictAnswerBytes } from '../../../src/probe/message.ts';
import type { Qtype } from '../../../src/probe/types.ts';

const CHAINS: Readonly<Record<string, readonly string[]>> = {
  'no chain': [],
  'one hop in zone': ['mid.lab.test'],
  'two hops, out of zone': ['edge.lab.test', 'pool.cdn.example'],
};

function wire(qname: string, qtype: Qtype, cnames: readonly string[], n: number): Uint8Array {
  const owners = [qname, ...cnames];
  const answers: ResourceRecord[] = cnames.map((target, i) => ({
    type: 'CNAME',
    name: owners[i] as string,
    ttl: 30,
    target,
  }));
  const owner = owners[owners.length - 1] as string;
  for (let i = 0; i < n; i++) {
    answers.push(
      qtype === 'A'
        ? { type: 'A', name: owner, ttl: 30, address: `192.0.2.${i + 1}` }
        : { type: 'AAAA', name: owner, ttl: 30, address: `2001:db8::${(i + 1).toString(16)}` },
    );
  }
  return encodeResponse({
    id: 7,
    aa: true,
    rd: true,
    tc: false,
    rcode: 0,
    question: { name: qname, type: qtype === 'A' ? 1 : 28, class: 1 },
    answers,
    authorities: [],
    edns: null,
  }).bytes;
}

const cases: [string, Qtype, number][] = [];
for (const chain of Object.keys(CHAINS)) {
  for (let n = 1; n <= 60; n++) cases.push([chain, 'A', n]);
  for (let n = 1; n <= 20; n++) cases.push([chain, 'AAAA', n]);
}

describe.each(['web.lab.test', 'web.default.svc.cluster.local'])('qname %s', (qname) => {
  it.each(cases)('%s, %s x %i: predicted bytes equal the wire', (chain, qtype, n) => {
    const cnames = CHAINS[chain] ?? [];
    const bytes = wire(qname, qtype, cnames, n);
    expect(predictAnswerBytes({ qname, qtype, cnames, addresses: n })).toBe(bytes.length);
    const decoded = decodeReply(bytes, { id: 7, name: qname, qtype });
    if (decoded.kind !== 'answer') throw new Error(decoded.kind);
    expect(decoded.answer.addresses).toHaveLength(n);
    expect(decoded.answer.cnames).toEqual(cnames);
    expect(decoded.answer.cut).toBe(false);
  });
});
