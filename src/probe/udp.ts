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
  /** `${host}|${port}`: the key of `#byServer`. */
  readonly key: string;
}

/**
 * A target's server is one object for as long as its config stands, so its socket family and key
 * are computed once instead of per query: `net.isIPv6` runs a long regular expression, and the key
 * was a new string for every query.
 */
const endpoints = new WeakMap<{ host: string; port: number }, Endpoint>();

function endpointOf(server: { host: string; port: number }): Endpoint {
  let endpoint = endpoints.get(server);
  if (endpoint === undefined) {
    const host = normaliseHost(server.host);
    endpoint = {
      family: net.isIPv6(server.host) ? 'udp6' : 'udp4',
      host,
      port: server.port,
      key: `${host}|${server.port}`,
    };
    endpoints.set(server, endpoint);
  }
  return endpoint;
}

/** One number per (socket, query id): a string key cost an allocation per query and per reply. */
function slotOf(family: Family, id: number): number {
  return family === 'udp6' ? 0x10000 + id : id;
}

/** Shared UDP sockets and the table of queries waiting on them. */
export class UdpPool {
  readonly #clock: Clock;
  readonly #sockets = new Map<Family, dgram.Socket>();
  /** slotOf(family, id) → the one query waiting for that id on that socket. */
  readonly #byId = new Map<number, Pending>();
  /** `${host}|${port}` → queries waiting for that server. */
  readonly #byServer = new Map<string, Set<Pending>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Queries in flight (tests and metrics). */
  get inFlight(): number {
    return this.#byId.size;
  }

  /** Sends `request.query` and waits for a reply we can trust, or the deadline. Never rejects. */
  exchange(request: ExchangeRequest): Promise<Exchange> {
    const { server, timeoutMs } = request;
    const endpoint = endpointOf(server);
    const { family, key: serverKey } = endpoint;
    // Ids must be unique among the queries waiting on one socket: take the caller's if free.
    let id = request.query.id;
    for (let tries = 0; this.#byId.has(slotOf(family, id)); tries++) {
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
      };
      const cancel = startDeadline(timeoutMs, request.signal, (cause) => {
        if (cause === 'aborted') return fail('aborted', 'the probe was cancelled');
        const { reason, message } = filter.timeoutReason(timeoutMs);
        fail(reason, message);
      });
      this.#byId.set(slotOf(family, id), pending);
      const waiting = this.#byServer.get(serverKey) ?? new Set<Pending>();
      this.#byServer.set(serverKey, waiting);
      waiting.add(pending);
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
    for (const pending of [...this.#byId.values()]) pending.fail('aborted', 'the transport was closed');
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
  }

  #forget(pending: Pending): void {
    const slot = slotOf(pending.family, pending.id);
    if (this.#byId.get(slot) === pending) this.#byId.delete(slot);
    const waiting = this.#byServer.get(pending.endpoint.key);
    waiting?.delete(pending);
    if (waiting?.size === 0) this.#byServer.delete(pending.endpoint.key);
  }

  #socket(family: Family): dgram.Socket {
    const existing = this.#sockets.get(family);
    if (existing) return existing;
    const socket = dgram.createSocket(family);
    // The pool must not keep the process alive; waiting queries hold their own timers.
    socket.unref();
    socket.on('message', (msg, rinfo) => this.#onMessage(family, msg, rinfo));
    socket.on('error', (err) => {
      // A socket-level error ends every query on it; the next query opens a fresh socket.
      this.#sockets.delete(family);
      try {
        socket.close();
      } catch {}
      for (const pending of [...this.#byId.values()]) {
        if (pending.family === family) pending.fail('network', `UDP socket error: ${err.message}`);
      }
    });
    this.#sockets.set(family, socket);
    return socket;
  }

  #onMessage(family: Family, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // Fewer than 2 bytes carry no id: musl ignores those (res_msend.c), so do we.
    const pending = msg.length >= 2 ? this.#byId.get(slotOf(family, msg.readUInt16BE(0))) : undefined;
    if (!pending) {
      const from = `${normaliseHost(rinfo.address)}|${rinfo.port}`;
      for (const waiting of this.#byServer.get(from) ?? []) waiting.filter.idMismatch();
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
