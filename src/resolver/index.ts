/**
 * The resolver module: resolv.conf as musl reads it, and the order in which musl and glibc try
 * the names a short name may stand for. Pure functions; the path to resolv.conf is the caller's.
 */
export { inet6Pton, inetAton, parseIpLiteral } from './ip-literal.ts';
export { checkName, MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './name.ts';
export { isEncodableQueryName, MAX_LABEL_BYTES, MAX_QUERY_NAME_BYTES, queryKeyName } from './query-name.ts';
export { DEFAULT_RESOLV_CONF, parseResolvConf, type ResolvConf } from './resolv-conf.ts';
export {
  type GlibcSearchName,
  type GlibcSearchPlan,
  glibcCandidates,
  glibcSearchPlan,
  muslCandidates,
  type SearchRules,
} from './search.ts';
