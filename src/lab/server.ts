/**
 * The lab's sockets: UDP+TCP on `port`, UDP alone on `port + 1` (its TCP port has no listener,
 * so the kernel refuses connections, like a NetworkPolicy that lets only UDP 53 through), and a
 * spare UDP socket that sends the `other-port` replies. Everything else is respond.ts.
 *
 * Robustness is the point of a fixture: any bytes from any client are read as values
 * (query.ts), each handler is wrapped so one bad message cannot stop the server, and TCP
 * connections are bounded in number and idle time (RFC 7766 6.2.3).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { DnsHeadroomError, ERROR_CODES } from '../errors.ts';
import type { ServerAddress } from '../probe/types.ts';
import { type LabTransport, planReply } from './respond.ts';
import { formatServer, type LabAddresses, SCENARIOS, type Scenario } from './scenarios.ts';

/** The subset of a pino logger the lab uses: constant message, data in the object (STYLE.md section 7). */
export interface LabLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of a lab server. Only `address`, `port` and `clock` are required. */
export interface LabServerOptions {
  /** IP literal to bind (127.0.0.1, ::1, ...). */
  readonly address: string;
  /** Port for UDP+TCP; `port + 1` gets the UDP-only socket. 0 picks free ports. */
  readonly port: number;
  /** Drives growing scenarios (time since `start()`). */
  readonly clock: Clock;
  readonly log?: LabLogger;
  readonly scenarios?: readonly Scenario[];
  /** Idle TCP connections are closed after this long; default 10 s (Knot and CoreDNS use 10 s). */
  readonly tcpIdleTimeoutMs?: number;
  /** A `hang` connection is held this long at most, then closed; default 5 minutes. */
  readonly tcpHangTimeoutMs?: number;
  /** Concurrent TCP connections accepted; default 256. */
  readonly maxTcpConnections?: number;
}

/** Messages received, for tests and benchmarks. */
export interface LabQueryCounts {
  readonly total: number;
  readonly udp: number;
  readonly tcp: number;
  /** Messages that were not a well-formed query (dropped, or answered FORMERR / NOTIMP). */
  readonly malformed: number;
}

/** Default idle timeout of a TCP connection. */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000;
/** Default lifetime of a hanging TCP connection. */
export const DEFAULT_TCP_HANG_TIMEOUT_MS = 300_000;
/** Default cap on concurrent TCP connections. */
export const DEFAULT_MAX_TCP_CONNECTIONS = 256;

const NO_LOG: LabLogger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

/** With port 0 the UDP and TCP sockets must share one free port; retry if another process holds the TCP side. */
const FREE_PORT_ATTEMPTS = 20;

function isAddrInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

function bindUdp(socket: dgram.Socket, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}

function listenTcp(server: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeUdp(socket: dgram.Socket | null): Promise<void> {
  if (socket === null) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

function closeTcp(server: net.Server | null): Promise<void> {
  if (server === null || !server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

function prefixed(bytes: Uint8Array, declared = bytes.length): Buffer {
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(declared, 0);
  out.set(bytes, 2);
  return out;
}

/** The embedded DNS lab server. The constructor starts nothing; call `start()` and `stop()`. */
export class LabServer {
  readonly #address: string;
  readonly #port: number;
  readonly #clock: Clock;
  readonly #log: LabLogger;
  readonly #scenarios: readonly Scenario[];
  readonly #idleMs: number;
  readonly #hangMs: number;
  readonly #maxConnections: number;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #startedAtMs = 0;
  #udp: dgram.Socket | null = null;
  #udpOnly: dgram.Socket | null = null;
  #otherPort: dgram.Socket | null = null;
  #tcp: net.Server | null = null;
  #addresses: LabAddresses | null = null;
  #starting: Promise<void> | null = null;
  readonly #connections = new Set<net.Socket>();
  #counts = { total: 0, udp: 0, tcp: 0, malformed: 0 };

  constructor(options: LabServerOptions) {
    if (net.isIP(options.address) === 0) throw new TypeError(`not an IP address: ${options.address}`);
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_534) {
      throw new RangeError(`port must be 0-65534 (port + 1 is used too): ${options.port}`);
    }
    this.#address = options.address;
    this.#port = options.port;
    this.#clock = options.clock;
    this.#log = options.log ?? NO_LOG;
    this.#scenarios = options.scenarios ?? SCENARIOS;
    this.#idleMs = options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS;
    this.#hangMs = options.tcpHangTimeoutMs ?? DEFAULT_TCP_HANG_TIMEOUT_MS;
    this.#maxConnections = options.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS;
  }

  /**
   * Binds every socket and returns the real addresses. Throws `DnsHeadroomError`
   * (`DNSHEADROOM_ERR_LISTEN`) when a port cannot be bound; nothing stays open then.
   */
  async start(): Promise<LabAddresses> {
    if (this.#state !== 'new') throw new Error('LabServer.start() may be called once');
    this.#state = 'starting';
    this.#starting = this.#bindAll();
    try {
      await this.#starting;
    } catch (err) {
      await this.#closeAll();
      this.#state = 'stopped';
      if (err instanceof DnsHeadroomError) throw err;
      const where = formatServer({ host: this.#address, port: this.#port });
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new DnsHeadroomError(ERROR_CODES.LISTEN, `cannot listen on ${where}: ${reason}`, { cause: err });
    }
    if (this.#stoppedWhileStarting()) {
      await this.#closeAll();
      throw new Error('LabServer.stop() was called while it was starting');
    }
    this.#startedAtMs = this.#clock.monotonicMs();
    this.#state = 'running';
    const addresses = this.addresses();
    this.#log.info(
      { main: formatServer(addresses.main), udpOnly: formatServer(addresses.udpOnly) },
      'lab server listening',
    );
    return addresses;
  }

  /** Where the lab listens: `main` (UDP+TCP) and `udpOnly` (UDP; TCP refused). Throws before `start()`. */
  addresses(): LabAddresses {
    if (this.#addresses === null) throw new Error('LabServer is not started');
    return this.#addresses;
  }

  /** Messages received so far. */
  get queries(): LabQueryCounts {
    return { ...this.#counts };
  }

  /** Open TCP connections (hanging ones included). */
  get tcpConnections(): number {
    return this.#connections.size;
  }

  /** Milliseconds since `start()` by the injected clock: what growing scenarios see. */
  elapsedMs(): number {
    return this.#state === 'running' ? this.#clock.monotonicMs() - this.#startedAtMs : 0;
  }

  /** Closes every socket, hanging TCP connections included. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    // Closing a socket whose bind is still pending would leave start() waiting forever: let the
    // binds settle first; start() then sees the stop and fails.
    await this.#starting?.catch(() => {});
    await this.#closeAll();
    this.#log.info({}, 'lab server stopped');
  }

  /** A method, not an inline check, because `stop()` may change the state across the awaits in `start()`. */
  #stoppedWhileStarting(): boolean {
    return this.#state === 'stopped';
  }

  async #bindAll(): Promise<void> {
    const type = net.isIPv6(this.#address) ? 'udp6' : 'udp4';
    let mainPort = this.#port;
    for (let attempt = 1; ; attempt++) {
      const udp = this.#udpSocket(type, 'main');
      this.#udp = udp;
      mainPort = await bindUdp(udp, this.#address, this.#port);
      const tcp = net.createServer({ noDelay: true }, (socket) => this.#onConnection(socket));
      tcp.maxConnections = this.#maxConnections;
      try {
        await listenTcp(tcp, this.#address, mainPort);
      } catch (err) {
        if (this.#port !== 0 || !isAddrInUse(err) || attempt >= FREE_PORT_ATTEMPTS) throw err;
        await closeUdp(udp);
        this.#udp = null;
        continue;
      }
      tcp.on('error', (err) => this.#log.warn({ err }, 'lab tcp server error'));
      this.#tcp = tcp;
      break;
    }
    this.#udpOnly = this.#udpSocket(type, 'udp-only');
    let udpOnlyPort: number;
    try {
      udpOnlyPort = await bindUdp(this.#udpOnly, this.#address, mainPort + 1);
    } catch (err) {
      // With port 0 the caller asked for any free ports; port + 1 is only a convention then.
      if (this.#port !== 0 || !isAddrInUse(err)) throw err;
      this.#udpOnly.close();
      this.#udpOnly = this.#udpSocket(type, 'udp-only');
      udpOnlyPort = await bindUdp(this.#udpOnly, this.#address, 0);
    }
    this.#otherPort = this.#udpSocket(type, 'other-port');
    await bindUdp(this.#otherPort, this.#address, 0);
    const host = this.#address;
    this.#addresses = Object.freeze({
      main: Object.freeze({ host, port: mainPort }) satisfies ServerAddress,
      udpOnly: Object.freeze({ host, port: udpOnlyPort }) satisfies ServerAddress,
    });
  }

  #udpSocket(type: 'udp4' | 'udp6', role: string): dgram.Socket {
    const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
    socket.on('error', (err) => this.#log.warn({ err, role }, 'lab udp socket error'));
    if (role !== 'other-port') socket.on('message', (msg, rinfo) => this.#onUdp(socket, msg, rinfo));
    return socket;
  }

  /** Closes every socket; safe to run twice at once because it takes the sockets before awaiting. */
  async #closeAll(): Promise<void> {
    const udp = [this.#udp, this.#udpOnly, this.#otherPort];
    const tcp = this.#tcp;
    this.#udp = null;
    this.#udpOnly = null;
    this.#otherPort = null;
    this.#tcp = null;
    for (const socket of this.#connections) socket.destroy();
    this.#connections.clear();
    await Promise.all([...udp.map(closeUdp), closeTcp(tcp)]);
  }

  /** Plans a reply, counting the message; null if planning failed (logged, never thrown). */
  #plan(message: Uint8Array, transport: LabTransport): ReturnType<typeof planReply> | null {
    this.#counts.total++;
    this.#counts[transport]++;
    try {
      const planned = planReply(message, {
        transport,
        elapsedMs: this.elapsedMs(),
        scenarios: this.#scenarios,
      });
      if (planned.problem !== null) {
        this.#counts.malformed++;
        this.#log.debug(
          { transport, problem: planned.problem, bytes: message.length },
          'lab ignored a malformed query',
        );
      }
      return planned;
    } catch (err) {
      this.#log.error({ err, transport }, 'lab could not plan a reply');
      return null;
    }
  }

  #onUdp(socket: dgram.Socket, message: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#state !== 'running') return;
    const planned = this.#plan(message, 'udp');
    if (planned === null) return;
    const { plan } = planned;
    const from = plan.action === 'send-from-other-port' ? this.#otherPort : socket;
    if ((plan.action !== 'send' && plan.action !== 'send-from-other-port') || from === null) return;
    from.send(plan.bytes, rinfo.port, rinfo.address, (err) => {
      if (err) this.#log.debug({ err, port: rinfo.port }, 'lab udp send failed');
    });
  }

  #onConnection(socket: net.Socket): void {
    if (this.#state !== 'running') {
      socket.destroy();
      return;
    }
    this.#connections.add(socket);
    socket.on('close', () => this.#connections.delete(socket));
    socket.on('error', (err) => this.#log.debug({ err }, 'lab tcp connection error'));
    socket.setTimeout(this.#idleMs);
    socket.on('timeout', () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // RFC 1035 4.2.2 / RFC 7766 8: each message is preceded by a 2-byte length; a read may
      // hold part of a message or several, so frame on the buffered bytes, prefix included.
      while (!done && buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        done = this.#answerTcp(socket, message);
      }
      // Copy what is left so the large chunk it came from can be freed.
      buffered = done ? Buffer.alloc(0) : Buffer.from(buffered);
    });
  }

  /** Answers one framed TCP message; returns true when the connection must stop reading. */
  #answerTcp(socket: net.Socket, message: Buffer): boolean {
    const planned = this.#plan(message, 'tcp');
    if (planned === null) return false;
    const { plan } = planned;
    switch (plan.action) {
      case 'send':
      case 'send-from-other-port':
        socket.write(prefixed(plan.bytes));
        return false;
      case 'send-partial-and-close':
        socket.end(prefixed(plan.bytes.subarray(0, plan.sendBytes), plan.bytes.length));
        return true;
      case 'hang':
        // Keep the connection open without answering; a longer timeout still bounds it.
        socket.setTimeout(this.#hangMs);
        return true;
      case 'drop':
        return false;
    }
  }
}
