/**
 * The probe driver without sockets: which exchanges it sends, in which order, and what it hands
 * back, for a scripted world. The client models themselves are tested in test/unit/clients.
 */
import { describe, expect, it } from 'vitest';
import { type ProbeSpec, probe } from '../../../src/probe/probe.ts';
import { failedExchange, K8S_SEARCH, okExchange, type WorldSpec, world } from '../../helpers/exchanges.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { FakeTransport } from '../../helpers/fake-transport.ts';

const SERVER = { host: '192.0.2.53', port: 53 };

function spec(overrides: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    name: 'web.lab.test',
    family: 'unspec',
    server: SERVER,
    search: [],
    ndots: 1,
    timeoutMs: 100,
    ...overrides,
  };
}

function run(worldSpec: WorldSpec, s: ProbeSpec) {
  const answer = world(worldSpec);
  const transport = new FakeTransport((key) =>
    key.edns === undefined ? answer(key) : okExchange({ transport: 'edns', addresses: 40 }),
  );
  let id = 0;
  const result = probe(s, { transport, clock: new FakeClock(), randomId: () => id++ });
  return { transport, result };
}

describe('probe driver', () => {
  it('asks A and AAAA over UDP, then TCP for the answering name even when nothing truncates', async () => {
    const { transport, result } = run(
      {
        'web.lab.test|A|udp': okExchange({ addresses: 3 }),
        'web.lab.test|AAAA|udp': okExchange({ qtype: 'AAAA', addresses: 1 }),
        'web.lab.test|A|tcp': okExchange({ addresses: 3, transport: 'tcp' }),
        'web.lab.test|AAAA|tcp': okExchange({ qtype: 'AAAA', addresses: 1, transport: 'tcp' }),
      },
      spec(),
    );
    const r = await result;
    expect(transport.sent.map((k) => `${k.fqdn} ${k.qtype} ${k.transport}`)).toEqual([
      'web.lab.test A udp',
      'web.lab.test AAAA udp',
      'web.lab.test A tcp',
      'web.lab.test AAAA tcp',
    ]);
    expect(r.lookup.answeringName).toBe('web.lab.test');
    expect(r.probes.A?.tcp?.ok && r.probes.A.tcp.addresses).toHaveLength(3);
    expect(r.clients.glibc).toEqual({ addresses: 4, error: null });
  });

  it('walks the search list as musl does and never asks the same exchange twice', async () => {
    const { transport, result } = run(
      {
        'web.svc.cluster.local|A|udp': okExchange({ addresses: 2 }),
        'web.svc.cluster.local|A|tcp': okExchange({ addresses: 2, transport: 'tcp' }),
      },
      spec({ name: 'web', family: 'inet', search: K8S_SEARCH, ndots: 5 }),
    );
    const r = await result;
    expect(r.lookup.steps.map((s) => s.fqdn)).toEqual([
      'web.default.svc.cluster.local',
      'web.svc.cluster.local',
    ]);
    expect(r.lookup.answeringName).toBe('web.svc.cluster.local');
    const keys = transport.sent.map((k) => `${k.fqdn}|${k.qtype}|${k.transport}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.clients['musl-1.2.3']).toEqual({ addresses: 2, error: null });
  });

  it('also queries the names only glibc visits (musl stops on an empty NOERROR, glibc goes on)', async () => {
    const { transport, result } = run(
      {
        // NODATA for AAAA at the first suffix: musl's walk ends there, glibc's continues.
        'web.default.svc.cluster.local|AAAA|udp': okExchange({ qtype: 'AAAA' }),
      },
      spec({ name: 'web', family: 'inet6', search: K8S_SEARCH, ndots: 5 }),
    );
    const r = await result;
    expect(r.lookup.steps).toHaveLength(1);
    expect(r.glibcLookup.steps.length).toBeGreaterThan(1);
    expect(transport.sent.some((k) => k.fqdn === 'web.cluster.local')).toBe(true);
    expect(r.clients['musl-1.2.3'].error).toBe('EAI_NONAME');
    expect(r.clients['musl-1.2.4'].error).toBe('EAI_NODATA');
  });

  it('sends the EDNS0 query only when asked, with the payload size', async () => {
    const plain = run({ 'web.lab.test|A|udp': okExchange({ addresses: 1 }) }, spec({ family: 'inet' }));
    await plain.result;
    expect(plain.transport.sent.some((k) => k.edns !== undefined)).toBe(false);
    const edns = run(
      { 'web.lab.test|A|udp': okExchange({ addresses: 1 }) },
      spec({ family: 'inet', ednsPayloadSize: 1232 }),
    );
    const r = await edns.result;
    expect(edns.transport.sent.filter((k) => k.edns === 1232)).toHaveLength(1);
    expect(r.probes.A?.edns?.ok).toBe(true);
  });

  it('reports network faults as values, never by throwing', async () => {
    const { result } = run(
      {
        'web.lab.test|A|udp': failedExchange('timeout'),
        'web.lab.test|A|tcp': failedExchange('refused', 'tcp'),
      },
      spec({ family: 'inet' }),
    );
    const r = await result;
    expect(r.probes.A?.udp.ok).toBe(false);
    expect(r.clients['musl-1.2.3'].error).toBe('EAI_AGAIN');
  });
});

describe('tcp: one qtype', () => {
  it('asks TCP for that qtype only when both UDP answers are complete', async () => {
    const { transport, result } = run(
      {
        'web.lab.test|A|udp': okExchange({ addresses: 3 }),
        'web.lab.test|AAAA|udp': okExchange({ addresses: 2, qtype: 'AAAA' }),
        'web.lab.test|AAAA|tcp': okExchange({ addresses: 2, qtype: 'AAAA', transport: 'tcp' }),
      },
      spec({ family: 'unspec', tcp: 'AAAA' }),
    );
    const r = await result;
    expect(transport.sent.filter((k) => k.transport === 'tcp').map((k) => k.qtype)).toEqual(['AAAA']);
    expect(r.probes.A?.tcp).toBeNull();
    expect(r.probes.AAAA?.tcp?.ok).toBe(true);
  });

  it('still asks TCP for the other qtype when its answer is truncated', async () => {
    const { transport, result } = run(
      {
        'web.lab.test|A|udp': okExchange({ addresses: 29, truncated: true }),
        'web.lab.test|A|tcp': okExchange({ addresses: 40, transport: 'tcp' }),
        'web.lab.test|AAAA|udp': okExchange({ addresses: 2, qtype: 'AAAA' }),
        'web.lab.test|AAAA|tcp': okExchange({ addresses: 2, qtype: 'AAAA', transport: 'tcp' }),
      },
      spec({ family: 'unspec', tcp: 'AAAA' }),
    );
    await result;
    const tcp = transport.sent.filter((k) => k.transport === 'tcp').map((k) => k.qtype);
    expect([...tcp].sort()).toEqual(['A', 'AAAA']);
  });
});

describe('tcp: when-needed', () => {
  it('skips TCP when the UDP answer is complete', async () => {
    const { transport, result } = run(
      { 'web.lab.test|A|udp': okExchange({ addresses: 3 }) },
      spec({ family: 'inet', tcp: 'when-needed' }),
    );
    const r = await result;
    expect(transport.sent.map((k) => k.transport)).toEqual(['udp']);
    expect(r.probes.A?.tcp).toBeNull();
    expect(r.clients['musl-1.2.3']).toEqual({ addresses: 3, error: null });
  });

  it('still asks TCP when the answer is truncated (the models and the full size need it)', async () => {
    const { transport, result } = run(
      {
        'web.lab.test|A|udp': okExchange({ addresses: 29, truncated: true }),
        'web.lab.test|A|tcp': okExchange({ addresses: 40, transport: 'tcp' }),
      },
      spec({ family: 'inet', tcp: 'when-needed' }),
    );
    const r = await result;
    expect(transport.sent.filter((k) => k.transport === 'tcp')).toHaveLength(1);
    expect(r.probes.A?.tcp?.ok && r.probes.A.tcp.addresses).toHaveLength(40);
  });
});
