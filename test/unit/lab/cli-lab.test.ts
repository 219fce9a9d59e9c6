import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LAB_PORT,
  formatScenarioList,
  isLoopback,
  LAB_HELP,
  parseLabArgs,
  plannedAddresses,
  scenarioListing,
} from '../../../src/cli/lab.ts';
import { SCENARIOS } from '../../../src/lab/scenarios.ts';

describe('parseLabArgs', () => {
  it('defaults: port 5300 on 127.0.0.1, growth every 20 s', () => {
    expect(parseLabArgs([])).toEqual({
      ok: true,
      args: {
        port: DEFAULT_LAB_PORT,
        address: '127.0.0.1',
        growEverySeconds: 20,
        list: false,
        json: false,
        kubernetesResolvConf: false,
        help: false,
      },
    });
  });

  it.each([
    { argv: ['--port', '0'], key: 'port', value: 0 },
    { argv: ['--port=65534'], key: 'port', value: 65_534 },
    { argv: ['--address', '::1'], key: 'address', value: '::1' },
    { argv: ['--address', '127.0.0.53'], key: 'address', value: '127.0.0.53' },
    { argv: ['--grow-every', '0.5'], key: 'growEverySeconds', value: 0.5 },
    { argv: ['--list', '--json'], key: 'json', value: true },
    { argv: ['-h'], key: 'help', value: true },
    { argv: ['--kubernetes-resolv-conf'], key: 'kubernetesResolvConf', value: true },
  ])('$argv', ({ argv, key, value }) => {
    const r = parseLabArgs(argv);
    expect(r.ok && (r.args as unknown as Record<string, unknown>)[key]).toBe(value);
  });

  it.each([
    { argv: ['--port', '65535'], message: /--port must be/ },
    { argv: ['--port', '-1'], message: /--port must be|ambiguous|argument missing/ },
    { argv: ['--port', 'abc'], message: /--port must be/ },
    { argv: ['--port', '1e3'], message: /--port must be/ },
    { argv: ['--port'], message: /argument missing/ },
    { argv: ['--address', '192.0.2.201'], message: /loopback/ },
    { argv: ['--address', 'localhost'], message: /loopback/ },
    { argv: ['--address', '::ffff:127.0.0.1'], message: /loopback/ },
    { argv: ['--grow-every', '0'], message: /--grow-every/ },
    { argv: ['--grow-every', 'soon'], message: /--grow-every/ },
    { argv: ['--frobnicate'], message: /Unknown option '--frobnicate'/ },
    { argv: ['extra'], message: /positional/ },
  ])('rejects $argv', ({ argv, message }) => {
    const r = parseLabArgs(argv);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });

  it.each([
    { address: '127.0.0.1', loopback: true },
    { address: '127.255.0.9', loopback: true },
    { address: '::1', loopback: true },
    { address: '0:0:0:0:0:0:0:1', loopback: true },
    { address: '0.0.0.0', loopback: false },
    { address: '::', loopback: false },
    { address: '192.0.2.1', loopback: false },
  ])('isLoopback($address) = $loopback', ({ address, loopback }) => {
    expect(isLoopback(address)).toBe(loopback);
  });
});

describe('listing', () => {
  const servers = plannedAddresses('127.0.0.1', 5300);

  it('plans port N for UDP+TCP and N+1 for UDP only', () => {
    expect(servers).toEqual({
      main: { host: '127.0.0.1', port: 5300 },
      udpOnly: { host: '127.0.0.1', port: 5301 },
    });
  });

  it('the human list shows every scenario with its verdict and probe command, hostile ones apart', () => {
    const text = formatScenarioList(servers, SCENARIOS);
    for (const s of SCENARIOS) {
      expect(text).toContain(s.description);
      expect(text).toMatch(
        new RegExp(`^${s.id}\\s+${s.expectedVerdict}\\s+${s.name.replaceAll('.', '\\.')}$`, 'm'),
      );
    }
    expect(text).toContain('$ dns-headroom probe partial.lab.test --server 127.0.0.1:5300');
    expect(text).toContain('$ dns-headroom probe tcp-refused.lab.test --server 127.0.0.1:5301');
    expect(text).toContain('dns-headroom lab --kubernetes-resolv-conf > lab-kubernetes.resolv.conf');
    expect(text).toContain(
      'Verdict over time: ok at 0 s (24 A), at_risk at 40 s (26 A), degraded at 120 s (30 A).',
    );
    expect(text.indexOf('Hostile replies')).toBeGreaterThan(text.indexOf('cut.lab.test'));
    expect(text.indexOf('Hostile replies')).toBeLessThan(text.indexOf('garbage.lab.test'));
  });

  it('the JSON list carries the same facts', () => {
    const doc = scenarioListing(plannedAddresses('::1', 5400), SCENARIOS);
    expect(doc.servers).toEqual({ main: '[::1]:5400', udpOnly: '[::1]:5401' });
    expect(doc.scenarios).toHaveLength(SCENARIOS.length);
    expect(doc.scenarios.find((s) => s.id === 'tcp-refused')).toMatchObject({
      name: 'tcp-refused.lab.test',
      expectedVerdict: 'failing',
      server: '[::1]:5401',
      hostile: false,
      command: 'dns-headroom probe tcp-refused.lab.test --server [::1]:5401',
    });
    expect(doc.scenarios.find((s) => s.id === 'silent')?.hostile).toBe(true);
    expect(doc.kubernetesResolvConf).toContain('nameserver ::1');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('help documents every flag and the default port', () => {
    for (const flag of [
      '--port',
      '--address',
      '--grow-every',
      '--list',
      '--json',
      '--kubernetes-resolv-conf',
      '--help',
    ]) {
      expect(LAB_HELP).toContain(flag);
    }
    expect(LAB_HELP).toContain('5300');
    expect(LAB_HELP).toContain('5353');
  });
});
