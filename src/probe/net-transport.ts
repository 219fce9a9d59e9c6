/** The real network transport: UDP and TCP sockets from node:dgram and node:net. */
import type { Clock } from '../clock.ts';
import { tcpExchange } from './tcp.ts';
import type { DnsTransport } from './transport.ts';
import { udpExchange } from './udp.ts';

/** Builds the socket-backed transport, timing exchanges with `clock`. */
export function createNetTransport(clock: Clock): DnsTransport {
  return {
    udp: (request) => udpExchange(request, clock),
    tcp: (request) => tcpExchange(request, clock),
  };
}
