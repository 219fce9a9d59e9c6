/**
 * Counts every exchange at the transport edge: queries by transport, their durations, and failure
 * reasons. Wrapping the transport (rather than reading probe results) also counts the search walk's
 * queries, which is what the DNS server actually sees.
 */
import type { DnsTransport, ExchangeRequest } from '../probe/transport.ts';
import type { Exchange } from '../probe/types.ts';
import type { Metrics } from './metrics.ts';

/** Returns a transport that records each exchange of `inner` in `metrics`. */
export function withExchangeMetrics(
  inner: DnsTransport,
  metrics: Pick<Metrics, 'recordExchange'>,
): DnsTransport {
  const observe = (exchange: Exchange): Exchange => {
    metrics.recordExchange(
      exchange.transport,
      exchange.durationSeconds,
      exchange.ok ? null : exchange.reason,
    );
    return exchange;
  };
  return {
    udp: (request: ExchangeRequest) => inner.udp(request).then(observe),
    tcp: (request: ExchangeRequest) => inner.tcp(request).then(observe),
  };
}
