/**
 * Ready endpoints from EndpointSlices, and the cluster DNS servers to probe one by one; pure.
 *
 * "Ready" as CoreDNS reads it (coredns plugin/kubernetes/object/endpoint.go
 * `EndpointSliceToEndpoints`): an endpoint whose `conditions.ready` is true or unset (the API
 * says nil means ready; with `publishNotReadyAddresses` the controller marks every endpoint
 * ready). A Service's addresses are spread over several slices and, during a rollout, one address
 * may sit in two: they are counted once, because CoreDNS answers a headless name with one record
 * per distinct address.
 */
import net from 'node:net';
import { formatServerAddress } from '../probe/server-address.ts';
import type { ServerAddress } from '../probe/types.ts';
import type { EndpointSliceObject, ServiceObject } from './objects.ts';

/** Distinct ready addresses per family, sorted. */
export interface ReadyAddresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/** DNS port when a slice or Service names none. */
export const DNS_PORT = 53;

function isReady(conditions: { readonly ready?: boolean | null } | undefined): boolean {
  return conditions?.ready !== false;
}

/** Distinct ready IPv4 and IPv6 addresses over `slices` (FQDN slices are ignored). */
export function readyAddresses(slices: readonly EndpointSliceObject[]): ReadyAddresses {
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      if (!isReady(endpoint.conditions)) continue;
      for (const address of endpoint.addresses ?? []) {
        if (slice.addressType === 'IPv4' && net.isIPv4(address)) ipv4.add(address);
        else if (slice.addressType === 'IPv6' && net.isIPv6(address)) ipv6.add(address.toLowerCase());
      }
    }
  }
  return { ipv4: [...ipv4].sort(byAddress), ipv6: [...ipv6].sort(byAddress) };
}

/** Numeric order for IPv4 (192.0.2.9 before 192.0.2.10), text order otherwise. */
function byAddress(a: string, b: string): number {
  if (net.isIPv4(a) && net.isIPv4(b)) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The DNS port among `ports`: the UDP port named `dns` (as the kube-dns Service and CoreDNS's
 * manifests name it), else the first UDP port, else 53. A port without protocol is TCP (core/v1).
 */
export function dnsPortOf(
  ports:
    | readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[]
    | null
    | undefined,
): number {
  const udp = (ports ?? []).filter((p) => p.protocol === 'UDP' && typeof p.port === 'number');
  const chosen = udp.find((p) => p.name === 'dns') ?? udp[0];
  return chosen?.port ?? DNS_PORT;
}

/** The cluster DNS servers found: the Service's cluster IPs and each ready endpoint (bounded). */
export interface DnsServers {
  readonly serviceIps: readonly ServerAddress[];
  readonly endpoints: readonly ServerAddress[];
  /** Ready endpoints beyond `maxEndpoints`, not probed. */
  readonly omitted: number;
}

/**
 * The servers to probe for the cluster DNS Service: its cluster IPs (every family of a dual-stack
 * Service) and its ready endpoints, at most `maxEndpoints` of them, lowest addresses first so every
 * node of the DaemonSet picks the same ones.
 */
export function dnsServers(
  service: ServiceObject | undefined,
  slices: readonly EndpointSliceObject[],
  maxEndpoints: number,
): DnsServers {
  const serviceIps: ServerAddress[] = [];
  if (service?.spec) {
    const port = dnsPortOf(service.spec.ports);
    const ips = service.spec.clusterIPs?.length ? service.spec.clusterIPs : [service.spec.clusterIP ?? ''];
    for (const ip of ips) if (net.isIP(ip) !== 0) serviceIps.push({ host: ip.toLowerCase(), port });
  }
  const byKey = new Map<string, ServerAddress>();
  for (const slice of slices) {
    const port = dnsPortOf(slice.ports);
    const ready = readyAddresses([slice]);
    for (const host of [...ready.ipv4, ...ready.ipv6]) {
      const server = { host, port };
      byKey.set(formatServerAddress(server), server);
    }
  }
  const all = [...byKey.values()].sort((a, b) => byAddress(a.host, b.host) || a.port - b.port);
  return {
    serviceIps,
    endpoints: all.slice(0, maxEndpoints),
    omitted: Math.max(0, all.length - maxEndpoints),
  };
}
