/**
 * Raw DNS clients for the lab integration tests: plain node:dgram and node:net, so the lab is
 * tested independently of src/probe. Every wait is bounded by a deadline, never a sleep.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { ServerAddress } from '../../../src/probe/types.ts';

/** Upper bound for any single wait in these tests. */
export const WAIT_MS = 5_000;

function socketType(host: string): 'udp4' | 'udp6' {
  return net.isIPv6(host) ? 'udp6' : 'udp4';
}

/** A UDP client socket that collects every datagram it receives. */
export class UdpClient {
  readonly #socket: dgram.Socket;
  readonly received: { reply: Buffer; port: number; address: string }[] = [];
  #waiters: (() => void)[] = [];

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    socket.on('message', (reply, rinfo) => {
      this.received.push({ reply, port: rinfo.port, address: rinfo.address });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Opens a client bound to an ephemeral loopback port. */
  static async open(host: string): Promise<UdpClient> {
    const socket = dgram.createSocket(socketType(host));
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    return new UdpClient(socket);
  }

  send(server: ServerAddress, message: Uint8Array): void {
    this.#socket.send(message, server.port, server.host);
  }

  /** Resolves once `count` datagrams have arrived in total; rejects after WAIT_MS. */
  async waitFor(count: number): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${count} UDP replies (got ${this.received.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#socket.close();
  }
}

/** One UDP query, one reply (the first datagram that arrives). */
export async function udpExchange(
  server: ServerAddress,
  query: Uint8Array,
): Promise<{ reply: Buffer; port: number }> {
  const client = await UdpClient.open(server.host);
  try {
    client.send(server, query);
    await client.waitFor(1);
    const first = client.received[0];
    if (first === undefined) throw new Error('no reply');
    return { reply: first.reply, port: first.port };
  } finally {
    client.close();
  }
}

/** A TCP connection that records every byte received and whether the peer closed. */
export class TcpClient {
  readonly socket: net.Socket;
  data: Buffer = Buffer.alloc(0);
  ended = false;
  closed = false;
  readonly #waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const wake = (): void => {
      for (const w of this.#waiters.splice(0)) w();
    };
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      wake();
    });
    socket.on('end', () => {
      this.ended = true;
      wake();
    });
    socket.on('close', () => {
      this.closed = true;
      wake();
    });
    socket.on('error', () => {});
  }

  /** Connects; rejects with the socket error (ECONNREFUSED, ...). */
  static connect(server: ServerAddress): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: server.host, port: server.port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new TcpClient(socket));
      });
    });
  }

  /** Writes messages with their 2-byte length prefix. */
  send(...messages: Uint8Array[]): void {
    for (const m of messages) this.socket.write(framed(m));
  }

  /** Waits until `done()` holds; rejects after WAIT_MS. */
  async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The complete length-prefixed messages received so far. */
  messages(): Buffer[] {
    const out: Buffer[] = [];
    let p = 0;
    while (p + 2 <= this.data.length) {
      const len = this.data.readUInt16BE(p);
      if (p + 2 + len > this.data.length) break;
      out.push(this.data.subarray(p + 2, p + 2 + len));
      p += 2 + len;
    }
    return out;
  }

  /** Waits for `count` complete messages. */
  async replies(count: number): Promise<Buffer[]> {
    await this.until(() => this.messages().length >= count || this.closed, `${count} TCP replies`);
    return this.messages();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A message with its TCP length prefix. */
export function framed(message: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/** One TCP query on a fresh connection, one reply. */
export async function tcpExchange(server: ServerAddress, query: Uint8Array): Promise<Buffer> {
  const client = await TcpClient.connect(server);
  try {
    client.send(query);
    const [reply] = await client.replies(1);
    if (reply === undefined) throw new Error('connection closed without a reply');
    return reply;
  } finally {
    client.close();
  }
}

/** A clock the test moves by hand. */
export function fakeClock(): { t: number; monotonicMs(): number; nowMs(): number } {
  const clock = {
    t: 0,
    monotonicMs: () => clock.t,
    nowMs: () => 1_700_000_000_000 + clock.t,
  };
  return clock;
}

/** Polls `done` every few milliseconds until it holds; rejects after WAIT_MS. */
export async function waitUntil(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
