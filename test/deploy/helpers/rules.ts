/**
 * Readers for the alerting artefacts: the rule file, the promtool test files, the runbooks and the
 * metric table in docs/metrics.md. Parsing only; the assertions live in the tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ALERTS_PATH, ROOT } from './prometheus-rule.ts';

/** One alerting rule as written in alerts.yaml. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A rule file: groups of rules. */
export interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

/** Directory of the promtool unit tests. */
export const RULE_TESTS_DIR = path.join(ROOT, 'deploy/prometheus/tests');
/** Directory of the runbooks. */
export const RUNBOOKS_DIR = path.join(ROOT, 'docs/runbooks');
/** Where every runbook_url points: the repository's docs/runbooks on the main branch. */
export const RUNBOOK_BASE = 'https://github.com/dns-headroom/dns-headroom/blob/main/docs/runbooks/';

/** The parsed alerts.yaml. */
export function loadRules(): RuleFile {
  return parse(readFileSync(ALERTS_PATH, 'utf8')) as RuleFile;
}

/** Every alerting rule of alerts.yaml, in file order. */
export function loadAlerts(): AlertRule[] {
  return loadRules().groups.flatMap((g) => g.rules);
}

/** One `alert_rule_test` entry of a promtool test file. */
export interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts?: readonly unknown[] | null;
}

/** A promtool test file (the keys these tests use). */
export interface RuleTestFile {
  readonly rule_files: readonly string[];
  readonly tests: readonly { readonly name?: string; readonly alert_rule_test?: readonly AlertRuleTest[] }[];
}

/** Absolute paths of the promtool test files. */
export function ruleTestFiles(): string[] {
  return readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(RULE_TESTS_DIR, f));
}

/** Every alert_rule_test case over all test files. */
export function alertRuleTests(): { file: string; test: AlertRuleTest }[] {
  return ruleTestFiles().flatMap((file) => {
    const doc = parse(readFileSync(file, 'utf8')) as RuleTestFile;
    return doc.tests.flatMap((t) =>
      (t.alert_rule_test ?? []).map((test) => ({ file: path.basename(file), test })),
    );
  });
}

/** Runbook file names (without `.md`), excluding the README index. */
export function runbookNames(): string[] {
  return readdirSync(RUNBOOKS_DIR)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => f.slice(0, -'.md'.length))
    .sort();
}

/** Level-2 headings of a Markdown document and the text under each, in order. */
export function sections(markdown: string): { heading: string; body: string }[] {
  const out: { heading: string; body: string }[] = [];
  for (const part of markdown.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n');
    out.push({ heading: part.slice(0, newline).trim(), body: part.slice(newline + 1) });
  }
  return out;
}

/** The metric table of docs/metrics.md: metric name to its documented label names. */
export function documentedMetrics(): Map<string, string[]> {
  const text = readFileSync(path.join(ROOT, 'docs/metrics.md'), 'utf8');
  const metrics = new Map<string, string[]>();
  for (const m of text.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \| [a-z]+ \|\s*([^|]*?)\s*\|/gm)) {
    const labels = (m[2] ?? '')
      .split(',')
      .map((l) => l.trim().replace(/^and /, ''))
      .filter((l) => /^[a-z_]+$/.test(l));
    metrics.set(m[1] as string, labels);
  }
  return metrics;
}

/**
 * Metric names a PromQL expression reads. Label names inside `{...}`, `by (...)`,
 * `ignoring (...)` and `without (...)`, and function names, are not metric names.
 */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutLabels = withoutStrings
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = new Set<string>();
  for (const m of withoutLabels.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)) {
    const word = m[1] as string;
    if (m[2]) continue; // a function call
    if (/^(?:and|or|unless|bool|offset)$/.test(word)) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** `label="value"` matchers inside selectors, per metric name. */
export function selectorMatchers(expr: string): { metric: string; label: string; value: string }[] {
  const out: { metric: string; label: string; value: string }[] = [];
  for (const m of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
    for (const l of (m[2] as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=~?\s*"([^"]*)"/g)) {
      out.push({ metric: m[1] as string, label: l[1] as string, value: l[2] as string });
    }
  }
  return out;
}

/** Label names in `by`, `without`, `on` and `ignoring` clauses. */
export function groupingLabels(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) {
    for (const l of (m[1] as string).split(',')) if (l.trim() !== '') out.add(l.trim());
  }
  return [...out].sort();
}

/** Parses a Prometheus duration (`30s`, `1h`, `1h30m`) into seconds. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86_400,
    w: 604_800,
    y: 31_536_000,
  };
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const m = /^(\d+)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!m) throw new Error(`not a Prometheus duration: ${text}`);
    total += Number(m[1]) * (units[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return total;
}
