/** The probe module: message handling, transports and the probe driver. */

export type { AnswerShape, DecodedReply, QuerySpec } from './message.ts';
export {
  buildQuery,
  decodeReply,
  maxAddressesWithin,
  nameWireLength,
  predictAnswerBytes,
} from './message.ts';
export { createNetTransport } from './net-transport.ts';
export {
  type Lookup,
  type ProbeDeps,
  type ProbeResult,
  type ProbeSpec,
  probe,
  type QtypeProbe,
} from './probe.ts';
export { randomQueryIds } from './query-id.ts';
export { DNS_PORT, formatServerAddress, parseServerAddress, type ServerParse } from './server-address.ts';
export type { DnsTransport, ExchangeRequest } from './transport.ts';
export * from './types.ts';
