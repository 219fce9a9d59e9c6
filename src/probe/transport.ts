/**
 * The transport seam: the probe asks an injected `DnsTransport` for exchanges, so tests can
 * replace the network with a table and the daemon can share sockets later without touching
 * the probe.
 */
import type { QuerySpec } from './message.ts';
import type { Exchange, ServerAddress } from './types.ts';

/** One query to send: where, what, and how long to wait. */
export interface ExchangeRequest {
  readonly server: ServerAddress;
  readonly query: QuerySpec;
  readonly timeoutMs: number;
  /** Aborts the exchange early (shutdown); the deadline is `timeoutMs`. */
  readonly signal?: AbortSignal;
}

/** Sends queries over UDP (plain or with EDNS0, per `query.ednsPayloadSize`) and TCP. */
export interface DnsTransport {
  udp(request: ExchangeRequest): Promise<Exchange>;
  tcp(request: ExchangeRequest): Promise<Exchange>;
}
