/**
 * The Alertmanager example (deploy/prometheus/alertmanager.example.yaml), checked by the real
 * amtool: the config loads, each severity the rules use reaches its receiver (critical pages,
 * warning goes to chat), and the empty-answer alert inhibits the warnings about the same answer.
 * The inhibition itself is exercised against a running Alertmanager in test/e2e/alerting.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/prometheus-rule.ts';
import { loadAlerts } from './helpers/rules.ts';
import { AMTOOL, requireTool, run } from './helpers/tools.ts';

const CONFIG = path.join(ROOT, 'deploy/prometheus/alertmanager.example.yaml');

interface AlertmanagerConfig {
  route: { receiver: string; routes?: { matchers?: string[]; receiver: string }[] };
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  receivers: { name: string }[];
}
const config = parse(readFileSync(CONFIG, 'utf8')) as AlertmanagerConfig;

/** The receiver amtool routes a label set to. */
async function routeOf(labels: Readonly<Record<string, string>>): Promise<string> {
  const amtool = requireTool(AMTOOL);
  const result = await run(amtool, [
    'config',
    'routes',
    'test',
    `--config.file=${CONFIG}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('alertmanager.example.yaml', () => {
  it('passes amtool check-config', async () => {
    const amtool = requireTool(AMTOOL);
    const result = await run(amtool, ['check-config', CONFIG]);
    expect(result.stdout, result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it.each([
    ['critical', 'pager'],
    ['warning', 'chat'],
  ])('routes severity=%s to %s (amtool config routes test)', async (severity, receiver) => {
    expect(await routeOf({ severity, alertname: 'Any' })).toBe(receiver);
  });

  it.each(loadAlerts().map((a) => [a.alert, a.labels?.severity ?? ''] as const))(
    'routes %s (%s) to the receiver of its severity',
    async (alertname, severity) => {
      const expected = severity === 'critical' ? 'pager' : 'chat';
      expect(
        await routeOf({ alertname, severity, target: 'web.shop', server: '192.0.2.10:53', node: 'node-a' }),
      ).toBe(expected);
    },
  );

  it('has a receiver for every route', () => {
    const receivers = config.receivers.map((r) => r.name);
    for (const r of [config.route, ...(config.route.routes ?? [])]) expect(receivers).toContain(r.receiver);
  });

  it('inhibits DNSResponseTruncated and DNSResponseNearUDPLimit by DNSTruncatedEmptyAnswer for the same answer', () => {
    expect(config.inhibit_rules).toHaveLength(1);
    const rule = config.inhibit_rules[0] as AlertmanagerConfig['inhibit_rules'][number];
    expect(rule.source_matchers).toEqual(['alertname="DNSTruncatedEmptyAnswer"']);
    const target = /^alertname=~"(.*)"$/.exec(rule.target_matchers[0] ?? '')?.[1] ?? '';
    expect(target.split('|').sort()).toEqual(['DNSResponseNearUDPLimit', 'DNSResponseTruncated']);
    expect(rule.equal).toEqual(['target', 'server', 'node']);
  });

  it('holds no secrets: receivers read them from files', () => {
    const text = readFileSync(CONFIG, 'utf8');
    expect(text).not.toMatch(/routing_key:|service_key:|api_url:|hooks\.slack\.com/);
    expect(text).toContain('routing_key_file:');
    expect(text).toContain('api_url_file:');
  });
});
