import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Config,
  checkLabelName,
  checkName,
  DEFAULTS,
  formatIssue,
  LIMITS,
  parseConfig,
  parseConfigText,
} from '../../../src/config/index.ts';

const FIXTURES = new URL('../../fixtures/config/', import.meta.url);
const fixture = (file: string) => readFileSync(new URL(file, FIXTURES), 'utf8');

/** Issues of a fixture as `file:line:column: path: message` lines. */
function issuesOf(file: string): string[] {
  const result = parseConfigText(fixture(file), file);
  return result.ok ? [] : result.issues.map(formatIssue);
}

function configOf(input: unknown): Config {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.config;
}

describe('parseConfig defaults', () => {
  it('fills every default from DEFAULTS', () => {
    expect(configOf({})).toEqual({
      intervalMs: 30_000,
      timeoutMs: 2_000,
      jitter: 0.1,
      concurrency: 32,
      queriesPerSecond: 100,
      listen: { host: null, port: 9553 },
      logLevel: 'info',
      resolvConf: '/etc/resolv.conf',
      targets: [],
      kubernetes: {
        dns: {
          probeEndpoints: false,
          service: { namespace: 'kube-system', name: 'kube-dns' },
          maxEndpoints: 10,
        },
        headless: {
          enabled: false,
          namespaces: [],
          labelSelector: '',
          clusterDomain: 'cluster.local',
          probeMarginBytes: 64,
          maxServices: 500,
        },
        externalName: { enabled: false, max: 100 },
        discovered: { families: ['unspec'], warnBytes: 64 },
      },
    });
  });

  it('gives a target the defaults section, then the built-in defaults', () => {
    expect(configOf({ targets: ['a.example.com'] }).targets).toEqual([
      { name: 'a.example.com', families: ['unspec'], warnBytes: 64, servers: [], labels: {} },
    ]);
    const config = configOf({
      defaults: { warnBytes: 10 },
      targets: [{ name: 'a.example.com', families: ['inet'] }],
    });
    expect(config.targets[0]).toEqual({
      name: 'a.example.com',
      families: ['inet'],
      warnBytes: 10,
      servers: [],
      labels: {},
    });
  });

  it('is deep-frozen', () => {
    const config = configOf({
      targets: [{ name: 'a.example.com', servers: ['192.0.2.201'], labels: { team: 'x' } }],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(Object.isFrozen(config.targets)).toBe(true);
    expect(Object.isFrozen(config.targets[0])).toBe(true);
    expect(Object.isFrozen(config.targets[0]?.servers[0])).toBe(true);
    expect(Object.isFrozen(config.targets[0]?.labels)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.defaults.families)).toBe(true);
  });

  it('does not share arrays with DEFAULTS (freezing a config cannot reach them)', () => {
    const config = configOf({ targets: ['a.example.com'] });
    expect(config.targets[0]?.families).not.toBe(DEFAULTS.defaults.families);
  });
});

describe('good.yaml', () => {
  it('sets every key', () => {
    const text = fixture('good.yaml');
    const result = parseConfigText(text, 'good.yaml');
    expect(result).toEqual({
      ok: true,
      config: {
        intervalMs: 90_000,
        timeoutMs: 1_500,
        jitter: 0.2,
        concurrency: 8,
        queriesPerSecond: 50.5,
        listen: { host: '127.0.0.1', port: 9554 },
        logLevel: 'debug',
        resolvConf: '/etc/netns/lab/resolv.conf',
        targets: [
          {
            name: 'api.example.com',
            families: ['inet'],
            warnBytes: 80,
            servers: [
              { host: '192.0.2.10', port: 53 },
              { host: '2001:db8::53', port: 5353 },
            ],
            labels: {},
          },
          {
            name: 'web.shop.svc.cluster.local.',
            families: ['inet', 'inet6', 'unspec'],
            warnBytes: 100,
            servers: [{ host: '127.0.0.1', port: 5300 }],
            labels: { team: 'payments', tier: 'critical' },
          },
          {
            name: 'API.example.com',
            families: ['inet'],
            warnBytes: 80,
            servers: [{ host: '198.51.100.1', port: 53 }],
            labels: { team: 'platform' },
          },
        ],
        kubernetes: {
          dns: { probeEndpoints: true, service: { namespace: 'dns', name: 'coredns' }, maxEndpoints: 3 },
          headless: {
            enabled: true,
            namespaces: ['shop', 'default'],
            labelSelector: 'app in (web,api),!canary',
            clusterDomain: 'k8s.example',
            probeMarginBytes: 32,
            maxServices: 50,
          },
          externalName: { enabled: true, max: 5 },
          discovered: { families: ['inet'], warnBytes: 80 },
        },
      },
    });
  });

  it('uses every key of DEFAULTS and of a target', () => {
    const text = fixture('good.yaml');
    for (const key of Object.keys(DEFAULTS)) expect(text).toMatch(new RegExp(`^${key}:`, 'm'));
    for (const key of ['name', 'families', 'warnBytes', 'servers', 'labels']) {
      expect(text).toMatch(new RegExp(`^ +(- )?${key}:`, 'm'));
    }
    for (const [section, keys] of Object.entries(DEFAULTS.kubernetes)) {
      expect(text).toMatch(new RegExp(`^  ${section}:`, 'm'));
      for (const key of Object.keys(keys)) expect(text).toMatch(new RegExp(`^    ${key}:`, 'm'));
    }
  });
});

// One fixture per rule, checked against the exact messages (blackbox_exporter
// config/config_test.go TestLoadBadConfigs).
const INVALID: readonly (readonly [string, readonly string[]])[] = [
  [
    'invalid-unknown-key.yaml',
    [
      'invalid-unknown-key.yaml:1:1: intervall: unknown key; did you mean "interval"?',
      'invalid-unknown-key.yaml:5:5: targets[0].familes: unknown key; did you mean "families"?',
      'invalid-unknown-key.yaml:6:5: targets[0].color: unknown key',
    ],
  ],
  [
    'invalid-moved-key.yaml',
    [
      'invalid-moved-key.yaml:1:1: servers: unknown key; "servers" is a per-target setting: put it under defaults (for every target) or on a target',
      'invalid-moved-key.yaml:2:1: warnBytes: unknown key; "warnBytes" is a per-target setting: put it under defaults (for every target) or on a target',
      'invalid-moved-key.yaml:4:3: defaults.labels: unknown key; "labels" can only be set on a target',
    ],
  ],
  [
    'invalid-duration.yaml',
    [
      'invalid-duration.yaml:1:1: interval: must be a duration with a unit, such as 30s, 500ms or 1m30s; got the number 30',
      'invalid-duration.yaml:2:1: timeout: must be a duration such as 30s, 500ms or 1m30s (units h, m, s, ms); got "1.5s"',
    ],
  ],
  [
    'invalid-duration-range.yaml',
    [
      'invalid-duration-range.yaml:1:1: interval: must be from 1s to 24h; got 500ms',
      'invalid-duration-range.yaml:2:1: timeout: must be from 10ms to 1m; got 2m',
    ],
  ],
  [
    'invalid-timeout-not-below-interval.yaml',
    ['invalid-timeout-not-below-interval.yaml:2:1: timeout: must be shorter than interval (5s); got 5s'],
  ],
  [
    'invalid-family.yaml',
    [
      'invalid-family.yaml:2:3: defaults.families: must list at least one family (inet, inet6, unspec)',
      'invalid-family.yaml:5:22: targets[0].families[1]: must be inet (AF_INET: A), inet6 (AF_INET6: AAAA) or unspec (AF_UNSPEC: both); got "ipv4"',
      'invalid-family.yaml:5:28: targets[0].families[2]: duplicate family "inet"',
    ],
  ],
  [
    'invalid-name.yaml',
    [
      'invalid-name.yaml:2:5: targets[0].name: "a..example.com" has an empty label',
      'invalid-name.yaml:3:5: targets[1].name: must be a hostname; got the number 123',
      'invalid-name.yaml:4:5: targets[2].name: is required',
      'invalid-name.yaml:5:5: targets[3]: "has space.example.com" contains white space or a backslash',
      `invalid-name.yaml:6:5: targets[4].name: "${'a'.repeat(64)}.example.com" has a label longer than 63 characters`,
    ],
  ],
  [
    'invalid-server.yaml',
    [
      'invalid-server.yaml:2:13: defaults.servers[0]: server "dns.example.com" is not an IP address (use an IP literal, e.g. 192.0.2.10, 127.0.0.1:5300 or [::1]:5300)',
      'invalid-server.yaml:5:15: targets[0].servers[0]: server "192.0.2.201:0" has an invalid port (use 1-65535)',
      'invalid-server.yaml:5:47: targets[0].servers[2]: duplicate server 192.0.2.202:53 (also targets[0].servers[1])',
      'invalid-server.yaml:5:65: targets[0].servers[3]: must be an address such as "192.0.2.10" or "[::1]:5300"; got the number 53',
    ],
  ],
  [
    'invalid-unquoted-ipv6.yaml',
    [
      'invalid-unquoted-ipv6.yaml:3:15: targets[0].servers[0]: must be an address such as "192.0.2.10" or "[::1]:5300"; got a mapping (quote bracketed IPv6 addresses: "[::1]:53")',
    ],
  ],
  [
    'invalid-duplicate-target.yaml',
    [
      'invalid-duplicate-target.yaml:4:5: targets[1]: probes the same name, family and server as targets[0] (A.Example.com, unspec, resolv.conf nameservers)',
    ],
  ],
  [
    'invalid-labels.yaml',
    [
      'invalid-labels.yaml:3:5: targets[0].labels: at most 5 labels per target; got 6',
      'invalid-labels.yaml:6:7: targets[1].labels["team-name"]: label names must match [a-zA-Z_][a-zA-Z0-9_]*',
      'invalid-labels.yaml:7:7: targets[1].labels.server: "server" is a label dns-headroom or Prometheus already uses',
      'invalid-labels.yaml:8:7: targets[1].labels.__meta: label names starting with __ are reserved by Prometheus',
      'invalid-labels.yaml:9:7: targets[1].labels.owner: must be a non-empty string of at most 128 characters; got ""',
      'invalid-labels.yaml:10:7: targets[1].labels.tier: must be a non-empty string of at most 128 characters; got the number 1 (quote it: "1")',
    ],
  ],
  [
    // `.txt`: Biome parses *.yaml, and `biome ci .` (test/static) would fail on a YAML syntax error.
    'invalid-yaml-syntax.yaml.txt',
    [
      'invalid-yaml-syntax.yaml.txt:4:3: (root): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ],
  [
    'invalid-duplicate-key.yaml',
    ['invalid-duplicate-key.yaml:2:1: (root): invalid YAML: Map keys must be unique'],
  ],
  [
    'invalid-wrong-type.yaml',
    [
      'invalid-wrong-type.yaml:1:1: jitter: must be a number from 0 to 0.5 (a fraction of interval); got "0.1"',
      'invalid-wrong-type.yaml:2:1: concurrency: must be a whole number from 1 to 1024; got the number 0',
      'invalid-wrong-type.yaml:3:1: queriesPerSecond: must be a number from 0.1 to 10000; got true',
      'invalid-wrong-type.yaml:4:1: logLevel: must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"',
      'invalid-wrong-type.yaml:5:1: resolvConf: must be a file path; got ""',
      'invalid-wrong-type.yaml:6:1: listen: must be [HOST]:PORT with an IP literal or empty HOST and a PORT from 0 to 65535, such as ":9553", "127.0.0.1:9553" or "[::1]:9553"; got the number 9553',
      'invalid-wrong-type.yaml:7:1: defaults: must be a mapping (key: value); got a list',
      'invalid-wrong-type.yaml:8:1: targets: must be a list of targets (write [] for none); got a mapping',
    ],
  ],
  [
    'invalid-ranges.yaml',
    [
      'invalid-ranges.yaml:1:1: jitter: must be a number from 0 to 0.5 (a fraction of interval); got the number 0.6',
      'invalid-ranges.yaml:2:1: concurrency: must be a whole number from 1 to 1024; got the number 2.5',
      'invalid-ranges.yaml:3:1: queriesPerSecond: must be a number from 0.1 to 10000; got the number 0',
      'invalid-ranges.yaml:5:3: defaults.warnBytes: must be a whole number from 0 to 512 (bytes of headroom under 512); got the number 600',
      'invalid-ranges.yaml:8:5: targets[0].warnBytes: must be a whole number from 0 to 512 (bytes of headroom under 512); got the number -1',
    ],
  ],
  [
    'invalid-listen.yaml',
    [
      'invalid-listen.yaml:1:1: listen: must be [HOST]:PORT with an IP literal or empty HOST and a PORT from 0 to 65535, such as ":9553", "127.0.0.1:9553" or "[::1]:9553"; got "::1:9553"',
    ],
  ],
  [
    'invalid-empty.yaml',
    ['invalid-empty.yaml: (root): the configuration is empty; write at least "targets: []"'],
  ],
  [
    'invalid-kubernetes.yaml',
    [
      'invalid-kubernetes.yaml:1:1: headless: unknown key; "headless" belongs under kubernetes',
      'invalid-kubernetes.yaml:4:5: kubernetes.dns.probeEndpoints: must be true or false; got "yes"',
      'invalid-kubernetes.yaml:5:5: kubernetes.dns.service: must be NAMESPACE/NAME of a Service, such as "kube-system/kube-dns"; got "kube-dns"',
      'invalid-kubernetes.yaml:6:5: kubernetes.dns.maxEndpoints: must be a whole number from 1 to 64; got the number 0',
      'invalid-kubernetes.yaml:7:5: kubernetes.dns.port: unknown key',
      'invalid-kubernetes.yaml:10:24: kubernetes.headless.namespaces[1]: must be a namespace name (a DNS-1123 label); got "Shop"',
      'invalid-kubernetes.yaml:10:30: kubernetes.headless.namespaces[2]: duplicate namespace "shop"',
      'invalid-kubernetes.yaml:11:5: kubernetes.headless.labelSelector: not a label selector: unbalanced parentheses',
      'invalid-kubernetes.yaml:12:5: kubernetes.headless.clusterDomain: must be a domain name without a trailing dot, such as "cluster.local"; got "cluster.local."',
      'invalid-kubernetes.yaml:13:5: kubernetes.headless.probeMarginBytes: must be a whole number from 0 to 512 (bytes of headroom under 512); got the number 600',
      'invalid-kubernetes.yaml:14:5: kubernetes.headless.maxServices: must be a whole number from 1 to 5000; got the number 0',
      'invalid-kubernetes.yaml:16:5: kubernetes.externalName.enabled: must be true or false; got the number 1',
      'invalid-kubernetes.yaml:17:5: kubernetes.externalName.max: must be a whole number from 1 to 1000; got the number 100000',
    ],
  ],
  [
    'invalid-root-list.yaml',
    ['invalid-root-list.yaml:1:1: (root): must be a mapping (key: value); got a list'],
  ],
];

describe('invalid fixtures', () => {
  it.each(INVALID)('%s', (file, expected) => {
    expect(issuesOf(file)).toEqual(expected);
  });

  it('has a table row for every invalid-*.yaml', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.startsWith('invalid-'));
    expect(INVALID.map(([file]) => file).sort()).toEqual(files.sort());
  });
});

describe('parseConfig issues (no text, so no line)', () => {
  it.each<[string, unknown, { path: string; message: string }[]]>([
    [
      'null input',
      null,
      [{ path: '(root)', message: 'the configuration is empty; write at least "targets: []"' }],
    ],
    ['a string', 'targets', [{ path: '(root)', message: 'must be a mapping (key: value); got "targets"' }]],
    [
      'snake_case key',
      { queries_per_second: 5, log_level: 'info' },
      [
        { path: 'queries_per_second', message: 'unknown key; did you mean "queriesPerSecond"?' },
        { path: 'log_level', message: 'unknown key; did you mean "logLevel"?' },
      ],
    ],
    [
      'name and labels at the top level',
      { name: 'a.example.com', labels: {} },
      [
        { path: 'name', message: 'unknown key; "name" belongs on a target (under targets)' },
        { path: 'labels', message: 'unknown key; "labels" belongs on a target (under targets)' },
      ],
    ],
    [
      'a target of the wrong type',
      { targets: [5] },
      [
        {
          path: 'targets[0]',
          message: 'must be a target (a mapping with name, or just the name); got the number 5',
        },
      ],
    ],
    [
      'null value',
      { interval: null },
      [{ path: 'interval', message: expect.stringMatching(/got an empty value$/) }],
    ],
    [
      'odd label key quoted in the path',
      { targets: [{ name: 'a.example.com', labels: { 'a.b': 'x' } }] },
      [{ path: 'targets[0].labels["a.b"]', message: 'label names must match [a-zA-Z_][a-zA-Z0-9_]*' }],
    ],
    [
      'too many servers',
      { defaults: { servers: Array.from({ length: 17 }, (_, i) => `192.0.2.${i + 1}`) } },
      [{ path: 'defaults.servers', message: 'at most 16 servers; got 17' }],
    ],
    [
      '__proto__ is just an unknown key',
      JSON.parse('{"__proto__": {"interval": "1s"}}'),
      [{ path: '__proto__', message: 'unknown key' }],
    ],
  ])('%s', (_, input, expected) => {
    expect(parseConfig(input)).toEqual({ ok: false, issues: expected });
  });

  it(`caps the number of targets at ${LIMITS.maxTargets}`, () => {
    const targets = Array.from({ length: LIMITS.maxTargets + 1 }, (_, i) => `t${i}.example.com`);
    expect(parseConfig({ targets })).toEqual({
      ok: false,
      issues: [{ path: 'targets', message: 'at most 20000 targets; got 20001' }],
    });
    expect(parseConfig({ targets: targets.slice(1) }).ok).toBe(true);
  });

  it('caps distinct label names over all targets', () => {
    const targets = Array.from({ length: 11 }, (_, i) => ({
      name: `t${i}.example.com`,
      labels: { [`k${i}`]: 'v' },
    }));
    expect(parseConfig({ targets })).toEqual({
      ok: false,
      issues: [
        {
          path: 'targets',
          message:
            'at most 10 distinct label names over all targets; got 11 (k0, k1, k10, k2, k3, k4, k5, k6, k7, k8, k9)',
        },
      ],
    });
  });

  it('reports a broken defaults entry once, not again on each target', () => {
    const result = parseConfig({
      defaults: { families: ['bogus'] },
      targets: ['a.example.com', 'b.example.com'],
    });
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['defaults.families[0]']);
  });

  it('accepts a name differing only by the trailing dot, or by server, as another target', () => {
    const config = configOf({
      targets: ['a.example.com', 'a.example.com.', { name: 'a.example.com', servers: ['192.0.2.1'] }],
    });
    expect(config.targets).toHaveLength(3);
  });
});

describe('listen', () => {
  it.each([
    [':9553', { host: null, port: 9553 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::]:9553', { host: '::', port: 9553 }],
    ['[::1]:0', { host: '::1', port: 0 }],
  ])('%s', (listen, expected) => {
    expect(configOf({ listen }).listen).toEqual(expected);
  });

  it.each(['9553', '127.0.0.1', 'localhost:9553', '[]:9553', '[127.0.0.1]:9553', ':65536', '::1:9553', ''])(
    'refuses %j',
    (listen) => {
      const result = parseConfig({ listen });
      expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['listen']);
    },
  );
});

describe('checkName (same rules as the probe CLI)', () => {
  it.each([
    ['api.example.com', null],
    ['api.example.com.', null],
    ['_srv._tcp.example.com', null],
    ['kubernetes', null],
    ['', '"" is not a hostname'],
    ['.', '"." is not a hostname'],
    ['a..b', '"a..b" has an empty label'],
    ['.a', '".a" has an empty label'],
    [`${'a'.repeat(63)}.b`, null],
    [`${'a'.repeat(64)}.b`, `"${'a'.repeat(64)}.b" has a label longer than 63 characters`],
    [`${'a.'.repeat(126)}a`, null],
    [`${'a.'.repeat(126)}ab`, `"${'a.'.repeat(20)}..." is longer than 253 characters`],
    ['a b', '"a b" contains white space or a backslash'],
    ['a\\.b', '"a\\.b" contains white space or a backslash'],
  ])('%j', (name, expected) => {
    expect(checkName(name)).toBe(expected);
  });
});

describe('checkLabelName', () => {
  it.each([
    ['team', null],
    ['_x9', null],
    ['9x', 'label names must match [a-zA-Z_][a-zA-Z0-9_]*'],
    ['a-b', 'label names must match [a-zA-Z_][a-zA-Z0-9_]*'],
    ['__name__', 'label names starting with __ are reserved by Prometheus'],
    ['instance', '"instance" is a label dns-headroom or Prometheus already uses'],
    ['le', '"le" is a label dns-headroom or Prometheus already uses'],
    ['target', '"target" is a label dns-headroom or Prometheus already uses'],
  ])('%j', (name, expected) => {
    expect(checkLabelName(name)).toBe(expected);
  });
});

describe('YAML edge cases', () => {
  it.each([
    [
      'an unresolved alias',
      'a: *x\n',
      '(root): invalid YAML: Unresolved alias (the anchor must be set before the alias): x',
    ],
    ['an unknown tag', 'interval: !foo 1s\n', '(root): invalid YAML: Unresolved tag: !foo'],
    [
      'two documents',
      'interval: 1s\n---\ntimeout: 1s\n',
      '(root): invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ],
  ])('refuses %s', (_, text, expected) => {
    const result = parseConfigText(text, 'x.yaml');
    expect(result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      expected,
    ]);
  });

  it('allows anchors and aliases (one server list for several targets)', () => {
    const text =
      'targets:\n  - name: a.example.com\n    servers: &s ["192.0.2.1"]\n  - name: b.example.com\n    servers: *s\n';
    const config = parseConfigText(text, 'x.yaml');
    expect(config.ok && config.config.targets.map((t) => t.servers)).toEqual([
      [{ host: '192.0.2.1', port: 53 }],
      [{ host: '192.0.2.1', port: 53 }],
    ]);
  });

  it('locates issues inside an alias at the alias', () => {
    const text = 'defaults:\n  servers: &s [bogus]\ntargets:\n  - name: a.example.com\n    servers: *s\n';
    const result = parseConfigText(text, 'x.yaml');
    expect(result.ok ? [] : result.issues.map((i) => [i.path, i.line])).toEqual([
      ['defaults.servers[0]', 2],
      ['targets[0].servers[0]', 5],
    ]);
  });
});
