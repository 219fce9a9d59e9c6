/**
 * `KubeClient` on top of `@kubernetes/client-node`: a KubeConfig from `--kubeconfig`, `KUBECONFIG`
 * or the pod's service account, and informers built from the client's ListWatch
 * (src/cache.ts) with three additions:
 *  - its reconnect pause (`ListWatchOptions.delayFn`) is the resilient watch's, so it is
 *    injectable and ends at once on stop;
 *  - its Watch asks for bookmarks (`allowWatchBookmarks`, which ListWatch does not send): a quiet
 *    resource then still moves its resource version forward, so a reconnect rarely meets 410;
 *  - the list and watch calls report back (listed, connected), and no request starts once the
 *    watch is stopped (ListWatch would otherwise open one more watch after a pending pause).
 * Imported lazily by client.ts.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { KubeClient, KubeConnectOptions, KubeConnectResult, WatchSpec } from './client.ts';
import type { InformerHooks, InformerLike, InformerSource } from './watch.ts';

/** client-node's Watch, reporting to the hooks and asking for bookmarks. */
class HookedWatch extends Watch {
  readonly #hooks: InformerHooks;

  constructor(config: KubeConfig, hooks: InformerHooks) {
    super(config);
    this.#hooks = hooks;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (!this.#hooks.active()) return new AbortController();
    let finished = false;
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      (phase, obj, raw) => {
        this.#hooks.connected();
        callback(phase, obj, raw);
      },
      (err) => {
        finished = true;
        done(err);
      },
    );
    // Resolved without `done`: the server answered 200 and the stream is open.
    if (!finished) this.#hooks.connected();
    return controller;
  }
}

function pathOf(spec: WatchSpec): string {
  const base = spec.resource === 'endpointslices' ? '/apis/discovery.k8s.io/v1' : '/api/v1';
  return spec.namespace === null
    ? `${base}/${spec.resource}`
    : `${base}/namespaces/${encodeURIComponent(spec.namespace)}/${spec.resource}`;
}

function loadConfig(options: KubeConnectOptions): KubeConfig | string {
  const kc = new KubeConfig();
  const file = options.kubeconfigPath ?? options.env.KUBECONFIG?.split(':').find((p) => p !== '') ?? null;
  try {
    if (file !== null) {
      kc.loadFromFile(file);
    } else if (options.env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else {
      return 'no --kubeconfig, no KUBECONFIG, and not in a pod (KUBERNETES_SERVICE_HOST is unset)';
    }
  } catch (err) {
    return `cannot load kubeconfig ${file ?? '(in-cluster)'}: ${(err as Error).message}`;
  }
  if (!kc.getCurrentCluster()) return `kubeconfig ${file ?? '(in-cluster)'} has no current cluster`;
  return kc;
}

/** Connects; never throws. */
export function connectClientNode(options: KubeConnectOptions): KubeConnectResult {
  const kc = loadConfig(options);
  if (typeof kc === 'string') return { ok: false, reason: kc };
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const list = (spec: WatchSpec): Promise<KubernetesListObject<KubernetesObject>> => {
    const selectors = {
      ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}),
      ...(spec.fieldSelector ? { fieldSelector: spec.fieldSelector } : {}),
    };
    const ns = spec.namespace;
    switch (spec.resource) {
      case 'configmaps':
        return ns === null
          ? core.listConfigMapForAllNamespaces(selectors)
          : core.listNamespacedConfigMap({ namespace: ns, ...selectors });
      case 'services':
        return ns === null
          ? core.listServiceForAllNamespaces(selectors)
          : core.listNamespacedService({ namespace: ns, ...selectors });
      case 'endpointslices':
        return ns === null
          ? discovery.listEndpointSliceForAllNamespaces(selectors)
          : discovery.listNamespacedEndpointSlice({ namespace: ns, ...selectors });
    }
  };
  const client: KubeClient = {
    server: kc.getCurrentCluster()?.server ?? '',
    informerSource<T>(spec: WatchSpec): InformerSource<T> {
      return (hooks: InformerHooks): InformerLike<T> => {
        const informer = new ListWatch<KubernetesObject>(
          pathOf(spec),
          new HookedWatch(kc, hooks),
          async () => {
            const result = await list(spec);
            hooks.listed();
            return result;
          },
          false,
          spec.labelSelector,
          spec.fieldSelector,
          { delayFn: (ms) => hooks.delay(ms) },
        );
        return {
          onChange(listener) {
            for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, () => listener());
          },
          onError(listener) {
            informer.on('error', (err) => listener(err));
          },
          start: () => informer.start(),
          stop: () => informer.stop(),
          list: () => informer.list() as unknown as readonly T[],
        };
      };
    },
  };
  return { ok: true, client };
}
