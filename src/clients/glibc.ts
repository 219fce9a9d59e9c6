/**
 * glibc getaddrinfo as shipped in Debian 12 (glibc 2.36), default resolver options (no
 * `edns0`, RES_DNSRCH and RES_DEFNAMES on), `hosts: files dns` with no /etc/hosts entry.
 * Read from bminor/glibc:
 *   resolv/res_query.c    __res_context_search (the walk), __res_context_query (judging the
 *                         one or two answers of a step, T_QUERY_A_AND_AAAA for AF_UNSPEC)
 *   resolv/res_send.c     send_dg (UDP; SERVFAIL/NOTIMP/REFUSED are no answer; TC switches to
 *                         TCP for every query of the step), send_vc (TCP), errno choice
 *   resolv/nss_dns/dns-host.c  gethostbyname3/4 (errno -> NSS status), getanswer_r and
 *                         gaih_getanswer (CNAME-only answers are NOTFOUND)
 *   sysdeps/posix/getaddrinfo.c  h_errno -> EAI_* (AF_INET goes through gethostbyname2_r,
 *                         AF_INET6 and AF_UNSPEC through the no_data/no_inet6_data rule)
 *
 * Simplifications: one server answering one way (retries see the same answer); a NOERROR
 * reply without answers, AA, RA and additional records, which send_dg treats as a lame
 * referral, is taken as a plain NODATA answer (the Answer type does not carry those flags);
 * HOSTALIASES and RES_NOTLDQUERY are not modelled.
 */
import {
  type Exchange,
  FAMILY_QTYPES,
  type Family,
  type OkExchange,
  type Qtype,
  type Rcode,
} from '../probe/types.ts';
import { isEncodableQueryName } from '../resolver/query-name.ts';
import { glibcSearchPlan } from '../resolver/search.ts';
import { exchangeKey, isServerFailure, lastStepFinal, shownResult } from './exchanges.ts';
import type {
  ClientModel,
  ClientOutcome,
  ExchangeKey,
  ExchangeTable,
  GaiError,
  LookupQuestion,
  ModelRun,
  WalkStep,
} from './types.ts';

/** h_errno values the resolver sets (netdb.h). */
type HErrno = 'HOST_NOT_FOUND' | 'NO_DATA' | 'TRY_AGAIN' | 'NO_RECOVERY';
/** The errno a failed send leaves; 'none' is 0 (send_dg and send_vc clear errno before sending). */
type Errno = 'none' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'EOTHER';

type Results = Partial<Record<Qtype, WalkStep['results'][Qtype]>>;

/** One querydomain call: the answers it returns, or the h_errno/errno it leaves. */
type StepResult =
  | { readonly kind: 'need'; readonly need: readonly ExchangeKey[] }
  | { readonly kind: 'success'; readonly replies: readonly OkExchange[]; readonly results: Results }
  | {
      readonly kind: 'failure';
      readonly herrno: HErrno;
      /** errno after the step; null when the step sent nothing and left it alone. */
      readonly errno: Errno | null;
      /** hp->rcode, the header of the first answer buffer, which the search loop tests for SERVFAIL. */
      readonly headerRcode: Rcode;
      readonly results: Results;
    };

/**
 * errno after send_vc fails: connect() refusal, or what read() left (send_vc clears errno
 * before connecting, so a clean close leaves 0); a TCP read has no timeout in send_vc, so a
 * silent server ends as ETIMEDOUT from the caller's side.
 */
function tcpErrno(reason: string): Errno {
  if (reason === 'refused') return 'ECONNREFUSED';
  if (reason === 'closed') return 'none';
  if (reason === 'network' || reason === 'malformed') return 'EOTHER';
  return 'ETIMEDOUT';
}

function tcpTimedOut(exchange: Exchange | undefined): boolean {
  return exchange !== undefined && !exchange.ok && exchange.reason === 'timeout';
}

/**
 * __res_context_query's verdict on the answers of one step (hp and hp2; with one answer both
 * point at it): success when either is NOERROR with ancount > 0, even if only CNAMEs;
 * otherwise h_errno from the first non-NOERROR rcode.
 */
function judge(replies: readonly OkExchange[], results: Results): StepResult {
  const h1 = replies[0] as OkExchange;
  const h2 = replies[1] ?? h1;
  const empty = (h: OkExchange) => h.rcode !== 'NOERROR' || h.ancount === 0;
  if (!(empty(h1) && empty(h2))) return { kind: 'success', replies, results };
  const rcode = h1.rcode === 'NOERROR' ? h2.rcode : h1.rcode;
  const herrno: HErrno =
    rcode === 'NXDOMAIN'
      ? 'HOST_NOT_FOUND'
      : rcode === 'SERVFAIL'
        ? 'TRY_AGAIN'
        : rcode === 'NOERROR'
          ? 'NO_DATA'
          : 'NO_RECOVERY';
  return { kind: 'failure', herrno, errno: 'none', headerRcode: h1.rcode, results };
}

/** One step: querydomain(fqdn) with every qtype of the family, over UDP and, on TC, TCP. */
function queryStep(fqdn: string, qtypes: readonly Qtype[], table: ExchangeTable): StepResult {
  const results: Results = {};
  if (!isEncodableQueryName(fqdn)) {
    // res_mkquery fails: __res_context_query sets NO_RECOVERY and nothing is sent.
    return { kind: 'failure', herrno: 'NO_RECOVERY', errno: null, headerRcode: 'NOERROR', results };
  }
  const need: ExchangeKey[] = [];
  const udp = qtypes.map((qtype) => {
    const exchange = table(fqdn, qtype, 'udp');
    if (exchange === undefined) need.push(exchangeKey(fqdn, qtype, 'udp'));
    return exchange;
  });
  if (need.length > 0) return { kind: 'need', need };
  const udpSeen = udp as NonNullable<(typeof udp)[number]>[];

  // send_dg checks SERVFAIL/NOTIMP/REFUSED first (no answer from this server), then TC, which
  // makes __res_context_send resend every query of the step over TCP (send_vc).
  const truncated = udpSeen.find((e) => e.ok && !isServerFailure(e.rcode) && e.truncated);
  if (truncated?.ok) {
    const tcp = qtypes.map((qtype) => {
      const exchange = table(fqdn, qtype, 'tcp');
      if (exchange === undefined) need.push(exchangeKey(fqdn, qtype, 'tcp'));
      return exchange;
    });
    if (need.length > 0) return { kind: 'need', need };
    const tcpSeen = tcp as NonNullable<(typeof tcp)[number]>[];
    qtypes.forEach((qtype, i) => {
      const e = tcpSeen[i];
      if (e !== undefined) results[qtype] = shownResult(e);
    });
    const failed = tcpSeen.find((e) => !e.ok);
    if (failed !== undefined && !failed.ok) {
      // Both queries share one connection: a failure loses the step; __res_context_send
      // sets errno from send_vc's terrno.
      return {
        kind: 'failure',
        herrno: 'TRY_AGAIN',
        errno: tcpErrno(failed.reason),
        headerRcode: truncated.rcode,
        results,
      };
    }
    return judge(tcpSeen as OkExchange[], results);
  }

  qtypes.forEach((qtype, i) => {
    const e = udpSeen[i];
    if (e !== undefined) results[qtype] = shownResult(e);
  });
  const replies = udpSeen.filter((e): e is OkExchange => e.ok && !isServerFailure(e.rcode));
  if (replies.length === 0) {
    // No usable reply: __res_context_send gives up with ECONNREFUSED when nothing ever came
    // back (ICMP port unreachable), else ETIMEDOUT; h_errno TRY_AGAIN.
    const refused = udpSeen.every((e) => !e.ok && e.reason === 'refused');
    const serverFailure = udpSeen.find((e) => e.ok);
    return {
      kind: 'failure',
      herrno: 'TRY_AGAIN',
      errno: refused ? 'ECONNREFUSED' : 'ETIMEDOUT',
      headerRcode: serverFailure?.ok ? serverFailure.rcode : 'NOERROR',
      results,
    };
  }
  // One family answered and the other did not: send_dg returns the answer it has and
  // __res_context_query judges that one alone (hp2 = hp).
  return judge(replies, results);
}

/** h_errno/errno after a failed search, as each getaddrinfo path turns them into EAI_*. */
function failureError(family: Family, herrno: HErrno, errno: Errno): GaiError {
  if (family === 'inet') {
    // gaih_inet's AF_INET shortcut (try_simple_gethostbyname since the 2.36 refactor) calls
    // __gethostbyname2_r: nss_dns says UNAVAIL only when errno is
    // ECONNREFUSED or ETIMEDOUT; a NOTFOUND status makes gethostbyname2_r return 0 with no host,
    // which getaddrinfo reports as EAI_NODATA for NO_DATA and EAI_NONAME otherwise.
    const unavailable = errno === 'ECONNREFUSED' || errno === 'ETIMEDOUT';
    if (unavailable && herrno === 'TRY_AGAIN') return 'EAI_AGAIN';
    return herrno === 'NO_DATA' ? 'EAI_NODATA' : 'EAI_NONAME';
  }
  // gethosts / gethostbyname4_r: no_data = TRY_AGAIN ? EAI_AGAIN : h_errno == NO_DATA.
  if (herrno === 'TRY_AGAIN') return 'EAI_AGAIN';
  return herrno === 'NO_DATA' ? 'EAI_NODATA' : 'EAI_NONAME';
}

/** The outcome of a step __res_context_search accepted, after nss_dns parsed its answers. */
function successOutcome(family: Family, replies: readonly OkExchange[], herrno: HErrno): ClientOutcome {
  let addresses = 0;
  // A reply whose records run out before its ancount (cut without TC) fails nss_dns's parser as a
  // whole: glibc keeps none of its records, unlike musl (measured: test/truth, lab cut-512).
  for (const r of replies) if (!r.cut) addresses += r.addresses.length;
  if (addresses > 0) return { addresses, error: null };
  if (family === 'unspec') {
    // gaih_getanswer: NOTFOUND without touching h_errno, which still holds the search's last value.
    return { addresses: 0, error: failureError(family, herrno, 'none') };
  }
  if (family === 'inet') {
    // Measured against Debian 12's glibc 2.36 (test/truth: Knot's 5-CNAME answer without an
    // address, and a reply cut without TC): AF_INET reports EAI_NODATA for an answer that holds
    // records but no usable address, CNAME chain or not. Reading getanswer_r suggested EAI_NONAME
    // for the CNAME case; the real library disagrees, and the real library wins.
    return { addresses: 0, error: 'EAI_NODATA' };
  }
  // AF_INET6 (gethosts): h_errno NO_RECOVERY either way, so no_data is 0 -> EAI_NONAME.
  return { addresses: 0, error: 'EAI_NONAME' };
}

/** The glibc 2.36 getaddrinfo model. */
export const glibc: ClientModel = (question: LookupQuestion, table: ExchangeTable): ModelRun => {
  const qtypes = FAMILY_QTYPES[question.family];
  const plan = glibcSearchPlan(question.name, question);
  const walk: WalkStep[] = [];
  // __res_context_search starts with errno 0 and h_errno HOST_NOT_FOUND ("True if we never query").
  const state: { herrno: HErrno; errno: Errno } = { herrno: 'HOST_NOT_FOUND', errno: 'none' };

  let blocks = false;
  const finish = (outcome: ClientOutcome, answeringName: string | null): ModelRun => {
    lastStepFinal(walk);
    return {
      done: true,
      outcome: blocks ? { ...outcome, blocks: true } : outcome,
      walk,
      answeringName,
    };
  };
  const attempt = (fqdn: string): StepResult => {
    const r = queryStep(fqdn, qtypes, table);
    if (r.kind === 'need') return r;
    // send_vc reads the TCP answer without a timeout (and connects without one of its own): a server
    // that accepts and never answers, or a SYN that is dropped, holds getaddrinfo until the kernel or
    // the server gives up (measured: test/truth, lab tcp-hang, blocked for minutes).
    if (
      r.kind === 'failure' &&
      r.errno === 'ETIMEDOUT' &&
      qtypes.some((q) => tcpTimedOut(table(fqdn, q, 'tcp')))
    ) {
      blocks = true;
    }
    walk.push({ fqdn, results: r.results, next: true });
    if (r.kind === 'failure') {
      state.herrno = r.herrno;
      if (r.errno !== null) state.errno = r.errno;
    } else {
      state.errno = 'none';
    }
    return r;
  };
  const fail = () =>
    finish({ addresses: 0, error: failureError(question.family, state.herrno, state.errno) }, null);
  const succeed = (r: Extract<StepResult, { kind: 'success' }>, fqdn: string) =>
    finish(successOutcome(question.family, r.replies, state.herrno), fqdn);

  let savedHerrno: HErrno | null = null;
  if (plan.asIsFirst) {
    const r = attempt(plan.asIs);
    if (r.kind === 'need') return { done: false, need: r.need };
    if (r.kind === 'success') return succeed(r, plan.asIs);
    // A trailing dot returns the as-is result, whatever it is.
    if (plan.asIsOnly) return fail();
    savedHerrno = state.herrno;
  }

  let gotNodata = false;
  let gotServfail = false;
  let rootOnList = false;
  for (const entry of plan.searchNames) {
    if (entry.root) rootOnList = true;
    const r = attempt(entry.fqdn);
    if (r.kind === 'need') return { done: false, need: r.need };
    if (r.kind === 'success') return succeed(r, entry.fqdn);
    // "If no server present, give up."
    if (state.errno === 'ECONNREFUSED') {
      state.herrno = 'TRY_AGAIN';
      return fail();
    }
    // NXDOMAIN and NODATA keep searching (NODATA is remembered); TRY_AGAIN keeps searching only
    // when the answer header says SERVFAIL; anything else stops the search list, and the name
    // as is is still tried below "in case it's fully-qualified".
    if (state.herrno === 'NO_DATA') gotNodata = true;
    else if (state.herrno === 'TRY_AGAIN' && r.headerRcode === 'SERVFAIL') gotServfail = true;
    else if (state.herrno !== 'HOST_NOT_FOUND') break;
  }

  if (!(plan.asIsFirst || rootOnList)) {
    const r = attempt(plan.asIs);
    if (r.kind === 'need') return { done: false, need: r.need };
    if (r.kind === 'success') return succeed(r, plan.asIs);
  }

  // "if we did an initial full query, return that query's H_ERRNO ... else if we ever got a
  // nodata, send that back as the reason" (then SERVFAIL as TRY_AGAIN, else the last h_errno).
  if (savedHerrno !== null) state.herrno = savedHerrno;
  else if (gotNodata) state.herrno = 'NO_DATA';
  else if (gotServfail) state.herrno = 'TRY_AGAIN';
  return fail();
};
