/**
 * UdpPool's bookkeeping over real loopback sockets: every query leaves the pool's tables when it
 * ends (answered, timed out, aborted, closed), ids are reused, and a reply nobody waits for is
 * counted only against the queries waiting on the server it came from.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import type { Exchange } from '../../../src/probe/types.ts';
import { UdpPool } from '../../../src/probe/udp.ts';

/** A loopback UDP server that hands each query to `reply` (which may answer, or not). */
async function server(reply: (msg: Buffer, send: (buf: Buffer) => void) => void) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => reply(msg, (buf) => socket.send(buf, rinfo.port, rinfo.address)));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** A minimal NOERROR reply to `query`: its header with QR set and its question section. */
function answer(query: Buffer, id = query.readUInt16BE(0)): Buffer {
  const out = Buffer.from(query);
  out.writeUInt16BE(id, 0);
  out[2] = (out[2] as number) | 0x80;
  return out;
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function pool(): UdpPool {
  const p = new UdpPool(systemClock);
  closers.push(() => p.close());
  return p;
}

const request = (port: number, id: number, timeoutMs = 2000, signal?: AbortSignal) => ({
  server: { host: '127.0.0.1', port },
  query: { id, name: `q${id}.example.test`, qtype: 'A' as const },
  timeoutMs,
  signal,
});

describe('UdpPool', () => {
  it('forgets every query once it is answered, in any order, and reuses their ids', async () => {
    const held: { msg: Buffer; send: (b: Buffer) => void }[] = [];
    const s = await server((msg, send) => {
      held.push({ msg, send });
      // Answer in reverse order once all 50 are in.
      if (held.length === 50) for (const h of held.reverse()) h.send(answer(h.msg));
    });
    closers.push(s.close);
    const p = pool();
    const all = Promise.all(Array.from({ length: 50 }, (_, i) => p.exchange(request(s.port, 1000 + i))));
    expect(p.inFlight).toBe(50);
    const results = await all;
    expect(results.every((r) => r.ok)).toBe(true);
    expect(p.inFlight).toBe(0);
    // Same ids again: free, so taken as asked.
    held.length = 0;
    const again = await Promise.all(
      Array.from({ length: 50 }, (_, i) => p.exchange(request(s.port, 1000 + i))),
    );
    expect(again.every((r) => r.ok)).toBe(true);
    expect(p.inFlight).toBe(0);
  });

  it('still finds every waiting query after others in between have ended', async () => {
    // Odd ids are answered, even ids never: the waiting list loses members from its middle.
    const s = await server((msg, send) => {
      if (msg.readUInt16BE(0) % 2 === 1) send(answer(msg));
    });
    closers.push(s.close);
    const p = pool();
    // Id 10 gives up early, after its neighbours (9 and 11) have left the list.
    const pending = Array.from({ length: 20 }, (_, i) =>
      p.exchange(request(s.port, i, i === 10 ? 200 : 3000)),
    );
    const odd = await Promise.all(pending.filter((_, i) => i % 2 === 1));
    expect(odd.every((r) => r.ok)).toBe(true);
    expect(p.inFlight).toBe(10);
    expect(await pending[10]).toMatchObject({ ok: false, reason: 'timeout' });
    expect(p.inFlight).toBe(9);
    p.close();
    const even = await Promise.all(pending.filter((_, i) => i % 2 === 0 && i !== 10));
    expect(even.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(new Array(9).fill('aborted'));
    expect(p.inFlight).toBe(0);
  });

  it('gives a second query that asks for a busy id another one', async () => {
    const seen: number[] = [];
    const s = await server((msg, send) => {
      seen.push(msg.readUInt16BE(0));
      if (seen.length === 2) send(answer(msg));
    });
    closers.push(s.close);
    const p = pool();
    const first = p.exchange(request(s.port, 7, 300));
    const second = await p.exchange(request(s.port, 7, 300));
    expect(second.ok).toBe(true);
    expect(seen[0]).toBe(7);
    expect(seen[1]).not.toBe(7);
    expect(await first).toMatchObject({ ok: false, reason: 'timeout' });
    expect(p.inFlight).toBe(0);
  });

  it('counts a reply with an unknown id against the queries waiting on that server only', async () => {
    const a = await server((msg, send) => {
      send(answer(msg, (msg.readUInt16BE(0) + 1) % 65_536)); // wrong id first
      setTimeout(() => send(answer(msg)), 20);
    });
    const b = await server((msg, send) => setTimeout(() => send(answer(msg)), 60));
    closers.push(a.close, b.close);
    const p = pool();
    const [fromA, fromB] = (await Promise.all([
      p.exchange(request(a.port, 100)),
      p.exchange(request(b.port, 200)),
    ])) as [Exchange, Exchange];
    expect(fromA).toMatchObject({ ok: true });
    expect(fromA.ignored.idMismatch).toBe(1);
    expect(fromB).toMatchObject({ ok: true });
    expect(fromB.ignored.idMismatch).toBe(0);
    expect(p.inFlight).toBe(0);
  });

  it('forgets queries that time out or are aborted, and fails the rest on close', async () => {
    const s = await server(() => {}); // never answers
    closers.push(s.close);
    const p = pool();
    const controller = new AbortController();
    const timedOut = p.exchange(request(s.port, 1, 50));
    const aborted = p.exchange(request(s.port, 2, 5000, controller.signal));
    const closed = p.exchange(request(s.port, 3, 5000));
    expect(p.inFlight).toBe(3);
    expect(await timedOut).toMatchObject({ ok: false, reason: 'timeout' });
    expect(p.inFlight).toBe(2);
    controller.abort();
    expect(await aborted).toMatchObject({ ok: false, reason: 'aborted' });
    expect(p.inFlight).toBe(1);
    p.close();
    expect(await closed).toMatchObject({ ok: false, reason: 'aborted' });
    expect(p.inFlight).toBe(0);
  });
});
