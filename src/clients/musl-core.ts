/**
 * One musl getaddrinfo model, parameterised by the rules that changed between releases (each
 * version file states its own). The walk, the per-step decision and the parsing mirror musl's
 * src/network/lookup_name.c (name_from_dns_search, name_from_dns, dns_parse_callback),
 * src/network/res_msend.c (__res_msend_rc) and src/network/dns_parse.c (__dns_parse), read
 * from bminor/musl; commit ids are in the version files and in index.ts.
 *
 * Simplifications, all about one server answering one way: the table holds one exchange per
 * (name, qtype, transport), so musl's parallel queries to several nameservers, its retries
 * (attempts) and its immediate re-send after SERVFAIL are taken to see that same answer.
 */
import { FAMILY_QTYPES, type OkExchange, type Qtype } from '../probe/types.ts';
import { isEncodableQueryName } from '../resolver/query-name.ts';
import { muslCandidates } from '../resolver/search.ts';
import { addressesWithin, exchangeKey, lastStepFinal, shownResult } from './exchanges.ts';
import type {
  ClientModel,
  ClientName,
  ClientOutcome,
  ExchangeKey,
  ExchangeTable,
  GaiError,
  LookupQuestion,
  ModelRun,
  WalkStep,
} from './types.ts';

/** The rules that differ between musl releases. */
export interface MuslRules {
  /** Which modelled client these rules are. */
  readonly client: ClientName;
  /**
   * Size of each answer buffer in name_from_dns (`abuf[2][...]`). __res_msend_rc receives UDP
   * replies and TCP answers into it, and __dns_parse reads at most this many bytes.
   */
  readonly answerBufferBytes: number;
  /** __res_msend_rc retries a reply with TC set over TCP to the same server. */
  readonly tcpFallback: boolean;
  /** __dns_parse parses nothing when qdcount+ancount exceeds this; null when there is no such check. */
  readonly maxRecords: number | null;
  /** MAXADDRS (lookup.h): dns_parse_callback stores no more addresses than this. */
  readonly maxAddresses: number;
  /** What name_from_dns returns for a NOERROR step without an address of the family. */
  readonly noDataError: Extract<GaiError, 'EAI_NONAME' | 'EAI_NODATA'>;
  /**
   * What name_from_dns does when __res_mkquery cannot encode the candidate: `fail` returns
   * EAI_NONAME and ends the walk, `skip` returns 0 and the walk moves on.
   */
  readonly unencodableName: 'fail' | 'skip';
}

/** What __res_msend_rc leaves for one query: an accepted answer, or nothing (alens 0). */
type Reply =
  | { readonly kind: 'answer'; readonly answer: OkExchange; readonly shown: WalkStep['results'][Qtype] }
  | { readonly kind: 'none'; readonly shown: WalkStep['results'][Qtype] };

/**
 * __res_msend_rc for one query, reduced to one server: it accepts only NOERROR and NXDOMAIN
 * replies ("Only accept positive or negative responses; retry immediately on server failure,
 * and ignore all other codes such as refusal"), so SERVFAIL, REFUSED and the rest leave no
 * answer and the lookup ends in EAI_AGAIN after the timeout. With `tcpFallback` an accepted
 * reply with TC is replaced by the TCP answer from the same server; a TCP connect, read or
 * rcode failure also leaves no answer ("Disregard any incomplete TCP results").
 */
function sendQuery(
  rules: MuslRules,
  fqdn: string,
  qtype: Qtype,
  table: ExchangeTable,
  need: ExchangeKey[],
): Reply | null {
  const udp = table(fqdn, qtype, 'udp');
  if (udp === undefined) {
    need.push(exchangeKey(fqdn, qtype, 'udp'));
    return null;
  }
  if (!udp.ok) return { kind: 'none', shown: shownResult(udp) };
  if (udp.rcode !== 'NOERROR' && udp.rcode !== 'NXDOMAIN') return { kind: 'none', shown: udp.rcode };
  // musl <= 1.2.3 never looks at TC: the truncated reply is the answer.
  if (!(rules.tcpFallback && udp.truncated)) return { kind: 'answer', answer: udp, shown: udp.rcode };
  const tcp = table(fqdn, qtype, 'tcp');
  if (tcp === undefined) {
    need.push(exchangeKey(fqdn, qtype, 'tcp'));
    return null;
  }
  if (!tcp.ok) return { kind: 'none', shown: shownResult(tcp) };
  // TCP path: `if (rcode != 0 && rcode != 3) goto out;`
  if (tcp.rcode !== 'NOERROR' && tcp.rcode !== 'NXDOMAIN') return { kind: 'none', shown: tcp.rcode };
  return { kind: 'answer', answer: tcp, shown: tcp.rcode };
}

/** Addresses dns_parse_callback stores from one answer. */
function parsedAddresses(rules: MuslRules, answer: OkExchange): number {
  // __dns_parse: `if (qdcount+ancount > 64) return -1;` before reading any record.
  if (rules.maxRecords !== null && answer.qdcount + answer.ancount > rules.maxRecords) return 0;
  // alens is clamped to the buffer; records that overrun it stop the parse.
  return addressesWithin(answer, rules.answerBufferBytes);
}

type StepVerdict =
  | { readonly kind: 'next' }
  | { readonly kind: 'stop'; readonly outcome: ClientOutcome }
  | { readonly kind: 'need'; readonly need: readonly ExchangeKey[] };

/**
 * name_from_dns for one candidate: send every query of the family at once, then check the
 * replies in query order (A before AAAA): no reply or SERVFAIL is EAI_AGAIN, NXDOMAIN moves the
 * walk on (even when the other family said NOERROR), any other non-zero rcode is EAI_FAIL.
 * Only then are the answers parsed; NOERROR ends the walk with their addresses or, without
 * any, with `noDataError`.
 */
function runStep(
  rules: MuslRules,
  fqdn: string,
  qtypes: readonly Qtype[],
  table: ExchangeTable,
  results: Partial<Record<Qtype, WalkStep['results'][Qtype]>>,
): StepVerdict {
  // Indexed loops: every model replays its walk on every round of every probe (ADR 1).
  const need: ExchangeKey[] = [];
  const settled: Reply[] = [];
  for (let i = 0; i < qtypes.length; i++) {
    const reply = sendQuery(rules, fqdn, qtypes[i] as Qtype, table, need);
    if (reply !== null) settled.push(reply);
  }
  if (need.length > 0) return { kind: 'need', need };
  for (let i = 0; i < qtypes.length; i++) results[qtypes[i] as Qtype] = settled[i]?.shown;
  for (let i = 0; i < settled.length; i++) {
    const reply = settled[i] as Reply;
    if (reply.kind === 'none') return { kind: 'stop', outcome: { addresses: 0, error: 'EAI_AGAIN' } };
    const rcode = reply.answer.rcode;
    if (rcode === 'SERVFAIL') return { kind: 'stop', outcome: { addresses: 0, error: 'EAI_AGAIN' } };
    if (rcode === 'NXDOMAIN') return { kind: 'next' };
    if (rcode !== 'NOERROR') return { kind: 'stop', outcome: { addresses: 0, error: 'EAI_FAIL' } };
  }
  let count = 0;
  for (let i = 0; i < settled.length; i++) {
    const reply = settled[i] as Reply;
    if (reply.kind === 'answer') count += parsedAddresses(rules, reply.answer);
  }
  count = Math.min(count, rules.maxAddresses);
  return {
    kind: 'stop',
    outcome: count > 0 ? { addresses: count, error: null } : { addresses: 0, error: rules.noDataError },
  };
}

/**
 * The finished run; `next` is true on every step but the last (musl moved on after it). Steps are
 * pushed with `next: true` until one ends the walk, so at most the last needs its flag turned off.
 */
function finished(outcome: ClientOutcome, walk: WalkStep[], answeringName: string | null): ModelRun {
  lastStepFinal(walk);
  return { done: true, outcome, walk, answeringName };
}

/** Builds the model for one musl release from its rules. */
export function muslModel(rules: MuslRules): ClientModel {
  return (question: LookupQuestion, table: ExchangeTable): ModelRun => {
    const qtypes = FAMILY_QTYPES[question.family];
    const walk: WalkStep[] = [];
    const candidates = muslCandidates(question.name, question);
    for (let c = 0; c < candidates.length; c++) {
      const fqdn = candidates[c] as string;
      if (!isEncodableQueryName(fqdn)) {
        if (rules.unencodableName === 'fail') {
          walk.push({ fqdn, results: {}, next: false });
          return finished({ addresses: 0, error: 'EAI_NONAME' }, walk, fqdn);
        }
        walk.push({ fqdn, results: {}, next: true });
        continue;
      }
      const results: Partial<Record<Qtype, WalkStep['results'][Qtype]>> = {};
      const verdict = runStep(rules, fqdn, qtypes, table, results);
      if (verdict.kind === 'need') return { done: false, need: verdict.need };
      if (verdict.kind === 'next') {
        walk.push({ fqdn, results, next: true });
        continue;
      }
      walk.push({ fqdn, results, next: false });
      return finished(verdict.outcome, walk, fqdn);
    }
    // Every candidate said NXDOMAIN (or was skipped): name_from_dns_search returns 0 and
    // __lookup_name turns "no result" into EAI_NONAME.
    return finished({ addresses: 0, error: 'EAI_NONAME' }, walk, null);
  };
}
