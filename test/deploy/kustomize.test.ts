/**
 * The kustomize manifests (deploy/kustomize), rendered by the real `kubectl kustomize`: every
 * overlay renders, every object validates offline against the Kubernetes and Prometheus Operator
 * schemas, and the properties issue 6 asks for hold in what a cluster would receive: the hardened
 * DaemonSet on every node, least-privilege RBAC, the NetworkPolicy, scraping that matches the
 * alert rules, and configs the daemon accepts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ALL_COMPONENTS,
  KNOWN_KINDS,
  type KubeObject,
  OVERLAYS,
  only,
  render,
  validate,
} from './helpers/manifests.ts';
import { ROOT } from './helpers/prometheus-rule.ts';
import { loadRules } from './helpers/rules.ts';

const exec = promisify(execFile);
const ALL = [...OVERLAYS, ALL_COMPONENTS] as const;
const rendered = new Map<string, KubeObject[]>();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dnsh-deploy-'));
  for (const overlay of ALL) rendered.set(overlay, await render(overlay));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const objects = (overlay: string) => rendered.get(overlay) ?? [];
const daemonSet = (overlay: string) => only(objects(overlay), 'DaemonSet') as unknown as IDaemonSet;
const container = (overlay: string) => {
  const c = daemonSet(overlay).spec?.template.spec?.containers[0];
  if (!c) throw new Error('DaemonSet has no container');
  return c;
};

describe.each(ALL)('%s', (overlay) => {
  it('renders the expected objects', () => {
    const kinds = objects(overlay).map((o) => o.kind);
    for (const kind of [
      'Namespace',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'DaemonSet',
      'Service',
      'ServiceMonitor',
      'PrometheusRule',
      'NetworkPolicy',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it('validates every object against its schema (kubernetes-models, prometheus-operator)', () => {
    expect(objects(overlay).length).toBeGreaterThan(0);
    for (const object of objects(overlay)) {
      expect(KNOWN_KINDS).toContain(`${object.apiVersion} ${object.kind}`);
      validate(object);
    }
  });

  it('puts every namespaced object in dns-headroom', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass'];
    for (const o of objects(overlay)) {
      if (clusterScoped.includes(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('dns-headroom');
    }
  });

  it('runs on every node and asks DNS as ordinary pods do', () => {
    const spec = daemonSet(overlay).spec?.template.spec;
    expect(spec?.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec?.dnsPolicy).toBe('ClusterFirst');
    expect(spec?.hostNetwork ?? false).toBe(false);
    expect(spec?.serviceAccountName).toBe('dns-headroom');
    expect(container(overlay).env).toContainEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
    });
  });

  it('is hardened: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, no escalation', () => {
    const pod = daemonSet(overlay).spec?.template.spec?.securityContext;
    const c = container(overlay).securityContext;
    expect(pod?.runAsNonRoot).toBe(true);
    expect(pod?.runAsUser).toBeGreaterThan(0);
    expect(pod?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(c?.runAsNonRoot).toBe(true);
    expect(c?.readOnlyRootFilesystem).toBe(true);
    expect(c?.allowPrivilegeEscalation).toBe(false);
    expect(c?.capabilities?.drop).toEqual(['ALL']);
    expect(c?.capabilities?.add ?? []).toEqual([]);
    expect(c?.privileged ?? false).toBe(false);
    expect(c?.seccompProfile?.type ?? 'RuntimeDefault').toBe('RuntimeDefault');
  });

  it('has liveness on /healthz and readiness on /readyz, on the metrics port 9553', () => {
    const c = container(overlay);
    expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9553, protocol: 'TCP' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
  });

  it('requests and limits resources (memory limit, no CPU limit)', () => {
    const r = container(overlay).resources;
    expect(r?.requests?.cpu).toBeDefined();
    expect(r?.requests?.memory).toBeDefined();
    expect(r?.limits?.memory).toBeDefined();
    expect(r?.limits?.cpu).toBeUndefined();
  });

  it('mounts the ConfigMap as a directory (no subPath: updates arrive) where the daemon reads it', () => {
    const spec = daemonSet(overlay).spec?.template.spec;
    const c = container(overlay);
    const configVolume = spec?.volumes?.find((v) => v.configMap?.name === 'dns-headroom-config');
    expect(configVolume).toBeDefined();
    const mount = c.volumeMounts?.find((m) => m.name === configVolume?.name);
    expect(mount?.subPath).toBeUndefined();
    expect(mount?.readOnly).toBe(true);
    const configArg = c.args?.[(c.args?.indexOf('--config') ?? -2) + 1];
    expect(c.args?.[0]).toBe('daemon');
    expect(path.posix.dirname(configArg ?? '')).toBe(mount?.mountPath);
    const configMap = only(objects(overlay), 'ConfigMap', 'dns-headroom-config') as unknown as IConfigMap;
    expect(Object.keys(configMap.data ?? {})).toEqual([path.posix.basename(configArg ?? '')]);
  });

  it('ships a config that check-config accepts, listening on the metrics port', async () => {
    const configMap = only(objects(overlay), 'ConfigMap', 'dns-headroom-config') as unknown as IConfigMap;
    const text = configMap.data?.['config.yaml'] ?? '';
    const file = path.join(dir, `${overlay.replaceAll('/', '-')}.yaml`);
    await writeFile(file, text);
    const { stdout } = await exec(process.execPath, [path.join(ROOT, 'src/main.ts'), 'check-config', file]);
    expect(stdout).toMatch(/valid|ok/i);
    const config = parse(text) as { listen: string; resolvConf: string; targets: unknown[] };
    expect(config.listen).toBe(':9553');
    expect(config.resolvConf).toBe('/etc/resolv.conf');
    expect(config.targets.length).toBeGreaterThan(0);
  });

  it('has a namespaced Role with list/watch on its own ConfigMap only, bound to the ServiceAccount', () => {
    const role = only(objects(overlay), 'Role') as unknown as IRole;
    const configMap = only(objects(overlay), 'ConfigMap');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: [configMap.metadata.name],
        verbs: ['list', 'watch'],
      },
    ]);
    const binding = only(objects(overlay), 'RoleBinding') as unknown as {
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata?.name });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'dns-headroom', namespace: 'dns-headroom' },
    ]);
  });

  it('limits every RBAC rule to list/watch (the informers never call get) on configmaps, services and endpointslices', () => {
    const allowed = new Set(['/configmaps', '/services', 'discovery.k8s.io/endpointslices']);
    for (const o of objects(overlay).filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
      for (const rule of (o as unknown as IRole).rules ?? []) {
        expect(rule.verbs).toEqual(['list', 'watch']);
        expect(rule.nonResourceURLs).toBeUndefined();
        for (const group of rule.apiGroups ?? []) {
          for (const resource of rule.resources ?? []) expect(allowed).toContain(`${group}/${resource}`);
        }
      }
    }
  });

  it('allows egress to DNS over UDP and TCP 53, and ingress to the metrics port only', () => {
    const policy = (only(objects(overlay), 'NetworkPolicy') as unknown as INetworkPolicy).spec;
    expect(policy?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy?.podSelector?.matchLabels).toEqual(daemonSet(overlay).spec?.selector.matchLabels);
    const egressPorts = (policy?.egress ?? []).flatMap((r) => r.ports ?? []);
    expect(egressPorts).toContainEqual({ protocol: 'UDP', port: 53 });
    expect(egressPorts).toContainEqual({ protocol: 'TCP', port: 53 });
    const ingressPorts = (policy?.ingress ?? []).flatMap((r) => r.ports ?? []);
    expect(ingressPorts).toEqual([{ protocol: 'TCP', port: 9553 }]);
  });

  it('scrapes every pod through the Service with job="dns-headroom", as DNSHeadroomDown expects', () => {
    const service = only(objects(overlay), 'Service') as unknown as IService;
    const monitor = only(objects(overlay), 'ServiceMonitor') as unknown as IServiceMonitor;
    expect(service.spec?.selector).toEqual(daemonSet(overlay).spec?.selector.matchLabels);
    expect(service.spec?.ports).toContainEqual({
      name: 'metrics',
      port: 9553,
      targetPort: 'metrics',
      protocol: 'TCP',
    });
    expect(monitor.spec.selector.matchLabels).toEqual(
      expect.objectContaining({ 'app.kubernetes.io/name': 'dns-headroom' }),
    );
    const jobLabel = monitor.spec.jobLabel ?? '';
    const job = service.metadata?.labels?.[jobLabel];
    expect(job).toBe('dns-headroom');
    const down = loadRules().groups[0]?.rules.find((r) => r.alert === 'DNSHeadroomDown');
    expect(down?.expr).toContain(`up{job="${job}"}`);
    const endpoint = monitor.spec.endpoints?.[0];
    expect(endpoint?.port).toBe('metrics');
    expect(endpoint?.path).toBe('/metrics');
    // The forecasts' namespace/service labels must survive the scrape (see servicemonitor.yaml).
    expect(endpoint?.honorLabels).toBe(true);
    expect(endpoint?.relabelings).toContainEqual(
      expect.objectContaining({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }),
    );
  });

  it('carries the alert rules of deploy/prometheus/alerts.yaml', () => {
    const rule = only(objects(overlay), 'PrometheusRule') as unknown as IPrometheusRule;
    expect(rule.spec).toEqual(loadRules());
  });
});

describe('overlays/release', () => {
  it('pins the image to the package version', async () => {
    const { version } = JSON.parse(
      (await import('node:fs')).readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
    ) as { version: string };
    expect(container('deploy/kustomize/overlays/release').image).toBe(`dns-headroom:${version}`);
  });

  it('enforces the restricted Pod Security Standard on its namespace', () => {
    const ns = only(objects('deploy/kustomize/overlays/release'), 'Namespace');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('leaves cluster-wide discovery RBAC and the PriorityClass out (opt-in components)', () => {
    const kinds = objects('deploy/kustomize/overlays/release').map((o) => o.kind);
    expect(kinds).not.toContain('ClusterRole');
    expect(kinds).not.toContain('ClusterRoleBinding');
    expect(kinds).not.toContain('PriorityClass');
    expect(
      daemonSet('deploy/kustomize/overlays/release').spec?.template.spec?.priorityClassName,
    ).toBeUndefined();
  });
});

describe('overlays/nodelocaldns', () => {
  it('probes the NodeLocal DNSCache address and the kube-dns Service separately', () => {
    const configMap = only(
      objects('deploy/kustomize/overlays/nodelocaldns'),
      'ConfigMap',
      'dns-headroom-config',
    ) as unknown as IConfigMap;
    const config = parse(configMap.data?.['config.yaml'] ?? '') as { defaults: { servers: string[] } };
    // The cluster addresses the overlay ships for a real cluster (NodeLocal DNSCache's link-local
    // address, kubeadm's default kube-dns ClusterIP); tests only render them, never contact them.
    const nodeLocal = '169.254.20.10';
    const kubeDns = '10.96.0.10';
    expect(config.defaults.servers).toEqual([nodeLocal, kubeDns]);
  });

  it('differs from the release overlay only in the config', () => {
    const strip = (list: readonly KubeObject[]) =>
      list.map((o) => (o.kind === 'ConfigMap' ? { ...o, data: null } : o));
    expect(strip(objects('deploy/kustomize/overlays/nodelocaldns'))).toEqual(
      strip(objects('deploy/kustomize/overlays/release')),
    );
  });
});

describe('opt-in components (test overlay with all of them)', () => {
  it('discovery-rbac: a ClusterRole reading services and endpointslices, bound to the ServiceAccount', () => {
    const role = only(objects(ALL_COMPONENTS), 'ClusterRole') as unknown as IClusterRole;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
    const binding = only(objects(ALL_COMPONENTS), 'ClusterRoleBinding') as unknown as {
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: role.metadata?.name });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'dns-headroom', namespace: 'dns-headroom' },
    ]);
  });

  it('priorityclass: its own class, far below the system-critical ones, used by the DaemonSet', () => {
    const pc = only(objects(ALL_COMPONENTS), 'PriorityClass') as unknown as {
      metadata: { name: string };
      value: number;
      globalDefault: boolean;
    };
    expect(pc.value).toBeGreaterThan(0);
    expect(pc.value).toBeLessThan(1_000_000_000); // user classes stay under 1e9; system ones are 2e9+
    expect(pc.globalDefault).toBe(false);
    expect(daemonSet(ALL_COMPONENTS).spec?.template.spec?.priorityClassName).toBe(pc.metadata.name);
  });
});
