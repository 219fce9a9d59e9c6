/**
 * The order in which each C library tries the names a short name may stand for. Only the order
 * lives here; when a library moves on to the next name is a per-library rule and lives in the
 * client models (src/clients): musl moves on only on NXDOMAIN, glibc also on NODATA and SERVFAIL.
 */
import { queryKeyName, utf8Length } from './query-name.ts';

/** The resolv.conf settings that shape a search walk. */
export interface SearchRules {
  readonly search: readonly string[];
  readonly ndots: number;
}

const byteLength = utf8Length;

/**
 * Each client model recomputes its walk from the question on every round of a probe (ADR 1), so
 * the same candidates are asked for about ten times per probe. They depend only on the name and
 * the rules object, which lives for one probe: memoised per rules object, and gone with it.
 */
function memoised<T>(
  cache: WeakMap<SearchRules, Map<string, T>>,
  name: string,
  conf: SearchRules,
  compute: () => T,
): T {
  let byName = cache.get(conf);
  if (byName === undefined) {
    byName = new Map();
    cache.set(conf, byName);
  }
  let value = byName.get(name);
  if (value === undefined) {
    value = compute();
    byName.set(name, value);
  }
  return value;
}

const muslCache = new WeakMap<SearchRules, Map<string, readonly string[]>>();

/** Dots in a name; indexOf rather than a string iterator, which allocates per character. */
function countDots(s: string): number {
  let n = 0;
  for (let i = s.indexOf('.'); i !== -1; i = s.indexOf('.', i + 1)) n++;
  return n;
}

/**
 * musl's search order, from src/network/lookup_name.c name_from_dns_search (musl >= 1.1.13):
 * a name with a trailing dot or with at least `ndots` dots is tried as is and nothing else;
 * otherwise each search domain is appended in order and the bare name comes last. Names musl
 * rejects before querying give an empty list (__lookup_name: empty or 255+ bytes;
 * name_from_dns_search: nothing but dots, or two trailing dots), and a search domain is skipped
 * when name + '.' + domain would not fit musl's 256-byte canon buffer
 * (`z-p < 256 - l - 1`). Returns table keys: lower-case, one trailing dot removed. A candidate
 * musl iterates but cannot encode (over 253 bytes, a "." search domain) is kept: what musl
 * does with it differs by version (see isEncodableQueryName and the client models).
 */
export function muslCandidates(name: string, conf: SearchRules): readonly string[] {
  return memoised(muslCache, name, conf, () => computeMuslCandidates(name, conf));
}

function computeMuslCandidates(name: string, conf: SearchRules): string[] {
  const total = byteLength(name);
  // __lookup_name: `if ((l = strnlen(name, 255))-1 >= 254) return EAI_NONAME;`
  if (total === 0 || total > 254) return [];
  const absolute = name.endsWith('.');
  const useSearch = !(countDots(name) >= conf.ndots || absolute);
  const base = absolute ? name.slice(0, -1) : name;
  // "Strip final dot for canon, fail if multiple trailing dots."
  if (base === '' || base.endsWith('.')) return [];
  const l = byteLength(base);
  const out: string[] = [];
  if (useSearch) {
    for (const domain of conf.search) {
      if (domain === '') continue;
      if (byteLength(domain) < 256 - l - 1) out.push(`${base}.${domain}`);
    }
  }
  out.push(base);
  return out.map(queryKeyName);
}

/** One search-list entry as glibc forms it. */
export interface GlibcSearchName {
  /** Table key of name + '.' + domain. */
  readonly fqdn: string;
  /** The domain was the root ("" or "."), so this is the name as is. */
  readonly root: boolean;
}

/** glibc's search walk before any answer is known (resolv/res_query.c __res_context_search). */
export interface GlibcSearchPlan {
  /** Table key of the name as typed. */
  readonly asIs: string;
  /** Query the name as is first: it has at least `ndots` dots, or a trailing dot. */
  readonly asIsFirst: boolean;
  /** Trailing dot: the as-is answer is final whatever it says. */
  readonly asIsOnly: boolean;
  /** The search list, in order (RES_DNSRCH and RES_DEFNAMES are on by default). */
  readonly searchNames: readonly GlibcSearchName[];
}

/**
 * glibc's plan, from resolv/res_query.c __res_context_search (glibc 2.36, Debian 12): `dots >=
 * ndots || trailing_dot` queries the name as is first, and a trailing dot stops there; then,
 * unless there is a trailing dot, every search domain (one leading '.' stripped; an empty domain
 * means the root); then the name as is, unless it was tried first or the root was on the list.
 */
export function glibcSearchPlan(name: string, conf: SearchRules): GlibcSearchPlan {
  return memoised(glibcCache, name, conf, () => computeGlibcSearchPlan(name, conf));
}

const glibcCache = new WeakMap<SearchRules, Map<string, GlibcSearchPlan>>();

function computeGlibcSearchPlan(name: string, conf: SearchRules): GlibcSearchPlan {
  const dots = countDots(name);
  const trailingDot = name.endsWith('.');
  const asIsFirst = dots >= conf.ndots || trailingDot;
  const searchNames: GlibcSearchName[] = [];
  // `(!dots && RES_DEFNAMES) || (dots && !trailing_dot && RES_DNSRCH)`: a name without dots has
  // no trailing dot, so both cases reduce to "no trailing dot".
  if (!trailingDot) {
    for (const entry of conf.search) {
      const domain = entry.startsWith('.') ? entry.slice(1) : entry;
      searchNames.push({ fqdn: queryKeyName(`${name}.${domain}`), root: domain === '' });
    }
  }
  return { asIs: queryKeyName(name), asIsFirst, asIsOnly: trailingDot, searchNames };
}

/**
 * glibc's order when every name fails in a way that keeps the search going (NXDOMAIN, NODATA,
 * SERVFAIL): the as-is name first when it has `ndots` dots (alone when it ends in a dot), then
 * the search list, then the as-is name last when it was not tried first and the root was not on
 * the list. Table keys, lower-case, without trailing dot.
 */
export function glibcCandidates(name: string, conf: SearchRules): string[] {
  const plan = glibcSearchPlan(name, conf);
  if (plan.asIsOnly) return [plan.asIs];
  const out = plan.asIsFirst ? [plan.asIs] : [];
  out.push(...plan.searchNames.map((s) => s.fqdn));
  const rootOnList = plan.searchNames.some((s) => s.root);
  if (!(plan.asIsFirst || rootOnList)) out.push(plan.asIs);
  return out;
}
