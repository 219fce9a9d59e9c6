/**
 * The parts of Kubernetes objects dns-headroom reads, as plain structural types. Lists come back
 * from `@kubernetes/client-node` as its model classes and watch events as raw JSON; both have these
 * fields, so the pure code here depends on neither the client nor its 1 s import time.
 * Field meanings: k8s.io/api core/v1 types.go and discovery/v1 types.go.
 */

/** `metadata` of any object. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Anything with metadata (what an informer caches). */
export interface KubeObject {
  readonly metadata?: ObjectMeta;
}

/** A ConfigMap: `data` holds the text keys. */
export interface ConfigMapObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

/** A Service port. */
export interface ServicePortObject {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

/** A Service. `clusterIP: "None"` makes it headless; `type: ExternalName` a CNAME to `externalName`. */
export interface ServiceObject extends KubeObject {
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly externalName?: string;
    readonly ipFamilies?: readonly string[];
    readonly ports?: readonly ServicePortObject[];
  };
}

/** One endpoint of an EndpointSlice. A nil `ready` means ready (discovery/v1 EndpointConditions). */
export interface EndpointObject {
  readonly addresses: readonly string[];
  readonly conditions?: { readonly ready?: boolean | null };
}

/** An EndpointSlice: its Service is the `kubernetes.io/service-name` label. */
export interface EndpointSliceObject extends KubeObject {
  /** IPv4, IPv6 or FQDN. */
  readonly addressType: string;
  readonly endpoints?: readonly EndpointObject[] | null;
  readonly ports?:
    | readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[]
    | null;
}

/** Label that ties an EndpointSlice to its Service (discovery/v1 LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * Label the EndpointSlice controller puts on the slices of headless Services (core/v1
 * IsHeadlessService); kube-proxy selects `!service.kubernetes.io/headless` to skip them, we select
 * the opposite so a cluster-wide watch carries only headless slices.
 */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** `namespace/name` of an object. */
export function objectKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
