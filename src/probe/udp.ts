/**
 * UDP exchanges over a small pool of shared sockets: one unconnected socket per address family,
 * bound once, replies matched to queries by id. A socket per query (bind, send, close) cost more CPU
 * than everything else the daemon does; musl itself sends a lookup's A and AAAA queries from one
 * socket (src/network/res_msend.c).
 *
 * The sockets are unconnected on purpose: musl uses recvfrom and drops replies from addresses it did
 * not send to. A connected socket would have the kernel drop them silently, and we could not report
 * that a server answers from the wrong port. A reply with an id nobody is waiting for, from a server
 * we have queries out to, is counted against those queries as an id mismatch.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { startDeadline } from './deadline.ts';
import { buildQuery } from './message.ts';
import { ReplyFilter } from './reply-filter.ts';
import type { ExchangeRequest } from './transport.ts';
import { type Exchange, type ExchangeFailureReason, type Transport, UDP_LIMIT } from './types.ts';

type Family = 'udp4' | 'udp6';

interface Pending {
  readonly family: Family;
  readonly id: number;
  readonly endpoint: Endpoint;
  readonly filter: ReplyFilter;
  /** Settles the exchange with the reply just received, or keeps waiting. */
  readonly onReply: (msg: Buffer) => void;
  readonly fail: (reason: ExchangeFailureReason, message: string) => void;
  /** Neighbours in the pool's list of waiting queries; null when first, last or out of the list. */
  prev: Pending | null;
  next: Pending | null;
}

/** Compares addresses the way the kernel reports them (lower-case, IPv4-mapped IPv6 unwrapped). */
function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
}

/** Where a server's replies come from, worked out once per server object (see `endpointOf`). */
interface Endpoint {
  readonly family: Family;
  /** The host as the kernel reports a reply's source (normaliseHost). */
  readonly host: string;
  readonly port: number;
}

/**
 * A target's server is one object for as long as its config stands, so its socket family and
 * normalised host are computed once instead of per query: `net.isIPv6` runs a long regular expression.
 */
const endpoints = new WeakMap<{ host: string; port: number }, Endpoint>();

function endpointOf(server: { host: string; port: number }): Endpoint {
  let endpoint = endpoints.get(server);
  if (endpoint === undefined) {
    const version = net.isIP(server.host);
    if (version !== 0) literalHosts.set(server.host, version);
    const host = normaliseHost(server.host);
    endpoint = {
      family: version === 6 ? 'udp6' : 'udp4',
      host,
      port: server.port,
    };
    endpoints.set(server, endpoint);
  }
  return endpoint;
}

/** Server hosts seen to be IP literals, with their IP version (a handful: the config's servers). */
const literalHosts = new Map<string, number>();

/**
 * dgram resolves the destination of every datagram it sends, IP literals included: dns.lookup
 * answers those on the next tick, which cost a tick, closures and an async-id scope per query (a
 * visible share of what the daemon allocates). A server given as an IP literal is its own answer,
 * given at once (dgram supports a synchronous answer: it takes that path for connected sockets);
 * anything else goes to dns.lookup as before.
 */
const literalLookup: NonNullable<dgram.SocketOptions['lookup']> = (hostname, options, callback) => {
  const version = literalHosts.get(hostname);
  if (version !== undefined) {
    callback(null, hostname, version);
    return;
  }
  dns.lookup(hostname, options, callback);
};

/**
 * Shared UDP sockets and the queries waiting on them.
 *
 * The tables of waiting queries are allocated once and never resized. They outlive every query,
 * so the collector keeps them in the old generation, and the daemon starts its probes in bursts (one
 * per scheduler tick): a Map or Set filled and emptied by each burst grew and shrank its backing
 * table every time, and an outgrown table, dead but in the old generation until the next full
 * collection, still pointed at the queries it held. The young collector treats such pointers as live,
 * so every query's closures, timer and filter were promoted and left for a full collection (at 1,000
 * targets, 9 MB a minute promoted, most of it from here). A fixed array of ids and a list threaded
 * through the queries themselves drop each reference when the query ends.
 */
export class UdpPool {
  readonly #clock: Clock;
  readonly #sockets = new Map<Family, dgram.Socket>();
  /** Per socket family, query id → the one query waiting for that id on that socket. */
  readonly #byId: Record<Family, (Pending | undefined)[] | null> = { udp4: null, udp6: null };
  /** Every waiting query, newest first (close, socket errors, and replies nobody waits for). */
  #head: Pending | null = null;
  #inFlight = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Queries in flight (tests and metrics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * The id table of a socket family, made on first use: 65,536 slots of 8 bytes (Node is built
   * without pointer compression), 512 KiB (524,304 bytes in a heap snapshot).
   */
  #ids(family: Family): (Pending | undefined)[] {
    let ids = this.#byId[family];
    if (ids === null) {
      ids = new Array<Pending | undefined>(65_536).fill(undefined);
      this.#byId[family] = ids;
    }
    return ids;
  }

  /** Sends `request.query` and waits for a reply we can trust, or the deadline. Never rejects. */
  exchange(request: ExchangeRequest): Promise<Exchange> {
    const { server, timeoutMs } = request;
    const endpoint = endpointOf(server);
    const { family } = endpoint;
    const ids = this.#ids(family);
    // Ids must be unique among the queries waiting on one socket: take the caller's if free.
    let id = request.query.id;
    for (let tries = 0; ids[id] !== undefined; tries++) {
      id = tries < 64 ? Math.floor(Math.random() * 65_536) : (id + 1) % 65_536;
    }
    const query = id === request.query.id ? request.query : { ...request.query, id };
    const transport: Transport = query.ednsPayloadSize === undefined ? 'udp' : 'edns';
    // Without EDNS0 a server must not send more than 512 bytes (RFC 1035 4.2.1); with it, no more
    // than the payload size we advertised (RFC 6891 6.2.5). We receive whole datagrams so an
    // oversize reply is measured and reported instead of silently clipped.
    const limit = query.ednsPayloadSize ?? UDP_LIMIT;
    const wire = buildQuery(query);
    const filter = new ReplyFilter(query);
    const started = this.#clock.monotonicMs();
    const elapsed = () => (this.#clock.monotonicMs() - started) / 1000;

    return new Promise<Exchange>((resolve) => {
      let settled = false;
      const finish = (result: Exchange) => {
        if (settled) return;
        settled = true;
        cancel();
        this.#forget(pending);
        resolve(result);
      };
      const fail = (reason: ExchangeFailureReason, message: string) =>
        finish({
          ok: false,
          transport,
          reason,
          message,
          queryBytes: wire.length,
          durationSeconds: elapsed(),
          ignored: filter.ignored,
        });
      const pending: Pending = {
        family,
        id,
        endpoint,
        filter,
        fail,
        onReply: (msg) => {
          const verdict = filter.check(msg);
          if (verdict.kind === 'ignore') return;
          if (verdict.kind === 'reject') return fail(verdict.reason, `unreadable reply: ${verdict.detail}`);
          finish({
            ok: true,
            transport,
            queryBytes: wire.length,
            durationSeconds: elapsed(),
            ignored: filter.ignored,
            oversize: verdict.answer.bytes > limit,
            ...verdict.answer,
          });
        },
        prev: null,
        next: null,
      };
      const cancel = startDeadline(timeoutMs, request.signal, (cause) => {
        if (cause === 'aborted') return fail('aborted', 'the probe was cancelled');
        const { reason, message } = filter.timeoutReason(timeoutMs);
        fail(reason, message);
      });
      ids[id] = pending;
      pending.next = this.#head;
      if (this.#head !== null) this.#head.prev = pending;
      this.#head = pending;
      this.#inFlight++;
      let socket: dgram.Socket;
      try {
        socket = this.#socket(family);
      } catch (err) {
        return fail('network', `cannot open a UDP socket: ${(err as Error).message}`);
      }
      socket.send(wire, server.port, server.host, (err) => {
        if (err) fail('network', `cannot send to ${server.host}:${server.port}: ${err.message}`);
      });
    });
  }

  /** Closes the sockets; queries still waiting fail with `aborted`. */
  close(): void {
    for (const pending of this.#waiting()) pending.fail('aborted', 'the transport was closed');
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
  }

  #forget(pending: Pending): void {
    const ids = this.#byId[pending.family];
    if (ids?.[pending.id] === pending) ids[pending.id] = undefined;
    // Called once per query (from `finish`, which runs once), so the query is in the list.
    const { prev, next } = pending;
    if (prev === null) this.#head = next;
    else prev.next = next;
    if (next !== null) next.prev = prev;
    pending.prev = null;
    pending.next = null;
    this.#inFlight--;
  }

  /** A copy of the waiting queries, for loops that settle them (which unlinks them). */
  #waiting(): Pending[] {
    const out: Pending[] = [];
    for (let p = this.#head; p !== null; p = p.next) out.push(p);
    return out;
  }

  #socket(family: Family): dgram.Socket {
    const existing = this.#sockets.get(family);
    if (existing) return existing;
    const socket = dgram.createSocket({ type: family, lookup: literalLookup });
    // The pool must not keep the process alive; waiting queries hold their own timers.
    socket.unref();
    socket.on('message', (msg, rinfo) => this.#onMessage(family, msg, rinfo));
    socket.on('error', (err) => {
      // A socket-level error ends every query on it; the next query opens a fresh socket.
      this.#sockets.delete(family);
      try {
        socket.close();
      } catch {}
      for (const pending of this.#waiting()) {
        if (pending.family === family) pending.fail('network', `UDP socket error: ${err.message}`);
      }
    });
    this.#sockets.set(family, socket);
    return socket;
  }

  #onMessage(family: Family, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // Fewer than 2 bytes carry no id: musl ignores those (res_msend.c), so do we.
    const pending = msg.length >= 2 ? this.#byId[family]?.[msg.readUInt16BE(0)] : undefined;
    if (!pending) {
      // Rare (a late, spoofed or broken reply): walk the waiting queries, a few per probe in flight.
      const host = normaliseHost(rinfo.address);
      for (let p = this.#head; p !== null; p = p.next) {
        if (p.endpoint.port === rinfo.port && p.endpoint.host === host) p.filter.idMismatch();
      }
      return;
    }
    // The common case, a reply from the server it was sent to, builds no string to say so.
    const { endpoint } = pending;
    const fromServer =
      rinfo.port === endpoint.port &&
      (rinfo.address === endpoint.host || normaliseHost(rinfo.address) === endpoint.host);
    if (!fromServer) {
      pending.filter.fromWrongSource(rinfo.address, rinfo.port);
      return;
    }
    pending.onReply(msg);
  }
}
