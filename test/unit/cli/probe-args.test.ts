import { describe, expect, it } from 'vitest';
import { parseProbeArgs } from '../../../src/cli/probe.ts';

describe('parseProbeArgs', () => {
  it('applies defaults', () => {
    expect(parseProbeArgs(['web.lab.test'])).toEqual({
      ok: true,
      options: {
        names: ['web.lab.test'],
        servers: [],
        resolvConf: null,
        family: 'unspec',
        json: false,
        timeoutMs: 2000,
        warnBytes: 64,
        ednsPayloadSize: undefined,
        help: false,
      },
    });
  });

  it('reads every option', () => {
    const parsed = parseProbeArgs([
      'a.lab.test',
      'b.lab.test',
      '--server',
      '127.0.0.1:5300',
      '--server',
      '[::1]:5300',
      '--resolv-conf',
      'fixtures/k8s.conf',
      '--family',
      'inet6',
      '--json',
      '--timeout',
      '500',
      '--warn-bytes',
      '100',
      '--edns',
      '1232',
    ]);
    expect(parsed).toEqual({
      ok: true,
      options: {
        names: ['a.lab.test', 'b.lab.test'],
        servers: [
          { host: '127.0.0.1', port: 5300 },
          { host: '::1', port: 5300 },
        ],
        resolvConf: 'fixtures/k8s.conf',
        family: 'inet6',
        json: true,
        timeoutMs: 500,
        warnBytes: 100,
        ednsPayloadSize: 1232,
        help: false,
      },
    });
  });

  it.each([
    [[], 'at least one NAME'],
    [['x.test', '--family', 'ipv4'], 'inet, inet6 or unspec'],
    [['x.test', '--server', 'dns.example'], 'not an IP address'],
    [['x.test', '--timeout', '0'], '--timeout takes a whole number'],
    [['x.test', '--timeout', 'soon'], '--timeout takes a whole number'],
    [['x.test', '--warn-bytes', '600'], '--warn-bytes takes a whole number from 0 to 512'],
    [['x.test', '--edns', '100'], '--edns takes a whole number from 512'],
    [['x.test', '--bogus'], "Unknown option '--bogus'"],
    [['a..b'], 'empty label'],
  ])('rejects %j', (args, message) => {
    const parsed = parseProbeArgs(args);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it('accepts --help without a name', () => {
    expect(parseProbeArgs(['--help'])).toMatchObject({ ok: true, options: { help: true } });
  });
});
