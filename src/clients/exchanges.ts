/**
 * Small readers shared by the client models: table keys, what a walk step shows for an
 * exchange, and how many address records fit in the part of an answer a library reads.
 */
import type { Answer, Exchange, Qtype, Rcode } from '../probe/types.ts';
import type { ExchangeKey, WalkStep } from './types.ts';

/** The table key of one exchange. */
export function exchangeKey(fqdn: string, qtype: Qtype, transport: 'udp' | 'tcp'): ExchangeKey {
  return { fqdn, qtype, transport };
}

/**
 * Marks the last step of a finished walk as the one the library stopped at (`next: false`), in
 * place: the models push every step as moved-on-from, and copying the whole walk to set one flag
 * was garbage on every replay of every probe.
 */
export function lastStepFinal(walk: WalkStep[]): void {
  const last = walk[walk.length - 1];
  if (last?.next) walk[walk.length - 1] = { ...last, next: false };
}

/** What a walk step records for an exchange: its rcode, or why it failed. */
export function shownResult(exchange: Exchange): WalkStep['results'][Qtype] {
  return exchange.ok ? exchange.rcode : `failed:${exchange.reason}`;
}

/**
 * Address records a parser sees when it reads only the first `bufferBytes` of the answer: those
 * that end within both the message and the buffer (addressEnds[i] is the offset just past
 * record i, so this is what musl's __dns_parse keeps when it stops at the first record that
 * overruns `rlen`).
 */
export function addressesWithin(answer: Answer, bufferBytes: number): number {
  const limit = Math.min(answer.bytes, bufferBytes);
  let n = 0;
  for (const end of answer.addressEnds) if (end <= limit) n++;
  return n;
}

/** The rcodes a server uses to say it cannot or will not answer rather than what the name holds. */
export function isServerFailure(rcode: Rcode): boolean {
  return rcode === 'SERVFAIL' || rcode === 'NOTIMP' || rcode === 'REFUSED';
}
