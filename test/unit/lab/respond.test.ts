import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { garbageReply, type PlannedReply, planReply, type ReplyContext } from '../../../src/lab/respond.ts';
import { SCENARIOS, scenarioById } from '../../../src/lab/scenarios.ts';
import { buildQuery, summarise, WIRE_EXPECTATIONS } from './helpers.ts';

const UDP: ReplyContext = { transport: 'udp', elapsedMs: 0 };
const TCP: ReplyContext = { transport: 'tcp', elapsedMs: 0 };

function sent(planned: PlannedReply): Uint8Array {
  if (planned.plan.action !== 'send') throw new Error(`expected send, got ${planned.plan.action}`);
  return planned.plan.bytes;
}

function nameOf(id: string): string {
  const s = scenarioById(id);
  if (s === undefined) throw new Error(`no scenario ${id}`);
  return s.name;
}

describe('planReply: every scenario at time 0, over UDP and TCP', () => {
  it.each(WIRE_EXPECTATIONS)('$id $qtype', ({ id, qtype, udp, tcp }) => {
    const query = buildQuery(nameOf(id), qtype);
    const u = planReply(query, UDP);
    expect(u.scenarioId).toBe(id);
    const us = summarise(sent(u));
    expect({ bytes: us.bytes, tc: us.tc, rcode: us.rcode, id: us.id }).toEqual({
      bytes: udp.bytes,
      tc: udp.tc,
      rcode: udp.rcode,
      id: 0x4242,
    });
    if (udp.ancount === undefined) {
      expect(us.decoded?.addresses).toHaveLength(udp.addresses);
      expect(us.decoded?.cnames).toBe(udp.cnames);
    } else {
      expect(us.decoded).toBeNull();
      expect(us.ancount).toBe(udp.ancount);
    }
    expect(us.bytes).toBeLessThanOrEqual(512);

    const t = planReply(query, TCP);
    if (tcp === 'hang') {
      expect(t.plan).toEqual({ action: 'hang' });
      return;
    }
    const ts = summarise(sent(t));
    expect({ bytes: ts.bytes, tc: ts.tc, rcode: ts.rcode }).toEqual({
      bytes: tcp.bytes,
      tc: false,
      rcode: tcp.rcode,
    });
    expect(ts.decoded?.addresses).toHaveLength(tcp.addresses);
    expect(ts.decoded?.cnames).toBe(tcp.cnames);
  });

  it('covers every non-hostile scenario', () => {
    const covered = new Set(WIRE_EXPECTATIONS.map((e) => e.id));
    expect(SCENARIOS.filter((s) => !s.hostile && !covered.has(s.id)).map((s) => s.id)).toEqual([]);
  });
});

describe('planReply: growing headless scenario', () => {
  it.each([
    { elapsedMs: 0, udp: 431, tc: false, udpA: 24, tcp: 431, tcpA: 24 },
    { elapsedMs: 19_999, udp: 431, tc: false, udpA: 24, tcp: 431, tcpA: 24 },
    { elapsedMs: 20_000, udp: 447, tc: false, udpA: 25, tcp: 447, tcpA: 25 },
    { elapsedMs: 100_000, udp: 511, tc: false, udpA: 29, tcp: 511, tcpA: 29 },
    { elapsedMs: 120_000, udp: 511, tc: true, udpA: 29, tcp: 527, tcpA: 30 },
    { elapsedMs: 10_000_000, udp: 511, tc: true, udpA: 29, tcp: 847, tcpA: 50 },
  ])(
    'at $elapsedMs ms: UDP $udp B ($udpA A, TC $tc), TCP $tcp B',
    ({ elapsedMs, udp, tc, udpA, tcp, tcpA }) => {
      const query = buildQuery('web.default.svc.cluster.local');
      const u = summarise(sent(planReply(query, { ...UDP, elapsedMs })));
      expect([u.bytes, u.tc, u.decoded?.addresses.length]).toEqual([udp, tc, udpA]);
      const t = summarise(sent(planReply(query, { ...TCP, elapsedMs })));
      expect([t.bytes, t.tc, t.decoded?.addresses.length]).toEqual([tcp, false, tcpA]);
    },
  );
});

describe('planReply: names, qtypes and classes', () => {
  it.each([
    { name: 'nope.lab.test', rcode: 3, authorities: ['SOA'] },
    { name: 'walk.lab.test.default.svc.cluster.local', rcode: 3, authorities: ['SOA'] },
    { name: 'walk.lab.test.svc.cluster.local', rcode: 3, authorities: ['SOA'] },
    { name: 'walk.lab.test.cluster.local', rcode: 3, authorities: ['SOA'] },
    { name: 'example.com', rcode: 3, authorities: [] },
    { name: 'lab.test', rcode: 0, authorities: ['SOA'] },
    { name: 'cluster.local', rcode: 0, authorities: ['SOA'] },
  ])('$name -> rcode $rcode', ({ name, rcode, authorities }) => {
    for (const ctx of [UDP, TCP]) {
      const r = summarise(sent(planReply(buildQuery(name), ctx)));
      expect(r.rcode).toBe(rcode);
      expect(r.decoded?.authorities).toEqual(authorities);
      expect(r.decoded?.addresses).toEqual([]);
    }
  });

  it('answers a query for a CNAME target with the rest of the chain', () => {
    const r = summarise(sent(planReply(buildQuery('cname.edge.lab.test'), UDP)));
    expect(r.decoded?.cnames).toBe(1);
    expect(r.decoded?.addresses).toHaveLength(6);
    const last = summarise(sent(planReply(buildQuery('pool.cname.edge.lab.test'), UDP)));
    expect([last.decoded?.cnames, last.decoded?.addresses.length]).toEqual([0, 6]);
  });

  it('answers a CNAME query with the one CNAME at that name', () => {
    const packet = dnsPacket.decode(Buffer.from(sent(planReply(buildQuery('cname.lab.test', 'CNAME'), UDP))));
    expect(packet.answers?.map((rr) => [rr.type, rr.name, rr.type === 'CNAME' && rr.data])).toEqual([
      ['CNAME', 'cname.lab.test', 'cname.edge.lab.test'],
    ]);
  });

  it('answers NOERROR with no records for a qtype without data', () => {
    const r = summarise(sent(planReply(buildQuery('fits.lab.test', 'TXT'), UDP)));
    expect([r.rcode, r.ancount, r.decoded?.authorities]).toEqual([0, 0, ['SOA']]);
  });

  it('matches names case-insensitively and echoes the question as sent', () => {
    const r = summarise(sent(planReply(buildQuery('PARTIAL.Lab.Test'), UDP)));
    expect([r.decoded?.question, r.decoded?.addresses.length, r.tc]).toEqual(['PARTIAL.Lab.Test', 29, true]);
  });

  it('refuses classes other than IN', () => {
    const query = dnsPacket.encode({
      type: 'query',
      id: 7,
      questions: [{ type: 'TXT', name: 'version.bind', class: 'CH' }],
    });
    expect(summarise(sent(planReply(query, UDP))).rcode).toBe(5);
  });

  it.each([
    { edns: 1232, bytes: 685, tc: false, addresses: 40 },
    { edns: 4096, bytes: 685, tc: false, addresses: 40 },
    { edns: 512, bytes: 34 + 29 * 16 + 11, tc: true, addresses: 29 },
    { edns: 100, bytes: 34 + 29 * 16 + 11, tc: true, addresses: 29 },
  ])('EDNS0 payload $edns: $bytes bytes, TC $tc, OPT 1232 in the reply', ({ edns, bytes, tc, addresses }) => {
    const r = summarise(sent(planReply(buildQuery('partial.lab.test', 'A', { edns }), UDP)));
    expect([r.bytes, r.tc, r.decoded?.addresses.length, r.decoded?.opt]).toEqual([
      bytes,
      tc,
      addresses,
      1232,
    ]);
  });

  it('empty truncation with EDNS keeps the OPT record', () => {
    const r = summarise(sent(planReply(buildQuery('v6-heavy.lab.test', 'AAAA', { edns: 512 }), UDP)));
    expect([r.bytes, r.tc, r.ancount, r.decoded?.opt]).toEqual([35 + 11, true, 0, 1232]);
  });
});

describe('planReply: malformed queries', () => {
  const good = buildQuery('fits.lab.test');
  it.each([
    { why: 'too short to carry an id', bytes: Buffer.alloc(5), plan: 'drop', problem: 'short' },
    {
      why: 'a response',
      bytes: Buffer.from([...good.subarray(0, 2), 0x80, ...good.subarray(3)]),
      plan: 'drop',
      problem: 'not_a_query',
    },
    {
      why: 'two questions',
      bytes: Buffer.from([...good.subarray(0, 4), 0, 2, ...good.subarray(6)]),
      plan: 'send',
      problem: 'qdcount',
      rcode: 1,
    },
    {
      why: 'opcode NOTIFY',
      bytes: Buffer.from([...good.subarray(0, 2), 0x20, ...good.subarray(3)]),
      plan: 'send',
      problem: 'opcode',
      rcode: 4,
    },
  ])('$why -> $plan', ({ bytes, plan, problem, rcode }) => {
    const planned = planReply(bytes, UDP);
    expect(planned.plan.action).toBe(plan);
    expect(planned.problem).toBe(problem);
    if (rcode !== undefined) {
      const r = summarise(sent(planned));
      expect([r.id, r.rcode, r.bytes]).toEqual([0x4242, rcode, 12]);
    }
  });
});

describe('planReply: hostile scenarios', () => {
  it.each(['udp', 'tcp'] as const)('garbage over %s: our id, undecodable', (transport) => {
    const bytes = sent(
      planReply(buildQuery('garbage.lab.test', 'A', { id: 0x0102 }), { transport, elapsedMs: 0 }),
    );
    expect(bytes).toEqual(garbageReply(0x0102));
    expect(summarise(bytes)).toMatchObject({ id: 0x0102, decoded: null });
  });

  it.each(['udp', 'tcp'] as const)('wrong-id over %s: a valid reply with another id', (transport) => {
    const r = summarise(
      sent(planReply(buildQuery('wrong-id.lab.test', 'A', { id: 0xffff }), { transport, elapsedMs: 0 })),
    );
    expect([r.id, r.decoded?.question, r.decoded?.addresses.length]).toEqual([0, 'wrong-id.lab.test', 2]);
  });

  it.each(['udp', 'tcp'] as const)('wrong-question over %s: our id, another question', (transport) => {
    const r = summarise(sent(planReply(buildQuery('wrong-question.lab.test'), { transport, elapsedMs: 0 })));
    expect([r.id, r.decoded?.question, r.decoded?.addresses.length]).toEqual([
      0x4242,
      'decoy.wrong-question.lab.test',
      2,
    ]);
  });

  it('other-port: UDP replies from another socket, TCP answers', () => {
    const query = buildQuery('other-port.lab.test');
    const u = planReply(query, UDP).plan;
    expect(u.action).toBe('send-from-other-port');
    expect(u.action === 'send-from-other-port' && summarise(u.bytes).decoded?.addresses).toHaveLength(2);
    expect(summarise(sent(planReply(query, TCP))).decoded?.addresses).toHaveLength(2);
  });

  it('tcp-close: UDP answers; TCP sends half the announced bytes', () => {
    const query = buildQuery('tcp-close.lab.test');
    expect(summarise(sent(planReply(query, UDP))).decoded?.addresses).toHaveLength(2);
    const t = planReply(query, TCP).plan;
    expect(t.action).toBe('send-partial-and-close');
    if (t.action !== 'send-partial-and-close') return;
    expect(summarise(t.bytes).decoded?.addresses).toHaveLength(2);
    expect(t.sendBytes).toBe(Math.floor(t.bytes.length / 2));
    expect(t.sendBytes).toBeGreaterThan(0);
  });

  it('silent: UDP dropped, TCP hangs', () => {
    const query = buildQuery('silent.lab.test');
    expect(planReply(query, UDP)).toEqual({ plan: { action: 'drop' }, scenarioId: 'silent', problem: null });
    expect(planReply(query, TCP).plan).toEqual({ action: 'hang' });
  });

  it('applies to every qtype of the hostile name', () => {
    expect(planReply(buildQuery('silent.lab.test', 'AAAA'), UDP).plan.action).toBe('drop');
    expect(summarise(sent(planReply(buildQuery('wrong-id.lab.test', 'AAAA'), UDP))).id).not.toBe(0x4242);
  });
});
