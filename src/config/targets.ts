/**
 * From configured targets to the units the daemon probes, one per (name, family, server), and the
 * difference between two sets of them, so the scheduler can start and stop probes and the metrics
 * layer can `remove()` the series of vanished ones (STYLE.md section 8); pure.
 */
import { formatServerAddress } from '../probe/server-address.ts';
import type { Family, ServerAddress } from '../probe/types.ts';
import type { Config } from './schema.ts';

/** One name, asked with one family, of one server: what the scheduler runs and the metrics label. */
export interface ExpandedTarget {
  /** Stable identity over reloads: see `targetKey`. */
  readonly key: string;
  /** As written in the config (the `target` label). */
  readonly name: string;
  readonly family: Family;
  readonly server: ServerAddress;
  readonly warnBytes: number;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Identity of a probe unit: the name lowercased (DNS names compare case-insensitively, RFC 4343)
 * with its trailing dot kept (an absolute name skips the search list, so it is another lookup), the
 * family and the server. Spaces separate the parts: a valid name never contains one.
 */
export function targetKey(name: string, family: Family, server: ServerAddress): string {
  // join(): one flat string per key; a template literal keeps its pieces as a tree of strings,
  // which every target would hold for as long as it is configured.
  return [name.toLowerCase(), family, formatServerAddress(server)].join(' ');
}

/**
 * Every probe unit of a config, in config order. Targets without servers use `resolvServers`
 * (the nameservers of `config.resolvConf`, which the caller reads). When two targets yield the
 * same unit (a server listed explicitly that is also in resolv.conf), the first one wins.
 */
export function expandTargets(
  config: Config,
  resolvServers: readonly ServerAddress[],
): readonly ExpandedTarget[] {
  const units = new Map<string, ExpandedTarget>();
  // One object per distinct server, shared by its units, so they share its label string too.
  const shared = new Map<string, ServerAddress>();
  const canonical = (server: ServerAddress) => {
    const text = formatServerAddress(server);
    const first = shared.get(text);
    if (first !== undefined) return first;
    shared.set(text, server);
    return server;
  };
  for (const target of config.targets) {
    const servers = (target.servers.length > 0 ? target.servers : resolvServers).map(canonical);
    for (const family of target.families) {
      for (const server of servers) {
        const key = targetKey(target.name, family, server);
        if (units.has(key)) continue;
        units.set(
          key,
          Object.freeze({
            key,
            name: target.name,
            family,
            server,
            warnBytes: target.warnBytes,
            labels: target.labels,
          }),
        );
      }
    }
  }
  return Object.freeze([...units.values()]);
}

/** What changed between two sets of probe units. */
export interface TargetDiff {
  /** Only in the new set. */
  readonly added: readonly ExpandedTarget[];
  /** Only in the old set (as they were): stop probing, remove their series. */
  readonly removed: readonly ExpandedTarget[];
  /** In both (as they are now): keep their history and schedule. */
  readonly kept: readonly ExpandedTarget[];
  /**
   * The part of `kept` whose metric label values changed (the name's spelling or the labels):
   * their old series must be removed and new ones created, although the probe itself continues.
   */
  readonly relabelled: readonly { readonly before: ExpandedTarget; readonly after: ExpandedTarget }[];
}

/** Compares two sets of probe units by `key`; pure. Order follows `next` (then `previous` for removals). */
export function diffTargets(
  previous: readonly ExpandedTarget[],
  next: readonly ExpandedTarget[],
): TargetDiff {
  const before = new Map(previous.map((unit) => [unit.key, unit]));
  const nextKeys = new Set(next.map((unit) => unit.key));
  const added: ExpandedTarget[] = [];
  const kept: ExpandedTarget[] = [];
  const relabelled: { before: ExpandedTarget; after: ExpandedTarget }[] = [];
  for (const unit of next) {
    const old = before.get(unit.key);
    if (old === undefined) {
      added.push(unit);
      continue;
    }
    kept.push(unit);
    if (old.name !== unit.name || !sameLabels(old.labels, unit.labels))
      relabelled.push({ before: old, after: unit });
  }
  const removed = previous.filter((unit) => !nextKeys.has(unit.key));
  return { added, removed, kept, relabelled };
}

/**
 * Every label name the targets of a config use, sorted: the extra label names per-target metrics
 * need (prom-client fixes label names when a metric is created, so a reload that changes this set
 * needs new metric objects).
 */
export function labelNames(config: Config): readonly string[] {
  const names = new Set<string>();
  for (const target of config.targets) for (const name of Object.keys(target.labels)) names.add(name);
  return Object.freeze([...names].sort());
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}
