import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsHeadroomError, ERROR_CODES } from '../../../src/errors.ts';
import { garbageReply } from '../../../src/lab/respond.ts';
import { type LabAddresses, SCENARIOS, scenarioById } from '../../../src/lab/scenarios.ts';
import { LabServer } from '../../../src/lab/server.ts';
import { buildQuery, summarise, WIRE_EXPECTATIONS } from '../../unit/lab/helpers.ts';
import {
  fakeClock,
  framed,
  TcpClient,
  tcpExchange,
  UdpClient,
  udpExchange,
  waitUntil,
} from './dns-client.ts';

function nameOf(id: string): string {
  const s = scenarioById(id);
  if (s === undefined) throw new Error(`no scenario ${id}`);
  return s.name;
}

describe('LabServer on 127.0.0.1, port 0', () => {
  const clock = fakeClock();
  const server = new LabServer({ address: '127.0.0.1', port: 0, clock });
  let at: LabAddresses;

  beforeAll(async () => {
    at = await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('exposes the real ports: main and a separate UDP-only port', () => {
    expect(at.main.host).toBe('127.0.0.1');
    expect(at.main.port).toBeGreaterThan(0);
    expect(at.udpOnly.port).toBeGreaterThan(0);
    expect(at.udpOnly.port).not.toBe(at.main.port);
    expect(server.addresses()).toBe(at);
  });

  describe.each(['udp', 'tcp'] as const)('every scenario over %s', (transport) => {
    const rows = WIRE_EXPECTATIONS.filter((row) => transport === 'udp' || row.tcp !== 'hang');
    it.each(rows)('$id $qtype', async ({ id, qtype, udp, tcp }) => {
      const query = buildQuery(nameOf(id), qtype, { id: 0x1357 });
      const want = transport === 'udp' ? udp : tcp;
      if (want === 'hang') throw new Error('unreachable');
      const reply =
        transport === 'udp' ? (await udpExchange(at.main, query)).reply : await tcpExchange(at.main, query);
      const r = summarise(reply);
      expect({ id: r.id, bytes: r.bytes, tc: r.tc, rcode: r.rcode }).toEqual({
        id: 0x1357,
        bytes: want.bytes,
        tc: want.tc,
        rcode: want.rcode,
      });
      if (want.ancount === undefined) {
        expect(r.decoded?.addresses).toHaveLength(want.addresses);
        expect(r.decoded?.cnames).toBe(want.cnames);
      } else {
        expect(r.decoded).toBeNull();
        expect(r.ancount).toBe(want.ancount);
      }
    });
  });

  it('NXDOMAIN for any other name, over both transports', async () => {
    const query = buildQuery('walk.lab.test.default.svc.cluster.local');
    expect(summarise((await udpExchange(at.main, query)).reply).rcode).toBe(3);
    expect(summarise(await tcpExchange(at.main, query)).rcode).toBe(3);
  });

  it('EDNS0 over UDP: the client size is the limit and the reply carries OPT', async () => {
    const r = summarise(
      (await udpExchange(at.main, buildQuery('partial.lab.test', 'A', { edns: 1232 }))).reply,
    );
    expect([r.bytes, r.tc, r.decoded?.addresses.length, r.decoded?.opt]).toEqual([685, false, 40, 1232]);
  });

  it('the headless scenario grows with the injected clock', async () => {
    const query = buildQuery('web.default.svc.cluster.local');
    try {
      clock.t = 100_000;
      const fits = summarise((await udpExchange(at.main, query)).reply);
      expect([fits.bytes, fits.tc, fits.decoded?.addresses.length]).toEqual([511, false, 29]);
      clock.t = 120_000;
      const over = summarise((await udpExchange(at.main, query)).reply);
      expect([over.bytes, over.tc, over.decoded?.addresses.length]).toEqual([511, true, 29]);
      expect(summarise(await tcpExchange(at.main, query)).decoded?.addresses).toHaveLength(30);
    } finally {
      clock.t = 0;
    }
  });

  describe('the UDP-only port', () => {
    it('answers UDP: tcp-refused truncates there', async () => {
      const r = summarise((await udpExchange(at.udpOnly, buildQuery('tcp-refused.lab.test'))).reply);
      expect([r.bytes, r.tc, r.decoded?.addresses.length]).toEqual([502, true, 29]);
    });

    it('refuses TCP (the kernel answers RST: nothing listens)', async () => {
      await expect(TcpClient.connect(at.udpOnly)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  });

  describe('hostile replies', () => {
    it.each(['udp', 'tcp'] as const)('garbage over %s: our id, undecodable bytes', async (transport) => {
      const query = buildQuery('garbage.lab.test', 'A', { id: 0x0a0b });
      const reply =
        transport === 'udp' ? (await udpExchange(at.main, query)).reply : await tcpExchange(at.main, query);
      expect(new Uint8Array(reply)).toEqual(garbageReply(0x0a0b));
      expect(summarise(reply).decoded).toBeNull();
    });

    it.each(['udp', 'tcp'] as const)('wrong-id over %s', async (transport) => {
      const query = buildQuery('wrong-id.lab.test', 'A', { id: 0x0a0b });
      const reply =
        transport === 'udp' ? (await udpExchange(at.main, query)).reply : await tcpExchange(at.main, query);
      expect(summarise(reply).id).toBe(0x0a0c);
    });

    it.each(['udp', 'tcp'] as const)('wrong-question over %s', async (transport) => {
      const query = buildQuery('wrong-question.lab.test', 'A', { id: 0x0a0b });
      const reply =
        transport === 'udp' ? (await udpExchange(at.main, query)).reply : await tcpExchange(at.main, query);
      expect(summarise(reply)).toMatchObject({
        id: 0x0a0b,
        decoded: { question: 'decoy.wrong-question.lab.test' },
      });
    });

    it('other-port: the UDP reply comes from another source port', async () => {
      const { reply, port } = await udpExchange(at.main, buildQuery('other-port.lab.test'));
      expect(port).not.toBe(at.main.port);
      expect(port).not.toBe(at.udpOnly.port);
      expect(summarise(reply).decoded?.addresses).toHaveLength(2);
    });

    it('tcp-close: the length prefix promises more than is sent, then the server closes', async () => {
      const client = await TcpClient.connect(at.main);
      try {
        client.send(buildQuery('tcp-close.lab.test'));
        await client.until(() => client.ended, 'the server to close');
        expect(client.data.length).toBeGreaterThan(2);
        const declared = client.data.readUInt16BE(0);
        expect(client.data.length - 2).toBeLessThan(declared);
        expect(client.messages()).toEqual([]);
      } finally {
        client.close();
      }
    });

    it('silent: a UDP query gets nothing, while the next one on the same socket is answered', async () => {
      const client = await UdpClient.open('127.0.0.1');
      try {
        const before = server.queries.udp;
        client.send(at.main, buildQuery('silent.lab.test', 'A', { id: 1 }));
        client.send(at.main, buildQuery('fits.lab.test', 'A', { id: 2 }));
        await client.waitFor(1);
        expect(client.received.map((r) => summarise(r.reply).id)).toEqual([2]);
        expect(server.queries.udp).toBeGreaterThanOrEqual(before + 2);
      } finally {
        client.close();
      }
    });

    it.each(['tcp-hang', 'silent'])('%s: TCP accepts, reads the query, never answers', async (id) => {
      const hanging = await TcpClient.connect(at.main);
      try {
        const before = server.queries.tcp;
        hanging.send(buildQuery(nameOf(id)), buildQuery('fits.lab.test'));
        // The server handled the query: then a second connection is answered, the first is not.
        const other = await tcpExchange(at.main, buildQuery('fits.lab.test'));
        expect(summarise(other).decoded?.addresses).toHaveLength(4);
        expect(server.queries.tcp).toBeGreaterThanOrEqual(before + 2);
        expect(hanging.data.length).toBe(0);
        expect(hanging.closed).toBe(false);
      } finally {
        hanging.close();
      }
    });
  });

  describe('TCP framing', () => {
    const names = ['fits.lab.test', 'partial.lab.test', 'cname.lab.test', 'nope.lab.test', 'exact.lab.test'];
    const queries = names.map((name, i) => buildQuery(name, 'A', { id: 100 + i }));

    it('answers several queries on one connection, in order', async () => {
      const client = await TcpClient.connect(at.main);
      try {
        client.socket.write(Buffer.concat(queries.map(framed)));
        const replies = await client.replies(queries.length);
        expect(replies.map((r) => summarise(r).id)).toEqual([100, 101, 102, 103, 104]);
        expect(replies.map((r) => r.length)).toEqual([95, 674, 172, 12 + 19 + 50, 512]);
      } finally {
        client.close();
      }
    });

    it('reassembles messages written one byte at a time', async () => {
      const client = await TcpClient.connect(at.main);
      try {
        const bytes = Buffer.concat(queries.map(framed));
        for (const byte of bytes) client.socket.write(Buffer.from([byte]));
        const replies = await client.replies(queries.length);
        expect(replies.map((r) => summarise(r).id)).toEqual([100, 101, 102, 103, 104]);
      } finally {
        client.close();
      }
    });
  });

  it('answers many concurrent queries over UDP and TCP', async () => {
    const names = SCENARIOS.filter((s) => !s.hostile && s.tcp === 'answer').map((s) => s.name);
    const udpClients = await Promise.all(Array.from({ length: 8 }, () => UdpClient.open('127.0.0.1')));
    try {
      const perClient = 25;
      udpClients.forEach((client, c) => {
        for (let i = 0; i < perClient; i++) {
          client.send(
            at.main,
            buildQuery(names[(c + i) % names.length] ?? 'fits.lab.test', 'A', { id: c * 1000 + i }),
          );
        }
      });
      const tcpReplies = Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          tcpExchange(at.main, buildQuery(names[i % names.length] ?? '', 'A', { id: i })),
        ),
      );
      await Promise.all(udpClients.map((client) => client.waitFor(perClient)));
      udpClients.forEach((client, c) => {
        const ids = client.received.map((r) => summarise(r.reply).id).sort((a, b) => a - b);
        expect(ids).toEqual(Array.from({ length: perClient }, (_, i) => c * 1000 + i));
      });
      expect((await tcpReplies).map((r) => summarise(r).id)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    } finally {
      for (const client of udpClients) client.close();
    }
  });

  describe('malformed input never stops the server', () => {
    it('UDP: short, garbage and corrupted queries are dropped or answered FORMERR', async () => {
      const client = await UdpClient.open('127.0.0.1');
      try {
        const malformedBefore = server.queries.malformed;
        client.send(at.main, new Uint8Array(0));
        client.send(at.main, Buffer.from('hello'));
        client.send(at.main, Buffer.from([0x12, 0x34, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0])); // a response: dropped
        const twoQuestions = buildQuery('fits.lab.test', 'A', { id: 7 });
        twoQuestions.writeUInt16BE(2, 4);
        client.send(at.main, twoQuestions);
        client.send(at.main, Buffer.alloc(600, 0xff));
        client.send(at.main, buildQuery('fits.lab.test', 'A', { id: 8 }));
        await client.waitFor(2);
        const replies = client.received.map((r) => summarise(r.reply));
        expect(replies.map((r) => [r.id, r.rcode])).toContainEqual([7, 1]);
        expect(replies.find((r) => r.id === 8)?.decoded?.addresses).toHaveLength(4);
        expect(server.queries.malformed).toBeGreaterThanOrEqual(malformedBefore + 4);
      } finally {
        client.close();
      }
    });

    it('TCP: an empty frame and garbage frames, then a real query on the same connection', async () => {
      const client = await TcpClient.connect(at.main);
      try {
        client.socket.write(Buffer.from([0, 0]));
        client.socket.write(framed(Buffer.alloc(40, 0xfe)));
        client.send(buildQuery('fits.lab.test', 'A', { id: 9 }));
        await client.until(() => client.messages().some((m) => summarise(m).id === 9), 'the real answer');
        const answer = client.messages().find((m) => summarise(m).id === 9);
        expect(summarise(answer ?? Buffer.alloc(0)).decoded?.addresses).toHaveLength(4);
      } finally {
        client.close();
      }
    });

    it('still answers afterwards', async () => {
      expect(summarise((await udpExchange(at.main, buildQuery('fits.lab.test'))).reply).rcode).toBe(0);
    });
  });

  it('counts queries per transport', () => {
    const q = server.queries;
    expect(q.total).toBe(q.udp + q.tcp);
    expect(q.udp).toBeGreaterThan(0);
    expect(q.tcp).toBeGreaterThan(0);
  });
});

describe('LabServer lifecycle', () => {
  it('starts nothing in the constructor and refuses addresses() before start', () => {
    const server = new LabServer({ address: '127.0.0.1', port: 0, clock: fakeClock() });
    expect(() => server.addresses()).toThrow(/not started/);
    expect(server.queries).toEqual({ total: 0, udp: 0, tcp: 0, malformed: 0 });
  });

  it.each([
    { address: 'localhost', port: 0 },
    { address: '127.0.0.1', port: 65_535 },
    { address: '127.0.0.1', port: 1.5 },
  ])('rejects bad options $address:$port', (opts) => {
    expect(() => new LabServer({ ...opts, clock: fakeClock() })).toThrow();
  });

  it('stop() closes hanging TCP connections, and is idempotent', async () => {
    const server = new LabServer({ address: '127.0.0.1', port: 0, clock: fakeClock() });
    const at = await server.start();
    const hanging = await TcpClient.connect(at.main);
    hanging.send(buildQuery('tcp-hang.lab.test'));
    await waitUntil(() => server.queries.tcp === 1, 'the server to read the query');
    expect(server.tcpConnections).toBe(1);
    await server.stop();
    await hanging.until(() => hanging.closed, 'the hanging connection to close');
    expect(hanging.data.length).toBe(0);
    expect(server.tcpConnections).toBe(0);
    await server.stop();
    await expect(TcpClient.connect(at.main)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(server.start()).rejects.toThrow(/once/);
  });

  it('stop() during start() waits for the binds, then leaves nothing open', async () => {
    const server = new LabServer({ address: '127.0.0.1', port: 0, clock: fakeClock() });
    const starting = server.start();
    await server.stop();
    await expect(starting).rejects.toThrow(/while it was starting/);
    const at = server.addresses();
    await expect(TcpClient.connect(at.main)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes idle TCP connections after the idle timeout', async () => {
    const server = new LabServer({ address: '127.0.0.1', port: 0, clock: fakeClock(), tcpIdleTimeoutMs: 50 });
    const at = await server.start();
    try {
      const client = await TcpClient.connect(at.main);
      client.send(buildQuery('fits.lab.test'));
      await client.replies(1);
      await client.until(() => client.closed, 'the idle connection to close');
      expect(client.messages()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('a hanging connection outlives the idle timeout but not the hang timeout', async () => {
    const server = new LabServer({
      address: '127.0.0.1',
      port: 0,
      clock: fakeClock(),
      tcpIdleTimeoutMs: 20,
      tcpHangTimeoutMs: 400,
    });
    const at = await server.start();
    try {
      const hanging = await TcpClient.connect(at.main);
      hanging.send(buildQuery('tcp-hang.lab.test'));
      const idle = await TcpClient.connect(at.main);
      await idle.until(() => idle.closed, 'the idle connection to close');
      expect(hanging.closed).toBe(false);
      await hanging.until(() => hanging.closed, 'the hang timeout');
      expect(hanging.data.length).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('an explicit port N serves UDP+TCP on N and UDP only on N+1', async () => {
    // Find a free pair: a port-0 server tells us a free N; retry if N+1 was taken meanwhile.
    for (let attempt = 0; attempt < 10; attempt++) {
      const probe = new LabServer({ address: '127.0.0.1', port: 0, clock: fakeClock() });
      const port = (await probe.start()).main.port;
      await probe.stop();
      if (port >= 65_534) continue;
      const server = new LabServer({ address: '127.0.0.1', port, clock: fakeClock() });
      try {
        const at = await server.start();
        expect(at).toEqual({
          main: { host: '127.0.0.1', port },
          udpOnly: { host: '127.0.0.1', port: port + 1 },
        });
        const r = summarise((await udpExchange(at.udpOnly, buildQuery('fits.lab.test'))).reply);
        expect(r.decoded?.addresses).toHaveLength(4);
        // A second lab on the same port fails cleanly with a stable code.
        const clash = new LabServer({ address: '127.0.0.1', port, clock: fakeClock() });
        const err = await clash.start().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DnsHeadroomError);
        expect((err as DnsHeadroomError).code).toBe(ERROR_CODES.LISTEN);
        expect((err as Error).message).toContain(`127.0.0.1:${port}`);
        // ... and leaves the first one working.
        expect(summarise(await tcpExchange(at.main, buildQuery('fits.lab.test'))).rcode).toBe(0);
        return;
      } catch (err) {
        if ((err as DnsHeadroomError).code !== ERROR_CODES.LISTEN) throw err;
      } finally {
        await server.stop();
      }
    }
    throw new Error('no free port pair found');
  });

  it('serves on the IPv6 loopback ::1', async () => {
    const server = new LabServer({ address: '::1', port: 0, clock: fakeClock() });
    const at = await server.start();
    try {
      expect(at.main.host).toBe('::1');
      const u = summarise((await udpExchange(at.main, buildQuery('partial.lab.test'))).reply);
      expect([u.bytes, u.tc]).toEqual([498, true]);
      const t = summarise(await tcpExchange(at.main, buildQuery('partial.lab.test')));
      expect([t.bytes, t.decoded?.addresses.length]).toEqual([674, 40]);
      await expect(TcpClient.connect(at.udpOnly)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const other = await udpExchange(at.main, buildQuery('other-port.lab.test'));
      expect(other.port).not.toBe(at.main.port);
    } finally {
      await server.stop();
    }
  });
});
