/**
 * The truth case table (issue 3): each case is zone data plus the name as a pod would write it
 * under each resolv.conf variant it applies to. Sizes quoted in titles follow
 * `12 + (qname wire length + 4) + 16 per A, 28 per AAAA` (+ each compressed CNAME); the truth
 * tests check every one against `dig +tcp +noedns` on Knot and BIND.
 */
import type { Family } from '../../src/probe/types.ts';
import type { ResolvVariant } from './helpers/resolv.ts';
import { addressRecords, cnameChain, type ZoneRecord } from './helpers/zones.ts';

/** One row group of the matrix: a name under one or both resolv.conf variants, for some families. */
export interface MatrixCase {
  /** Stable kebab-case id (used in reports and results). */
  readonly id: string;
  /** What the case shows, in one line. */
  readonly title: string;
  /** The name as the pod writes it, per resolv.conf variant the case runs under. */
  readonly names: Readonly<Partial<Record<ResolvVariant, string>>>;
  readonly families: readonly Family[];
}

/** A case served by Knot and BIND from generated zones. */
export interface TruthCase extends MatrixCase {
  /** The records this case adds to the zones. */
  readonly records: readonly ZoneRecord[];
  /** For sanity checks: the number of addresses a fitting answer must give every library, per family. */
  readonly fits?: Readonly<Partial<Record<Family, number>>>;
}

/** Every getaddrinfo family hint. */
export const ALL_FAMILIES: readonly Family[] = Object.freeze(['inet', 'inet6', 'unspec'] as const);

const T = 'truth.test';
const DEFAULT_SVC = 'default.svc.cluster.local';
const SVC = 'svc.cluster.local';

/** The same name under both resolv.conf variants. */
const both = (name: string) => ({ plain: name, kubernetes: name });

/**
 * Four CNAMEs whose long targets fill 502 bytes, so not even one A record (16 bytes) fits after
 * them. Four, not more: Knot 3.2 was seen to stop following a chain after 5 CNAMEs (case cname-deep).
 */
const LONG_CHAIN = [
  ...['a', 'b', 'c'].map((c) => `${c.repeat(63)}.${c.repeat(63)}.${T}`),
  `${'d'.repeat(27)}.${T}`,
];

/** Seven short CNAMEs: longer than the chain Knot follows, far below 512 bytes. */
const DEEP_CHAIN = Array.from({ length: 7 }, (_, i) => `d${i + 1}.${T}`);

/** The case table. */
export const CASES: readonly TruthCase[] = Object.freeze([
  {
    id: 'fit',
    title: '4 A (96 B) and 2 AAAA (88 B): fit; under the Kubernetes search list it exists only as written',
    names: both(`fit.${T}`),
    families: ALL_FAMILIES,
    records: [...addressRecords(`fit.${T}`, 'A', 4), ...addressRecords(`fit.${T}`, 'AAAA', 2)],
    fits: { inet: 4, inet6: 2, unspec: 6 },
  },
  {
    id: 'a-only',
    title: '3 A and no AAAA: AF_INET6 gets NOERROR without data',
    names: both(`v4only.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`v4only.${T}`, 'A', 3),
    fits: { inet: 3, unspec: 3 },
  },
  {
    id: 'exact-512',
    title: '30 A make exactly 512 B: sent whole, no TC',
    names: both(`a30.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`a30.${T}`, 'A', 30),
    fits: { inet: 30, unspec: 30 },
  },
  {
    id: 'over-513',
    title: '30 A under a name one letter longer make 513 B: truncated',
    names: both(`a30x.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`a30x.${T}`, 'A', 30),
  },
  {
    id: 'aaaa-exact-512',
    title: '17 AAAA make exactly 512 B: sent whole',
    names: both(`six-512.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`six-512.${T}`, 'AAAA', 17),
    fits: { inet6: 17, unspec: 17 },
  },
  {
    id: 'aaaa-over-513',
    title: '17 AAAA under a name one letter longer make 513 B: truncated',
    names: both(`six-0513.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`six-0513.${T}`, 'AAAA', 17),
  },
  {
    id: 'a-overflow',
    title: '40 A make 672 B: truncated (Knot: empty, BIND: partial)',
    names: both(`a40.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`a40.${T}`, 'A', 40),
  },
  {
    id: 'aaaa-overflow',
    title: '20 AAAA make 594 B: truncated',
    names: both(`six20.${T}`),
    families: ALL_FAMILIES,
    records: addressRecords(`six20.${T}`, 'AAAA', 20),
  },
  {
    id: 'a-fits-aaaa-not',
    title: '4 A fit (98 B) while 20 AAAA (594 B) do not',
    names: both(`split.${T}`),
    families: ALL_FAMILIES,
    records: [...addressRecords(`split.${T}`, 'A', 4), ...addressRecords(`split.${T}`, 'AAAA', 20)],
    fits: { inet: 4 },
  },
  {
    id: 'cname-partial',
    title: 'two CNAMEs to 40 A (711 B): a partial truncation keeps the chain and some addresses',
    names: both(`chain.${T}`),
    families: ALL_FAMILIES,
    records: [...cnameChain(`chain.${T}`, [`hop1.${T}`, `tgt.${T}`]), ...addressRecords(`tgt.${T}`, 'A', 40)],
  },
  {
    id: 'cname-empty',
    title: 'four long CNAMEs (502 B) to 3 A and 2 AAAA: a partial truncation keeps the chain and no address',
    names: both(`long.${T}`),
    families: ALL_FAMILIES,
    records: [
      ...cnameChain(`long.${T}`, LONG_CHAIN),
      ...addressRecords(LONG_CHAIN[LONG_CHAIN.length - 1] as string, 'A', 3),
      ...addressRecords(LONG_CHAIN[LONG_CHAIN.length - 1] as string, 'AAAA', 2),
    ],
  },
  {
    id: 'cname-deep',
    title: 'seven short CNAMEs to 2 A (184 B): fits, but longer than the chain some servers follow',
    names: both(`deep.${T}`),
    families: ALL_FAMILIES,
    records: [
      ...cnameChain(`deep.${T}`, DEEP_CHAIN),
      ...addressRecords(DEEP_CHAIN[DEEP_CHAIN.length - 1] as string, 'A', 2),
    ],
  },
  {
    id: 'cname-no-data',
    title: 'a CNAME to an A-only name: AF_INET6 gets a chain that ends without an address',
    names: both(`alias.${T}`),
    families: ALL_FAMILIES,
    records: cnameChain(`alias.${T}`, [`v4only.${T}`]),
    fits: { inet: 3, unspec: 3 },
  },
  {
    id: 'headless-29',
    title: 'headless Service with 29 ready pods: 511 B, fits',
    names: { plain: `h29.${DEFAULT_SVC}`, kubernetes: 'h29' },
    families: ALL_FAMILIES,
    records: addressRecords(`h29.${DEFAULT_SVC}`, 'A', 29),
    fits: { inet: 29, unspec: 29 },
  },
  {
    id: 'headless-30',
    title: 'headless Service with 30 ready pods: 527 B, truncated',
    names: { plain: `h30.${DEFAULT_SVC}`, kubernetes: 'h30' },
    families: ALL_FAMILIES,
    records: addressRecords(`h30.${DEFAULT_SVC}`, 'A', 30),
  },
  {
    id: 'headless-30-dotted',
    title:
      'the same Service written as h30.default.svc.cluster.local: 4 dots < ndots 5, so the search list comes first',
    names: { kubernetes: `h30.${DEFAULT_SVC}` },
    families: ALL_FAMILIES,
    records: [],
  },
  {
    id: 'two-suffixes',
    title: 'dup exists under default.svc (2 A) and svc (3 A, 2 AAAA): the first suffix wins',
    names: both('dup'),
    families: ALL_FAMILIES,
    records: [
      ...addressRecords(`dup.${DEFAULT_SVC}`, 'A', 2),
      ...addressRecords(`dup.${SVC}`, 'A', 3),
      ...addressRecords(`dup.${SVC}`, 'AAAA', 2),
    ],
  },
  {
    id: 'two-suffixes-split-family',
    title: 'dup6 has only A under default.svc and only AAAA under svc: does NODATA end the walk?',
    names: { kubernetes: 'dup6' },
    families: ALL_FAMILIES,
    records: [...addressRecords(`dup6.${DEFAULT_SVC}`, 'A', 2), ...addressRecords(`dup6.${SVC}`, 'AAAA', 2)],
  },
  {
    id: 'nxdomain',
    title: 'a name that exists nowhere: NXDOMAIN under every candidate',
    names: both(`missing.${T}`),
    families: ALL_FAMILIES,
    records: [],
  },
] satisfies TruthCase[]);

/** Every record of every case: the zone data Knot and BIND serve. */
export function caseRecords(cases: readonly TruthCase[] = CASES): ZoneRecord[] {
  return cases.flatMap((c) => c.records);
}
