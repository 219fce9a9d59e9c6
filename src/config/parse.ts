/**
 * Validation of a candidate config: pure, returns every issue with its path (and its line when the
 * config came from text), rejects unknown keys, fills every default from `DEFAULTS`. The model is
 * blackbox_exporter's loader (`yaml.NewDecoder` with `KnownFields(true)`, then `UnmarshalYAML`
 * checks per module, prometheus/blackbox_exporter:config/config.go), except that it does not stop at
 * the first problem: someone fixing a 300-target file at 3 a.m. wants the whole list at once.
 */
import net from 'node:net';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
// The selector grammar lives with the Kubernetes code that uses it; imported by file, not through
// kube/index.ts, because the kube module imports this one (a dependency-free file breaks the cycle).
import { parseLabelSelector } from '../kube/label-selector.ts';
import { formatServerAddress, parseServerAddress } from '../probe/server-address.ts';
import type { Family, ServerAddress } from '../probe/types.ts';
import { checkName } from '../resolver/name.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { type ConfigIssue, formatPath, type PathSegments, suggestKey } from './issues.ts';
import {
  type Config,
  DEFAULTS,
  deepFreeze,
  FAMILIES,
  type KubernetesConfig,
  LIMITS,
  type ListenAddress,
  LOG_LEVELS,
  type LogLevel,
  type ObjectRef,
  RESERVED_LABEL_NAMES,
  type TargetConfig,
} from './schema.ts';

/** A validated config, or every reason it is not one. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

const TOP_KEYS: readonly string[] = Object.keys(DEFAULTS);
const DEFAULTS_KEYS: readonly string[] = Object.keys(DEFAULTS.defaults);
const TARGET_KEYS: readonly string[] = ['name', ...DEFAULTS_KEYS, 'labels'];

/** Why a key people write at the top level is not there: it is a per-target setting. */
function topLevelHint(key: string): string | undefined {
  if (DEFAULTS_KEYS.includes(key)) {
    return `unknown key; "${key}" is a per-target setting: put it under defaults (for every target) or on a target`;
  }
  if (key === 'name' || key === 'labels') return `unknown key; "${key}" belongs on a target (under targets)`;
  if (Object.hasOwn(DEFAULTS.kubernetes, key)) return `unknown key; "${key}" belongs under kubernetes`;
  return undefined;
}

/** An issue still carrying its path as segments, so parseConfigText can find its line. */
interface RawIssue {
  readonly at: PathSegments;
  readonly message: string;
}

/** Collects issues while validating; every check records and carries on. */
class Issues {
  readonly list: RawIssue[] = [];
  add(at: PathSegments, message: string): undefined {
    this.list.push({ at, message });
    return undefined;
  }
}

/** Validates a parsed YAML/JSON value (what `yaml.parse` returns). Pure. */
export function parseConfig(input: unknown): ConfigResult {
  const raw = validate(input);
  if (raw.ok) return raw;
  return {
    ok: false,
    issues: raw.issues.map((issue) => ({ path: formatPath(issue.at), message: issue.message })),
  };
}

/**
 * Parses YAML text and validates it. `source` (a file path, a ConfigMap reference) is recorded on
 * every issue, with the line and column the issue points at. Pure.
 */
export function parseConfigText(yamlText: string, source: string): ConfigResult {
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice is an error (YAML 1.2 3.2.1.1), not "the last one wins" silently.
  // logLevel 'error': the library would print its warnings on the process's stderr; they come
  // back as issues instead.
  const doc = parseDocument(yamlText, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { source };
    const { line, col } = lineCounter.linePos(offset);
    return { source, line, column: col };
  };
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    return {
      ok: false,
      issues: yamlProblems.map((problem) => ({
        path: '(root)',
        message: `invalid YAML: ${problem.message}`,
        ...at(problem.pos[0]),
      })),
    };
  }
  let input: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs"); aliases themselves are allowed.
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      ok: false,
      issues: [{ path: '(root)', message: `invalid YAML: ${(err as Error).message}`, ...at(0) }],
    };
  }
  const raw = validate(input);
  if (raw.ok) return raw;
  const issues: ConfigIssue[] = raw.issues.map((issue) => ({
    path: formatPath(issue.at),
    message: issue.message,
    ...at(locate(doc, issue.at)),
  }));
  // In file order, as people fix them top to bottom (the sort is stable: same line keeps check order).
  issues.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.column ?? 0) - (y.column ?? 0));
  return { ok: false, issues };
}

/**
 * Offset of the YAML node a path points at: the key for a map entry (that is the line people look
 * for), the item for a list entry, or the nearest existing ancestor when the key is missing.
 */
function locate(doc: Document, segments: PathSegments): number | undefined {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0];
  // Past an alias, the nodes belong to the anchor, written elsewhere: point at the alias.
  let viaAlias = false;
  const move = (to: number | undefined) => {
    if (!viaAlias && to !== undefined) offset = to;
  };
  for (const segment of segments) {
    if (isAlias(node)) {
      node = node.resolve(doc);
      viaAlias = true;
    }
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      move((pair.key as Node).range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) break;
      move(item.range?.[0]);
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** The whole validation, issues with segment paths. */
function validate(input: unknown): { ok: true; config: Config } | { ok: false; issues: RawIssue[] } {
  const issues = new Issues();
  if (input === null || input === undefined) {
    issues.add([], 'the configuration is empty; write at least "targets: []"');
    return { ok: false, issues: issues.list };
  }
  const root = mapping(input, [], issues);
  if (root === undefined) return { ok: false, issues: issues.list };
  unknownKeys(root, TOP_KEYS, [], issues, topLevelHint);
  const value = <K extends keyof typeof DEFAULTS>(key: K): unknown =>
    Object.hasOwn(root, key) ? root[key] : DEFAULTS[key];

  const intervalMs = duration(
    value('interval'),
    ['interval'],
    LIMITS.intervalMinMs,
    LIMITS.intervalMaxMs,
    issues,
  );
  const timeoutMs = duration(value('timeout'), ['timeout'], LIMITS.timeoutMinMs, LIMITS.timeoutMaxMs, issues);
  if (intervalMs !== undefined && timeoutMs !== undefined && timeoutMs >= intervalMs) {
    // A probe that may still be waiting when the next round starts would overlap itself.
    issues.add(
      ['timeout'],
      `must be shorter than interval (${formatDuration(intervalMs)}); got ${formatDuration(timeoutMs)}`,
    );
  }
  const jitter = number(
    value('jitter'),
    ['jitter'],
    0,
    LIMITS.jitterMax,
    false,
    issues,
    ' (a fraction of interval)',
  );
  const concurrency = number(value('concurrency'), ['concurrency'], 1, LIMITS.concurrencyMax, true, issues);
  const queriesPerSecond = number(
    value('queriesPerSecond'),
    ['queriesPerSecond'],
    LIMITS.queriesPerSecondMin,
    LIMITS.queriesPerSecondMax,
    false,
    issues,
  );
  const listen = listenAddress(value('listen'), ['listen'], issues);
  const logLevel = oneOf(value('logLevel'), ['logLevel'], LOG_LEVELS, issues);
  const resolvConf = path(value('resolvConf'), ['resolvConf'], issues);
  const defaults = targetDefaults(value('defaults'), issues);
  const targets = targetList(value('targets'), defaults, issues);
  const kubernetes = kubernetesSection(value('kubernetes'), defaults, issues);

  if (issues.list.length > 0) return { ok: false, issues: issues.list };
  const config: Config = {
    intervalMs: intervalMs as number,
    timeoutMs: timeoutMs as number,
    jitter: jitter as number,
    concurrency: concurrency as number,
    queriesPerSecond: queriesPerSecond as number,
    listen: listen as ListenAddress,
    logLevel: logLevel as LogLevel,
    resolvConf: resolvConf as string,
    targets,
    kubernetes: kubernetes as KubernetesConfig,
  };
  return { ok: true, config: deepFreeze(config) };
}

/**
 * A sub-mapping with defaults: checks it is a mapping without unknown keys and returns a getter
 * that falls back to `defaults` for keys not written.
 */
function section(
  input: unknown,
  at: PathSegments,
  defaults: Readonly<Record<string, unknown>>,
  issues: Issues,
): ((key: string) => unknown) | undefined {
  const map = mapping(input, at, issues);
  if (map === undefined) return undefined;
  unknownKeys(map, Object.keys(defaults), at, issues);
  return (key) => (Object.hasOwn(map, key) ? map[key] : defaults[key]);
}

/** The `kubernetes` section: CoreDNS endpoints, headless forecasts, ExternalName targets. */
function kubernetesSection(
  input: unknown,
  inherited: Inherited,
  issues: Issues,
): KubernetesConfig | undefined {
  const at = ['kubernetes'];
  const k8s = DEFAULTS.kubernetes;
  const get = section(input, at, k8s, issues);
  if (get === undefined) return undefined;
  const dnsAt = [...at, 'dns'];
  const dns = section(get('dns'), dnsAt, k8s.dns, issues);
  const headlessAt = [...at, 'headless'];
  const headless = section(get('headless'), headlessAt, k8s.headless, issues);
  const externalAt = [...at, 'externalName'];
  const external = section(get('externalName'), externalAt, k8s.externalName, issues);
  if (dns === undefined || headless === undefined || external === undefined) return undefined;
  const before = issues.list.length;
  const config = {
    dns: {
      probeEndpoints: boolean(dns('probeEndpoints'), [...dnsAt, 'probeEndpoints'], issues),
      service: objectRef(dns('service'), [...dnsAt, 'service'], issues),
      maxEndpoints: number(
        dns('maxEndpoints'),
        [...dnsAt, 'maxEndpoints'],
        1,
        LIMITS.dnsEndpointsMax,
        true,
        issues,
      ),
    },
    headless: {
      enabled: boolean(headless('enabled'), [...headlessAt, 'enabled'], issues),
      namespaces: namespaceList(headless('namespaces'), [...headlessAt, 'namespaces'], issues),
      labelSelector: labelSelector(headless('labelSelector'), [...headlessAt, 'labelSelector'], issues),
      clusterDomain: clusterDomain(headless('clusterDomain'), [...headlessAt, 'clusterDomain'], issues),
      probeMarginBytes: number(
        headless('probeMarginBytes'),
        [...headlessAt, 'probeMarginBytes'],
        0,
        LIMITS.warnBytesMax,
        true,
        issues,
        ' (bytes of headroom under 512)',
      ),
      maxServices: number(
        headless('maxServices'),
        [...headlessAt, 'maxServices'],
        1,
        LIMITS.headlessServicesMax,
        true,
        issues,
      ),
    },
    externalName: {
      enabled: boolean(external('enabled'), [...externalAt, 'enabled'], issues),
      max: number(external('max'), [...externalAt, 'max'], 1, LIMITS.externalNamesMax, true, issues),
    },
    discovered: { families: [...inherited.families], warnBytes: inherited.warnBytes },
  };
  return issues.list.length > before ? undefined : (config as KubernetesConfig);
}

function boolean(input: unknown, at: PathSegments, issues: Issues): boolean | undefined {
  if (typeof input === 'boolean') return input;
  return issues.add(at, `must be true or false; got ${describe(input)}`);
}

// apimachinery validation: namespaces are DNS-1123 labels, Service names DNS-1035 labels.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function objectRef(input: unknown, at: PathSegments, issues: Issues): ObjectRef | undefined {
  const m = typeof input === 'string' ? /^([^/]+)\/([^/]+)$/.exec(input) : null;
  if (m && DNS1123_LABEL.test(m[1] as string) && DNS1035_LABEL.test(m[2] as string)) {
    return { namespace: m[1] as string, name: m[2] as string };
  }
  return issues.add(
    at,
    `must be NAMESPACE/NAME of a Service, such as "kube-system/kube-dns"; got ${describe(input)}`,
  );
}

function namespaceList(input: unknown, at: PathSegments, issues: Issues): string[] | undefined {
  const items = list(input, at, issues, 'namespaces');
  if (items === undefined) return undefined;
  if (items.length > LIMITS.namespacesMax) {
    return issues.add(at, `at most ${LIMITS.namespacesMax} namespaces; got ${items.length}`);
  }
  const out: string[] = [];
  let ok = true;
  items.forEach((item, index) => {
    if (typeof item !== 'string' || !DNS1123_LABEL.test(item)) {
      ok = false;
      issues.add([...at, index], `must be a namespace name (a DNS-1123 label); got ${describe(item)}`);
    } else if (out.includes(item)) {
      ok = false;
      issues.add([...at, index], `duplicate namespace "${item}"`);
    } else {
      out.push(item);
    }
  });
  return ok ? out : undefined;
}

function labelSelector(input: unknown, at: PathSegments, issues: Issues): string | undefined {
  if (typeof input !== 'string' || input.length > LIMITS.labelSelectorMaxLength) {
    return issues.add(
      at,
      `must be a label selector of at most ${LIMITS.labelSelectorMaxLength} characters, such as "app=web,tier!=cache" ('' for every Service); got ${describe(input)}`,
    );
  }
  const parsed = parseLabelSelector(input);
  if (!parsed.ok) return issues.add(at, `not a label selector: ${parsed.message}`);
  return input.trim();
}

function clusterDomain(input: unknown, at: PathSegments, issues: Issues): string | undefined {
  if (typeof input === 'string' && !input.endsWith('.') && checkName(input) === null) {
    return input.toLowerCase();
  }
  return issues.add(
    at,
    `must be a domain name without a trailing dot, such as "cluster.local"; got ${describe(input)}`,
  );
}

/** What a target inherits. */
interface Inherited {
  readonly families: readonly Family[];
  readonly warnBytes: number;
  readonly servers: readonly ServerAddress[];
}

function targetDefaults(input: unknown, issues: Issues): Inherited {
  const at = ['defaults'];
  // When part of `defaults` is broken (already reported), targets inherit the built-in value so
  // that one typo does not come back as an issue on every target.
  const builtIn: Inherited = {
    families: DEFAULTS.defaults.families,
    warnBytes: DEFAULTS.defaults.warnBytes,
    servers: [],
  };
  const map = mapping(input, at, issues);
  if (map === undefined) return builtIn;
  unknownKeys(map, DEFAULTS_KEYS, at, issues, (key) =>
    key === 'labels' || key === 'name' ? `unknown key; "${key}" can only be set on a target` : undefined,
  );
  const get = (key: keyof typeof DEFAULTS.defaults) =>
    Object.hasOwn(map, key) ? map[key] : DEFAULTS.defaults[key];
  return {
    families: familyList(get('families'), [...at, 'families'], issues) ?? builtIn.families,
    warnBytes: warnBytes(get('warnBytes'), [...at, 'warnBytes'], issues) ?? builtIn.warnBytes,
    servers: serverList(get('servers'), [...at, 'servers'], issues) ?? builtIn.servers,
  };
}

function targetList(input: unknown, inherited: Inherited, issues: Issues): TargetConfig[] {
  const at = ['targets'];
  const items = list(input, at, issues, 'targets');
  if (items === undefined) return [];
  if (items.length > LIMITS.maxTargets) {
    issues.add(at, `at most ${LIMITS.maxTargets} targets; got ${items.length}`);
  }
  const targets: TargetConfig[] = [];
  // Key of each name/family/server combination -> index of the first target that probes it.
  const seen = new Map<string, number>();
  const labelNames = new Set<string>();
  items.forEach((item, index) => {
    const target = targetItem(item, [...at, index], inherited, issues);
    if (target === undefined) return;
    for (const name of Object.keys(target.labels)) labelNames.add(name);
    const servers =
      target.servers.length === 0 ? ['resolv.conf nameservers'] : target.servers.map(formatServerAddress);
    let duplicate: string | undefined;
    for (const family of target.families) {
      for (const server of servers) {
        const key = `${target.name.toLowerCase()}\n${family}\n${server}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else
          duplicate ??= `probes the same name, family and server as targets[${first}] (${target.name}, ${family}, ${server})`;
      }
    }
    if (duplicate !== undefined) issues.add([...at, index], duplicate);
    targets.push(target);
  });
  if (labelNames.size > LIMITS.maxLabelNames) {
    // Every distinct label name is a label on every per-target series: bound the schema, not just each target.
    issues.add(
      at,
      `at most ${LIMITS.maxLabelNames} distinct label names over all targets; got ${labelNames.size} (${[...labelNames].sort().join(', ')})`,
    );
  }
  return targets;
}

function targetItem(
  input: unknown,
  at: PathSegments,
  inherited: Inherited,
  issues: Issues,
): TargetConfig | undefined {
  // Shorthand for long lists: a plain string is a target with that name and every default.
  const map =
    typeof input === 'string'
      ? { name: input }
      : mapping(input, at, issues, 'a target (a mapping with name, or just the name)');
  if (map === undefined) return undefined;
  unknownKeys(map, TARGET_KEYS, at, issues);
  const before = issues.list.length;
  let name: string | undefined;
  if (!Object.hasOwn(map, 'name')) {
    issues.add([...at, 'name'], 'is required');
  } else if (typeof map.name !== 'string') {
    issues.add([...at, 'name'], `must be a hostname; got ${describe(map.name)}`);
  } else {
    const problem = checkName(map.name);
    if (problem === null) name = map.name;
    // A shorthand entry is the name itself: point at it, not at a `name` key nobody wrote.
    else issues.add(typeof input === 'string' ? at : [...at, 'name'], problem);
  }
  const families = Object.hasOwn(map, 'families')
    ? familyList(map.families, [...at, 'families'], issues)
    : inherited.families;
  const warn = Object.hasOwn(map, 'warnBytes')
    ? warnBytes(map.warnBytes, [...at, 'warnBytes'], issues)
    : inherited.warnBytes;
  const servers = Object.hasOwn(map, 'servers')
    ? serverList(map.servers, [...at, 'servers'], issues)
    : inherited.servers;
  const labels = Object.hasOwn(map, 'labels') ? labelMap(map.labels, [...at, 'labels'], issues) : {};
  if (issues.list.length > before) return undefined;
  return {
    name: name as string,
    families: [...(families as Family[])],
    warnBytes: warn as number,
    servers: [...(servers as ServerAddress[])],
    labels: labels as Record<string, string>,
  };
}

function familyList(input: unknown, at: PathSegments, issues: Issues): Family[] | undefined {
  const items = list(input, at, issues, 'families');
  if (items === undefined) return undefined;
  if (items.length === 0) return issues.add(at, 'must list at least one family (inet, inet6, unspec)');
  const families: Family[] = [];
  let ok = true;
  items.forEach((item, index) => {
    if (typeof item !== 'string' || !FAMILIES.includes(item as Family)) {
      ok = false;
      issues.add(
        [...at, index],
        `must be inet (AF_INET: A), inet6 (AF_INET6: AAAA) or unspec (AF_UNSPEC: both); got ${describe(item)}`,
      );
    } else if (families.includes(item as Family)) {
      ok = false;
      issues.add([...at, index], `duplicate family "${item}"`);
    } else {
      families.push(item as Family);
    }
  });
  return ok ? families : undefined;
}

function serverList(input: unknown, at: PathSegments, issues: Issues): ServerAddress[] | undefined {
  const items = list(input, at, issues, 'servers');
  if (items === undefined) return undefined;
  let ok = true;
  if (items.length > LIMITS.maxServers) {
    ok = false;
    issues.add(at, `at most ${LIMITS.maxServers} servers; got ${items.length}`);
  }
  const servers: ServerAddress[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    if (typeof item !== 'string') {
      ok = false;
      // Unquoted, `[::1]:53` is YAML for a mapping with a list as its key, not a string.
      const hint =
        typeof item === 'object' && item !== null ? ' (quote bracketed IPv6 addresses: "[::1]:53")' : '';
      issues.add(
        [...at, index],
        `must be an address such as "192.0.2.10" or "[::1]:5300"; got ${describe(item)}${hint}`,
      );
      return;
    }
    const parsed = parseServerAddress(item);
    if (!parsed.ok) {
      ok = false;
      issues.add([...at, index], parsed.message);
      return;
    }
    const key = formatServerAddress(parsed.server);
    const first = seen.get(key);
    if (first !== undefined) {
      ok = false;
      issues.add([...at, index], `duplicate server ${key} (also ${formatPath([...at, first])})`);
      return;
    }
    seen.set(key, index);
    servers.push(parsed.server);
  });
  return ok ? servers : undefined;
}

function labelMap(input: unknown, at: PathSegments, issues: Issues): Record<string, string> | undefined {
  const map = mapping(input, at, issues);
  if (map === undefined) return undefined;
  const keys = Object.keys(map).sort();
  let ok = true;
  if (keys.length > LIMITS.maxLabelsPerTarget) {
    ok = false;
    issues.add(at, `at most ${LIMITS.maxLabelsPerTarget} labels per target; got ${keys.length}`);
  }
  const labels: Record<string, string> = {};
  for (const key of keys) {
    const problem = checkLabelName(key);
    const value = map[key];
    if (problem !== null) {
      ok = false;
      issues.add([...at, key], problem);
    } else if (typeof value !== 'string' || value === '' || value.length > LIMITS.maxLabelValueLength) {
      // An empty value is the same as no label in Prometheus, so it would silently vanish.
      ok = false;
      issues.add(
        [...at, key],
        `must be a non-empty string of at most ${LIMITS.maxLabelValueLength} characters; got ${describe(value)}${
          typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: "${value}")` : ''
        }`,
      );
    } else {
      labels[key] = value;
    }
  }
  return ok ? labels : undefined;
}

/** Why a label name is refused, or null. Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function checkLabelName(name: string): string | null {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return 'label names must match [a-zA-Z_][a-zA-Z0-9_]*';
  if (name.startsWith('__')) return 'label names starting with __ are reserved by Prometheus';
  if (RESERVED_LABEL_NAMES.includes(name))
    return `"${name}" is a label dns-headroom or Prometheus already uses`;
  return null;
}

function warnBytes(input: unknown, at: PathSegments, issues: Issues): number | undefined {
  return number(input, at, 0, LIMITS.warnBytesMax, true, issues, ' (bytes of headroom under 512)');
}

function duration(
  input: unknown,
  at: PathSegments,
  minMs: number,
  maxMs: number,
  issues: Issues,
): number | undefined {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  if (typeof input === 'number') {
    // A bare number has no unit: 30 could mean seconds (Prometheus) or milliseconds (Node timers).
    return issues.add(
      at,
      `must be a duration with a unit, such as 30s, 500ms or 1m30s; got ${describe(input)}`,
    );
  }
  const ms = typeof input === 'string' ? parseDuration(input) : null;
  if (ms === null) {
    return issues.add(
      at,
      `must be a duration such as 30s, 500ms or 1m30s (units h, m, s, ms); got ${describe(input)}`,
    );
  }
  if (ms < minMs || ms > maxMs) return issues.add(at, `must be ${range}; got ${input}`);
  return ms;
}

function number(
  input: unknown,
  at: PathSegments,
  min: number,
  max: number,
  whole: boolean,
  issues: Issues,
  what = '',
): number | undefined {
  const ok = typeof input === 'number' && Number.isFinite(input) && input >= min && input <= max;
  if (ok && (!whole || Number.isInteger(input))) return input;
  return issues.add(
    at,
    `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}${what}; got ${describe(input)}`,
  );
}

function oneOf<T extends string>(
  input: unknown,
  at: PathSegments,
  allowed: readonly T[],
  issues: Issues,
): T | undefined {
  if (typeof input === 'string' && (allowed as readonly string[]).includes(input)) return input as T;
  return issues.add(at, `must be one of ${allowed.join(', ')}; got ${describe(input)}`);
}

function path(input: unknown, at: PathSegments, issues: Issues): string | undefined {
  if (typeof input === 'string' && input.trim() !== '') return input;
  return issues.add(at, `must be a file path; got ${describe(input)}`);
}

/** `:9553` (every interface), `127.0.0.1:9553`, `[::1]:9553`; port 0 asks the kernel for a free one. */
function listenAddress(input: unknown, at: PathSegments, issues: Issues): ListenAddress | undefined {
  const match = typeof input === 'string' ? /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(input) : null;
  const host = match?.[1] ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  const hostOk =
    host === ''
      ? match?.[1] === undefined
      : net.isIP(host) !== 0 && (match?.[1] === undefined) === net.isIPv4(host);
  if (match === null || !hostOk || port > 65_535) {
    return issues.add(
      at,
      `must be [HOST]:PORT with an IP literal or empty HOST and a PORT from 0 to 65535, such as ":9553", "127.0.0.1:9553" or "[::1]:9553"; got ${describe(input)}`,
    );
  }
  return { host: host === '' ? null : host, port };
}

function mapping(
  input: unknown,
  at: PathSegments,
  issues: Issues,
  what = 'a mapping (key: value)',
): Record<string, unknown> | undefined {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const proto = Object.getPrototypeOf(input);
    if (proto === Object.prototype || proto === null) return input as Record<string, unknown>;
  }
  return issues.add(at, `must be ${what}; got ${describe(input)}`);
}

function list(input: unknown, at: PathSegments, issues: Issues, what: string): unknown[] | undefined {
  if (Array.isArray(input)) return input;
  return issues.add(at, `must be a list of ${what} (write [] for none); got ${describe(input)}`);
}

function unknownKeys(
  map: Record<string, unknown>,
  known: readonly string[],
  at: PathSegments,
  issues: Issues,
  hint: (key: string) => string | undefined = () => undefined,
): void {
  for (const key of Object.keys(map)) {
    if (known.includes(key)) continue;
    const special = hint(key);
    const suggestion = suggestKey(key, known);
    issues.add(
      [...at, key],
      special ?? (suggestion === undefined ? 'unknown key' : `unknown key; did you mean "${suggestion}"?`),
    );
  }
}

/** A value as an issue message shows it. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
