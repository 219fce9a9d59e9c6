/**
 * The client models: what getaddrinfo returns in each modelled C library, predicted from the
 * exchanges the probe measured. Every model is a pure, demand-driven function (types.ts): it
 * walks the search list, asks for the exchanges it needs next (`need`), and once it has them
 * answers with an outcome, the walk and the answering name.
 *
 * musl (all versions; src/network/lookup_name.c name_from_dns_search / name_from_dns,
 * res_msend.c __res_msend_rc, dns_parse.c __dns_parse, lookup.h):
 *  - Candidates: trailing dot or dots >= ndots -> the name only; else each search domain, then
 *    the bare name (resolver/search.ts muslCandidates).
 *  - Each candidate sends A and AAAA (AF_UNSPEC) in parallel, UDP, never EDNS0.
 *  - __res_msend_rc accepts only NOERROR and NXDOMAIN replies; SERVFAIL, REFUSED, ... and
 *    silence all leave "no reply". name_from_dns then checks A before AAAA: no reply or
 *    SERVFAIL -> EAI_AGAIN; NXDOMAIN -> next candidate (even if the other family said
 *    NOERROR); other rcode -> EAI_FAIL (unreachable through res_msend's filter). Otherwise the
 *    walk ends here: addresses of both families summed, capped at MAXADDRS = 48, or the
 *    version's no-data error.
 *  - The parser reads at most the answer buffer, keeps the records that end inside it, and
 *    (where the version has it) parses nothing when qdcount + ancount > 64.
 *  - All NXDOMAIN -> EAI_NONAME, answering name null; otherwise the answering name is the
 *    candidate where the walk stopped.
 * Per version (musl-1-2-3.ts, musl-1-2-4.ts, musl-1-2-5.ts):
 *  - 1.2.3: 512-byte buffer; TC ignored (a truncated reply is final: its addresses, or
 *    EAI_NONAME when it holds none); no EAI_NODATA (NOERROR without addresses -> EAI_NONAME);
 *    64-record limit; an unencodable candidate ends the walk with EAI_NONAME.
 *  - 1.2.4: TC -> TCP to the same server (51d4669f); TCP connect/read failure or a non-0/3 TCP
 *    rcode -> EAI_AGAIN; 768-byte buffer for UDP and TCP (986-byte answer, 60 A -> 46);
 *    EAI_NODATA (85050ac5); 64-record limit (dns_parse.c 83b858f8); unencodable -> skipped.
 *  - 1.2.5: as 1.2.4 with a 4800-byte buffer (ABUF_SIZE) and no 64-record limit, so 48.
 *
 * glibc 2.36 (Debian 12; glibc.ts; resolv/res_query.c, res_send.c, nss_dns/dns-host.c,
 * sysdeps/posix/getaddrinfo.c):
 *  - Candidates: dots >= ndots or trailing dot -> as is first (alone with a trailing dot), then
 *    the search list, then as is if not tried (resolver/search.ts glibcCandidates).
 *  - UDP without EDNS0; SERVFAIL/NOTIMP/REFUSED are no answer; TC -> both queries of the step
 *    again over TCP; the full answer is parsed (no address cap).
 *  - A step succeeds when either answer is NOERROR with ancount > 0 (even CNAME-only): the
 *    search ends there. NXDOMAIN and NODATA (remembered) continue; SERVFAIL continues
 *    (remembered); ECONNREFUSED (ICMP, or TCP refused) aborts with TRY_AGAIN; anything else
 *    (timeout, REFUSED, TCP closed) stops the list but still tries the name as is.
 *  - Errors: TRY_AGAIN -> EAI_AGAIN, NO_DATA -> EAI_NODATA, HOST_NOT_FOUND -> EAI_NONAME;
 *    an answer with records but no usable address -> EAI_NODATA for AF_INET, EAI_NONAME for
 *    AF_INET6 and AF_UNSPEC (measured in test/truth; CNAME-only answers included). AF_INET goes
 *    through gethostbyname2_r, where TRY_AGAIN becomes EAI_AGAIN only if the last send failed
 *    with a timeout or refusal.
 *  - A reply cut short without TC fails the parser as a whole: no address from it (musl keeps
 *    the records before the cut).
 *  - send_vc has no read timeout: a TCP server that accepts and never answers blocks
 *    getaddrinfo (`blocks: true` in the outcome) until the connection closes.
 *
 * Where the sources could not be pinned to a release tag, the version files say so; the truth
 * tests (test/truth) check these predictions against the real libraries.
 */
import { glibc } from './glibc.ts';
import { musl123 } from './musl-1-2-3.ts';
import { musl124 } from './musl-1-2-4.ts';
import { musl125 } from './musl-1-2-5.ts';
import type { ClientModel, ClientName } from './types.ts';

/** Every modelled client's getaddrinfo model, keyed as in the JSON and metrics contract. */
export const clientModels: Readonly<Record<ClientName, ClientModel>> = Object.freeze({
  'musl-1.2.3': musl123,
  'musl-1.2.4': musl124,
  'musl-1.2.5': musl125,
  glibc,
});

export { addressesWithin, exchangeKey, isServerFailure, shownResult } from './exchanges.ts';
export { glibc } from './glibc.ts';
export { MUSL_1_2_3_RULES, musl123 } from './musl-1-2-3.ts';
export { MUSL_1_2_4_RULES, musl124 } from './musl-1-2-4.ts';
export { MUSL_1_2_5_RULES, musl125 } from './musl-1-2-5.ts';
export { type MuslRules, muslModel } from './musl-core.ts';
export * from './types.ts';
