/**
 * The two resolv.conf files every case runs under, and the musl search walk they imply. Both
 * point at the server inside the namespace (127.0.0.1:53); the search list and ndots are those
 * kubelet writes into a pod in namespace `default` (PRODUCT.md section 1).
 */

/** Which resolv.conf a lookup runs under. */
export type ResolvVariant = 'plain' | 'kubernetes';

/** Every variant, in report order. */
export const RESOLV_VARIANTS: readonly ResolvVariant[] = Object.freeze(['plain', 'kubernetes'] as const);

/** The Kubernetes search list for a pod in namespace `default`. */
export const KUBERNETES_SEARCH: readonly string[] = Object.freeze([
  'default.svc.cluster.local',
  'svc.cluster.local',
  'cluster.local',
]);

/** ndots of a Kubernetes pod (kubelet default). */
export const KUBERNETES_NDOTS = 5;

/** resolv.conf text per variant. No timeout/attempts options: the libraries' defaults apply. */
export const RESOLV_CONF_TEXT: Readonly<Record<ResolvVariant, string>> = Object.freeze({
  plain: 'nameserver 127.0.0.1\n',
  kubernetes: `nameserver 127.0.0.1\nsearch ${KUBERNETES_SEARCH.join(' ')}\noptions ndots:${KUBERNETES_NDOTS}\n`,
});

/**
 * The absolute names musl tries, in order (musl src/network/lookup_name.c name_from_dns_search):
 * a trailing dot or `dots >= ndots` means the name only; otherwise each search suffix, then the
 * name itself. musl moves on only after NXDOMAIN.
 */
export function muslCandidates(name: string, variant: ResolvVariant): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const search = variant === 'kubernetes' ? KUBERNETES_SEARCH : [];
  const ndots = variant === 'kubernetes' ? KUBERNETES_NDOTS : 1;
  if (dots >= ndots) return [name];
  return [...search.map((suffix) => `${name}.${suffix}`), name];
}
