/**
 * Zone data for the real servers, generated from the case table. Three zones:
 * - `truth.test`: names outside the cluster (a pod's `api.example.com`);
 * - `cluster.local`: `default.svc.cluster.local` and `svc.cluster.local` names (headless Services);
 * - the root zone `.`: holds nothing but makes the server authoritative for every other name, so
 *   a bare `dup.` or a search candidate outside the two zones gets a fast NXDOMAIN. Without it the
 *   server would answer REFUSED, which musl ignores (res_msend.c only accepts rcodes 0, 2 and 3)
 *   and the client would wait for its timeout.
 * Addresses come from the documentation ranges only (RFC 5737, RFC 3849).
 */

/** Record types the cases use. */
export type RecordType = 'A' | 'AAAA' | 'CNAME';

/** One record: absolute owner without trailing dot, lower-case. */
export interface ZoneRecord {
  readonly owner: string;
  readonly type: RecordType;
  /** Address, or the CNAME target (absolute, without trailing dot). */
  readonly data: string;
}

/** Zones served, most specific first; '' is the root. */
export const ZONE_ORIGINS: readonly string[] = Object.freeze(['truth.test', 'cluster.local', '']);

/** TTL of every record (irrelevant to sizes; short like cluster DNS). */
export const TTL = 30;

/** The zone an owner belongs to. */
export function zoneOf(owner: string): string {
  return ZONE_ORIGINS.find((zone) => zone === '' || owner === zone || owner.endsWith(`.${zone}`)) ?? '';
}

const IPV4_POOLS = ['198.51.100', '203.0.113'] as const;

/** The i-th IPv4 address (0-based) of a case, from two documentation /24s (RFC 5737). */
export function ipv4(i: number): string {
  const pool = IPV4_POOLS[Math.floor(i / 254)];
  if (pool === undefined || i < 0) throw new RangeError(`no documentation IPv4 address #${i}`);
  return `${pool}.${(i % 254) + 1}`;
}

/** The i-th IPv6 address (0-based) in 2001:db8::/32 (RFC 3849). */
export function ipv6(i: number): string {
  return `2001:db8::${(i + 1).toString(16)}`;
}

/** `count` address records of `type` owned by `owner`. */
export function addressRecords(owner: string, type: 'A' | 'AAAA', count: number): ZoneRecord[] {
  return Array.from({ length: count }, (_, i) => ({ owner, type, data: type === 'A' ? ipv4(i) : ipv6(i) }));
}

/** A CNAME chain: `owner` → targets[0] → targets[1] ... */
export function cnameChain(owner: string, targets: readonly string[]): ZoneRecord[] {
  return targets.map((target, i) => ({
    owner: i === 0 ? owner : (targets[i - 1] as string),
    type: 'CNAME',
    data: target,
  }));
}

const abs = (name: string): string => (name === '' ? '.' : `${name}.`);

/** The zone apex records every zone needs: SOA, NS, and the name server's address (a documentation address). */
function apexRecords(zone: string): string[] {
  const ns = zone === '' ? 'ns' : `ns.${zone}`;
  return [
    `${abs(zone)} ${TTL} IN SOA ${abs(ns)} ${abs(zone === '' ? 'hostmaster' : `hostmaster.${zone}`)} 1 3600 600 86400 ${TTL}`,
    `${abs(zone)} ${TTL} IN NS ${abs(ns)}`,
    `${abs(ns)} ${TTL} IN A 192.0.2.53`,
  ];
}

/** Zone file text per origin ('' = root), in RFC 1035 master file format with absolute names. */
export function renderZoneFiles(records: readonly ZoneRecord[]): Map<string, string> {
  const files = new Map<string, string[]>(ZONE_ORIGINS.map((zone) => [zone, apexRecords(zone)]));
  const seen = new Set<string>();
  for (const r of records) {
    const key = `${r.owner} ${r.type} ${r.data}`;
    if (seen.has(key)) throw new Error(`duplicate record in the case table: ${key}`);
    seen.add(key);
    const data = r.type === 'CNAME' ? abs(r.data) : r.data;
    files.get(zoneOf(r.owner))?.push(`${abs(r.owner)} ${TTL} IN ${r.type} ${data}`);
  }
  return new Map([...files].map(([zone, lines]) => [zone, `$TTL ${TTL}\n${lines.join('\n')}\n`]));
}

/** File name of a zone's master file. */
export function zoneFileName(zone: string): string {
  return zone === '' ? 'root.zone' : `${zone}.zone`;
}

/** What the zone data says about one name and type, computed without any server. */
export type StaticAnswer =
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'answer'; readonly chain: readonly string[]; readonly addresses: number };

/**
 * Follows CNAMEs from `fqdn` through `records` and counts the final owner's `qtype` records.
 * A name exists if it owns a record or has a descendant that does (an empty non-terminal, RFC 8020).
 */
export function staticAnswer(
  records: readonly ZoneRecord[],
  fqdn: string,
  qtype: 'A' | 'AAAA',
): StaticAnswer {
  const name = fqdn.toLowerCase().replace(/\.$/, '');
  const owners = new Set<string>(records.map((r) => r.owner));
  for (const zone of ZONE_ORIGINS) {
    owners.add(zone);
    owners.add(zone === '' ? 'ns' : `ns.${zone}`);
  }
  const exists = (n: string) => n === '' || [...owners].some((o) => o === n || o.endsWith(`.${n}`));
  if (!exists(name)) return { kind: 'nxdomain' };
  const chain: string[] = [];
  let current = name;
  for (;;) {
    const cname = records.find((r) => r.owner === current && r.type === 'CNAME');
    if (!cname) break;
    if (chain.includes(cname.data) || chain.length > 16) throw new Error(`CNAME loop at ${fqdn}`);
    chain.push(cname.data);
    current = cname.data;
  }
  return {
    kind: 'answer',
    chain,
    addresses: records.filter((r) => r.owner === current && r.type === qtype).length,
  };
}
