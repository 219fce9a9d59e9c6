import type { ExchangeKey } from '../../src/clients/types.ts';
import type { DnsTransport, ExchangeRequest } from '../../src/probe/transport.ts';
import type { Exchange } from '../../src/probe/types.ts';

/**
 * A transport that answers from a function of (name, qtype, transport) and records every request,
 * so probe-driver tests can assert what went on the wire without sockets.
 */
export class FakeTransport implements DnsTransport {
  readonly sent: (ExchangeKey & { edns: number | undefined })[] = [];
  readonly #answer: (key: ExchangeKey & { edns: number | undefined }) => Exchange;

  constructor(answer: (key: ExchangeKey & { edns: number | undefined }) => Exchange) {
    this.#answer = answer;
  }

  #send(request: ExchangeRequest, transport: 'udp' | 'tcp'): Promise<Exchange> {
    const key = {
      fqdn: request.query.name,
      qtype: request.query.qtype,
      transport,
      edns: request.query.ednsPayloadSize,
    };
    this.sent.push(key);
    return Promise.resolve(this.#answer(key));
  }

  udp(request: ExchangeRequest): Promise<Exchange> {
    return this.#send(request, 'udp');
  }

  tcp(request: ExchangeRequest): Promise<Exchange> {
    return this.#send(request, 'tcp');
  }
}
