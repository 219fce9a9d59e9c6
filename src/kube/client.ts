/**
 * The seam to the Kubernetes API: what the rest of dns-headroom asks of it (informers for a
 * resource, namespace and selectors) and how a connection is made. The implementation
 * (client-node.ts) loads `@kubernetes/client-node`, which takes about a second to import, so it
 * is imported only when a feature needs the API: `dns-headroom probe` never pays for it.
 */
import type { InformerSource } from './watch.ts';

/** The resources dns-headroom reads. */
export type WatchedResource = 'configmaps' | 'services' | 'endpointslices';

/** What one informer lists and watches. */
export interface WatchSpec {
  readonly resource: WatchedResource;
  /** null: every namespace (needs a ClusterRole). */
  readonly namespace: string | null;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A connection to an API server. */
export interface KubeClient {
  /** The API server URL (for logs and /status). */
  readonly server: string;
  /** An informer source for `spec`; nothing is requested until the informer starts. */
  informerSource<T>(spec: WatchSpec): InformerSource<T>;
}

/** Where the connection settings come from. */
export interface KubeConnectOptions {
  /** `--kubeconfig FILE`; null: the `KUBECONFIG` environment variable, else the in-cluster service account. */
  readonly kubeconfigPath: string | null;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A client, or why there is none (no kubeconfig, not in a pod, unreadable file). */
export type KubeConnectResult = { ok: true; client: KubeClient } | { ok: false; reason: string };

/** Connects with `@kubernetes/client-node` (imported on first use). Never throws. */
export async function connectKube(options: KubeConnectOptions): Promise<KubeConnectResult> {
  try {
    const { connectClientNode } = await import('./client-node.ts');
    return connectClientNode(options);
  } catch (err) {
    return { ok: false, reason: `cannot load @kubernetes/client-node: ${(err as Error).message}` };
  }
}
