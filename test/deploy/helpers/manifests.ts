/**
 * Renders kustomize overlays with the real `kubectl kustomize` and validates every object offline
 * against the Kubernetes and Prometheus Operator schemas (kubernetes-models,
 * @kubernetes-models/prometheus-operator): each object is constructed with the model class of its
 * apiVersion and kind, and `.validate()` throws on a schema violation.
 */
import path from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './prometheus-rule.ts';
import { KUBECTL, requireTool, run } from './tools.ts';

/** A rendered Kubernetes object, loosely typed: tests read it by path. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

/** Something with a `validate()` that throws on a schema violation. */
interface Validatable {
  validate(): void;
}

/** Model class per `apiVersion kind`: every kind the manifests may contain. */
const MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
  'v1 Namespace': Namespace,
  'v1 ServiceAccount': ServiceAccount,
  'v1 ConfigMap': ConfigMap,
  'v1 Service': Service,
  'apps/v1 DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1 Role': Role,
  'rbac.authorization.k8s.io/v1 RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1 ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': ClusterRoleBinding,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'scheduling.k8s.io/v1 PriorityClass': PriorityClass,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1 PrometheusRule': PrometheusRule,
};

/** Kinds the validator knows. */
export const KNOWN_KINDS: readonly string[] = Object.keys(MODELS);

/** The overlays a user installs, relative to the repository root. */
export const OVERLAYS = [
  'deploy/kustomize/overlays/release',
  'deploy/kustomize/overlays/nodelocaldns',
] as const;
/** The test overlay that adds every opt-in component. */
export const ALL_COMPONENTS = 'test/deploy/overlays/all-components';

/** Runs `kubectl kustomize DIR` and returns the objects it prints. */
export async function render(dir: string): Promise<KubeObject[]> {
  const kubectl = requireTool(KUBECTL);
  const result = await run(kubectl, ['kustomize', path.join(ROOT, dir)]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

/** Validates one object with its model; throws naming the object when the kind is unknown or invalid. */
export function validate(object: KubeObject): void {
  const key = `${object.apiVersion} ${object.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`${key} ${object.metadata.name}: no model to validate it with`);
  try {
    new Model(object as never).validate();
  } catch (err) {
    throw new Error(`${key} ${object.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
}

/** The one object of a kind (and name, if given); throws when there is not exactly one. */
export function only(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as KubeObject;
}
