/**
 * Configs for the alerting end-to-end test, derived from the shipped files so the test exercises
 * them: the rules of deploy/prometheus/alerts.yaml with every `for` set to 0s (the shipped values
 * are minutes to hours), and the route tree and inhibit rules of
 * deploy/prometheus/alertmanager.example.yaml with its receivers replaced by webhooks to the test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
/** The shipped alert rules. */
export const ALERTS_PATH = path.join(ROOT, 'deploy/prometheus/alerts.yaml');
/** The shipped Alertmanager example. */
export const ALERTMANAGER_EXAMPLE_PATH = path.join(ROOT, 'deploy/prometheus/alertmanager.example.yaml');

interface RuleFile {
  groups: { name: string; interval?: string; rules: { alert: string; for?: string }[] }[];
}

/** alerts.yaml with every `for` set to 0s, so an alert fires on its first true evaluation. */
export function testRules(): string {
  const rules = parse(readFileSync(ALERTS_PATH, 'utf8')) as RuleFile;
  for (const group of rules.groups) {
    for (const rule of group.rules) rule.for = '0s';
  }
  return stringify(rules);
}

/** A Prometheus config scraping the daemon as job "dns-headroom" every second. */
export function prometheusConfig(options: {
  daemon: string;
  alertmanager: string;
  rulesFile: string;
}): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [options.rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
    // The job name the ServiceMonitor gives the targets (jobLabel), which DNSHeadroomDown selects.
    scrape_configs: [{ job_name: 'dns-headroom', static_configs: [{ targets: [options.daemon] }] }],
  });
}

interface AlertmanagerConfig {
  route: { group_wait?: string; group_interval?: string; repeat_interval?: string; routes?: unknown[] };
  receivers: { name: string; [key: string]: unknown }[];
  inhibit_rules?: unknown[];
}

/**
 * The example's routes and inhibit rules, each receiver replaced by a webhook to
 * `${webhookUrl}/<receiver name>`, and the waits shortened from minutes to a second.
 */
export function alertmanagerConfig(webhookUrl: string): string {
  const config = parse(readFileSync(ALERTMANAGER_EXAMPLE_PATH, 'utf8')) as AlertmanagerConfig;
  config.receivers = config.receivers.map((r) => ({
    name: r.name,
    webhook_configs: [{ url: `${webhookUrl}/${r.name}`, send_resolved: false }],
  }));
  config.route.group_wait = '1s';
  config.route.group_interval = '1s';
  config.route.repeat_interval = '1h';
  return stringify(config);
}
