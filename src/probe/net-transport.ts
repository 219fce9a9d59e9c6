/** The real network transport: shared UDP sockets (udp.ts) and a TCP connection per query (tcp.ts). */
import type { Clock } from '../clock.ts';
import { tcpExchange } from './tcp.ts';
import type { DnsTransport } from './transport.ts';
import { UdpPool } from './udp.ts';

/** Builds the socket-backed transport, timing exchanges with `clock`. */
export function createNetTransport(clock: Clock): DnsTransport & { close(): void } {
  const pool = new UdpPool(clock);
  return {
    udp: (request) => pool.exchange(request),
    tcp: (request) => tcpExchange(request, clock),
    close: () => pool.close(),
  };
}
