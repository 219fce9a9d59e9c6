/**
 * The test Kubernetes API server, a kubeconfig that points client-node at it, and builders for the
 * objects dns-headroom reads.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiObject } from './server.ts';

export {
  type ApiObject,
  KubeApiServer,
  type KubeApiServerOptions,
  type RecordedRequest,
  type Resource,
} from './server.ts';

/**
 * Writes a real kubeconfig for `url` into `dir` and returns its path. client-node refuses plain
 * HTTP unless TLS verification is off (config.ts: "HTTP protocol is not allowed when skipTLSVerify
 * is not set"), so the cluster says `insecure-skip-tls-verify: true`; the token, when given, is
 * sent as a bearer token.
 */
export async function writeKubeconfig(dir: string, url: string, token = 'test-token'): Promise<string> {
  const path = join(dir, 'kubeconfig.yaml');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: test',
      '    cluster:',
      `      server: "${url}"`,
      '      insecure-skip-tls-verify: true',
      'users:',
      '  - name: test',
      '    user:',
      `      token: "${token}"`,
      'contexts:',
      '  - name: test',
      '    context: { cluster: test, user: test, namespace: default }',
      'current-context: test',
      '',
    ].join('\n'),
  );
  return path;
}

/** A ConfigMap with `data`. */
export function configMap(namespace: string, name: string, data: Record<string, string>): ApiObject {
  return { metadata: { name, namespace }, data };
}

/** A Service: headless (`clusterIP: None`), ClusterIP with an address, or ExternalName. */
export function service(
  namespace: string,
  name: string,
  spec:
    | { headless: true; ipFamilies?: string[]; labels?: Record<string, string> }
    | { clusterIP: string; ipFamilies?: string[]; labels?: Record<string, string> }
    | { externalName: string; labels?: Record<string, string> },
): ApiObject {
  const labels = spec.labels ? { labels: spec.labels } : {};
  if ('externalName' in spec) {
    return {
      metadata: { name, namespace, ...labels },
      spec: { type: 'ExternalName', externalName: spec.externalName },
    };
  }
  const ip = 'headless' in spec ? 'None' : spec.clusterIP;
  return {
    metadata: { name, namespace, ...labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: spec.ipFamilies ?? ['IPv4'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  };
}

/**
 * An EndpointSlice of `serviceName` with one endpoint per address; `ready` false for the indexes
 * in `notReady`. Labelled as the EndpointSlice controller labels it (service name, and the headless
 * label when `headless`).
 */
export function endpointSlice(
  namespace: string,
  name: string,
  serviceName: string,
  addresses: readonly string[],
  options: {
    headless?: boolean;
    addressType?: 'IPv4' | 'IPv6';
    notReady?: readonly number[];
    port?: number;
  } = {},
): ApiObject {
  return {
    metadata: {
      name,
      namespace,
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        ...(options.headless ? { 'service.kubernetes.io/headless': '' } : {}),
      },
    },
    addressType: options.addressType ?? 'IPv4',
    endpoints: addresses.map((address, i) => ({
      addresses: [address],
      conditions: { ready: !(options.notReady ?? []).includes(i), serving: true, terminating: false },
    })),
    ports: [{ name: 'dns', port: options.port ?? 53, protocol: 'UDP' }],
  };
}

/** `n` distinct IPv4 documentation addresses (RFC 5737), from 192.0.2.1 on. */
export function podAddresses(n: number, from = 0): string[] {
  const pools = ['192.0.2', '198.51.100', '203.0.113'];
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return `${pools[Math.floor(i / 254)]}.${(i % 254) + 1}`;
  });
}
