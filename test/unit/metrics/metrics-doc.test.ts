/**
 * Metrics are a public API (STYLE.md principle 4): docs/metrics.md must list exactly the metrics
 * the registry holds, with their type and label names.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/index.ts';

const DOC = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

interface Row {
  type: string;
  labels: string[];
}

function documented(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const m of DOC.matchAll(/^\| `(dnsheadroom_[a-z_]+)` \| (\w+) \|([^|]*)\|/gm)) {
    const labels = (m[3] ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('and '));
    rows.set(m[1] as string, { type: m[2] as string, labels });
  }
  return rows;
}

describe('docs/metrics.md', () => {
  it('lists every dnsheadroom_ metric of the registry with its type and labels, and nothing else', async () => {
    const registry = new Registry();
    createMetrics(registry, { version: '0.0.0-test', defaultMetrics: false });
    const actual = new Map<string, Row>();
    for (const metric of await registry.getMetricsAsJSON()) {
      const m = metric as unknown as { name: string; type: string; labelNames?: string[] };
      const own = (registry.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames;
      actual.set(m.name, { type: String(m.type), labels: [...own] });
    }
    const doc = documented();
    expect([...doc.keys()].sort()).toEqual([...actual.keys()].sort());
    for (const [name, row] of actual) {
      expect(doc.get(name)?.type, name).toBe(row.type);
      expect(doc.get(name)?.labels, name).toEqual(row.labels);
    }
  });
});
