/**
 * Generates the Prometheus Operator PrometheusRule (deploy/kustomize/components/prometheusrule)
 * from deploy/prometheus/alerts.yaml, the one source of truth for the alert rules. Kustomize cannot
 * wrap a plain rule file into a resource's `spec`, so the wrapper is generated and committed, and a
 * test fails when it is stale. The rule text is copied verbatim (indented under `spec:`), so its
 * comments survive into the cluster-facing file.
 *
 *   npx node test/deploy/helpers/prometheus-rule.ts           exit 1 when the committed file is stale
 *   npx node test/deploy/helpers/prometheus-rule.ts --write   regenerate it
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** The alert rule file: the source of truth. */
export const ALERTS_PATH = path.join(ROOT, 'deploy/prometheus/alerts.yaml');
/** The generated PrometheusRule. */
export const PROMETHEUS_RULE_PATH = path.join(
  ROOT,
  'deploy/kustomize/components/prometheusrule/prometheusrule.yaml',
);
/** How to regenerate, as printed in the generated file and in test failures. */
export const REGENERATE = 'npx node test/deploy/helpers/prometheus-rule.ts --write';

/** Wraps the text of a plain Prometheus rule file into a PrometheusRule manifest. */
export function renderPrometheusRule(alertsText: string): string {
  const lines = alertsText.split('\n');
  const start = lines.findIndex((line) => line.startsWith('groups:'));
  if (start < 0) throw new Error('alerts.yaml has no top-level "groups:" key');
  const body = lines
    .slice(start)
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n')
    .replace(/\n+$/, '');
  return [
    '# GENERATED from deploy/prometheus/alerts.yaml: do not edit. Regenerate with',
    `#   ${REGENERATE}`,
    '# (a test in test/deploy fails when this file and alerts.yaml differ).',
    'apiVersion: monitoring.coreos.com/v1',
    'kind: PrometheusRule',
    'metadata:',
    '  name: dns-headroom',
    '  labels:',
    '    app.kubernetes.io/name: dns-headroom',
    'spec:',
    body,
    '',
  ].join('\n');
}

if (import.meta.main) {
  const expected = renderPrometheusRule(readFileSync(ALERTS_PATH, 'utf8'));
  if (process.argv.includes('--write')) {
    writeFileSync(PROMETHEUS_RULE_PATH, expected);
    process.stdout.write(`wrote ${path.relative(ROOT, PROMETHEUS_RULE_PATH)}\n`);
  } else {
    let current = '';
    try {
      current = readFileSync(PROMETHEUS_RULE_PATH, 'utf8');
    } catch {}
    const fresh = current === expected;
    process.stdout.write(fresh ? 'up to date\n' : `stale: run ${REGENERATE}\n`);
    process.exitCode = fresh ? 0 : 1;
  }
}
