/**
 * The query budget as a transport decorator: every UDP or TCP exchange takes one token before it
 * is handed to the real transport, so the budget counts queries on the wire, not probes (a probe
 * sends two to a dozen queries depending on the search walk and the family).
 *
 * The token is taken before the inner exchange starts, so the exchange's own deadline
 * (`timeoutMs`, an `AbortSignal.timeout` made inside the transport) runs only from the moment the
 * query may actually go out: waiting for budget is never reported as a DNS timeout.
 */
import {
  buildQuery,
  type DnsTransport,
  type Exchange,
  type ExchangeRequest,
  type Transport,
} from '../probe/index.ts';

/** What the decorator needs from a budget: the `take` of a `TokenBucket`. */
export interface QueryBudget {
  take(n?: number, signal?: AbortSignal): Promise<void>;
  /** Takes a token only if one is free right now and nobody waits (the `TokenBucket` has it). */
  tryTake?(n?: number): boolean;
}

/**
 * Wraps `inner` so each exchange first takes one token from `budget`. If the wait is cancelled
 * (the request's signal aborts, or the bucket is closed at shutdown) the exchange resolves as an
 * `aborted` failure without sending anything, as the real transports do for a cancelled probe:
 * exchanges are values, never exceptions.
 */
export function withQueryBudget(inner: DnsTransport, budget: QueryBudget): DnsTransport {
  // Under budget, a token is free nearly every time: take it without the promise and microtask
  // turn of `take` (every query of every probe passes here).
  const now = (request: ExchangeRequest) => request.signal?.aborted !== true && budget.tryTake?.(1) === true;
  return {
    udp: (request) =>
      now(request)
        ? inner.udp(request)
        : admitted(request, budget).then((ok) => (ok ? inner.udp(request) : notSent(request, 'udp'))),
    tcp: (request) =>
      now(request)
        ? inner.tcp(request)
        : admitted(request, budget).then((ok) => (ok ? inner.tcp(request) : notSent(request, 'tcp'))),
  };
}

/** Waits for one token; false when the wait was cancelled. */
async function admitted(request: ExchangeRequest, budget: QueryBudget): Promise<boolean> {
  try {
    await budget.take(1, request.signal);
    return true;
  } catch {
    return false;
  }
}

/** The failure the real transports report for a cancelled exchange, for a query that never left. */
function notSent(request: ExchangeRequest, kind: 'udp' | 'tcp'): Exchange {
  const transport: Transport =
    kind === 'tcp' ? 'tcp' : request.query.ednsPayloadSize === undefined ? 'udp' : 'edns';
  return {
    ok: false,
    transport,
    reason: 'aborted',
    message: 'the probe was cancelled while waiting for the query budget',
    queryBytes: queryBytes(request),
    durationSeconds: 0,
    ignored: { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 },
  };
}

function queryBytes(request: ExchangeRequest): number {
  try {
    return buildQuery(request.query).length;
  } catch {
    // A name the encoder refuses would have failed in the transport too; nothing was sent.
    return 0;
  }
}
