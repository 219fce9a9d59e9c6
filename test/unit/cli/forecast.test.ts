import { describe, expect, it } from 'vitest';
import {
  forecastReport,
  parseForecastArgs,
  recordCounts,
  renderForecast,
  runForecast,
} from '../../../src/cli/forecast.ts';

function io() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: {
        write: (s: string) => {
          out += s;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      stderr: {
        write: (s: string) => {
          err += s;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      env: {},
    },
    out: () => out,
    err: () => err,
  };
}

describe('parseForecastArgs', () => {
  it.each([
    [
      ['--endpoints', '27', '--name', 'web.shop.svc.cluster.local.'],
      { endpoints: 27, name: 'web.shop.svc.cluster.local', family: 'unspec', stack: 'ipv4', json: false },
    ],
    [
      ['--endpoints', '0', '--name', 'A.b', '--family', 'inet6', '--stack', 'dual', '--json'],
      { endpoints: 0, name: 'a.b', family: 'inet6', stack: 'dual', json: true },
    ],
  ])('%j', (args, options) => {
    expect(parseForecastArgs(args)).toEqual({ ok: true, options });
  });

  it.each([
    [[], '--endpoints N is required'],
    [['--endpoints', '5'], '--name NAME is required'],
    [['--endpoints', '-1', '--name', 'a'], expect.stringContaining('--endpoints')],
    [['--endpoints', '10001', '--name', 'a'], '--endpoints takes a whole number from 0 to 10000'],
    [['--endpoints', '2.5', '--name', 'a'], '--endpoints takes a whole number from 0 to 10000'],
    [['--endpoints', '5', '--name', 'a..b'], '--name: "a..b" has an empty label'],
    [
      ['--endpoints', '5', '--name', 'a', '--family', 'ipv4'],
      '--family takes inet, inet6 or unspec, not "ipv4"',
    ],
    [['--endpoints', '5', '--name', 'a', '--stack', 'v4'], '--stack takes ipv4, ipv6 or dual, not "v4"'],
    [['--endpoints', '5', '--name', 'a', 'extra'], expect.stringContaining('extra')],
  ])('%j is a usage error', (args, message) => {
    expect(parseForecastArgs(args)).toEqual({ ok: false, message });
  });
});

describe('forecast', () => {
  it.each([
    ['ipv4', { A: 7, AAAA: 0 }],
    ['ipv6', { A: 0, AAAA: 7 }],
    ['dual', { A: 7, AAAA: 7 }],
  ] as const)('%s stack records', (stack, counts) => {
    expect(recordCounts(7, stack)).toEqual(counts);
  });

  it('answers the issue example: 27 of 29 fits, 35 does not', () => {
    const fits = forecastReport({
      endpoints: 27,
      name: 'web.shop.svc.cluster.local',
      family: 'unspec',
      stack: 'ipv4',
      json: false,
    });
    expect(fits.fits).toBe(true);
    expect(fits.qtypes.A).toMatchObject({ predictedBytes: 476, headroomBytes: 36, maxSafeEndpoints: 29 });
    expect(renderForecast(fits)).toContain('27 of 29 safe endpoints');
    const over = forecastReport({
      endpoints: 35,
      name: 'web.shop.svc.cluster.local',
      family: 'unspec',
      stack: 'ipv4',
      json: false,
    });
    expect(over.fits).toBe(false);
    expect(over.clients['musl-1.2.3']).toEqual({ addresses: 29, error: null });
    expect(over.clients.glibc).toEqual({ addresses: 35, error: null });
    expect(renderForecast(over)).toContain('musl <= 1.2.3 pods (no TCP retry) get 29 of 35 addresses');
  });

  it.each([
    [['--endpoints', '29', '--name', 'web.shop.svc.cluster.local'], 0],
    [['--endpoints', '30', '--name', 'web.shop.svc.cluster.local'], 1],
    [['--endpoints', '30', '--name', 'web.shop.svc.cluster.local', '--json'], 1],
    [['--endpoints', 'many', '--name', 'web'], 2],
    [['--help'], 0],
  ])('%j exits %i', async (args, code) => {
    const t = io();
    expect(await runForecast(args, t.io)).toBe(code);
    if (args.includes('--json')) expect(JSON.parse(t.out())).toMatchObject({ fits: false, endpoints: 30 });
    if (code === 2) expect(t.err()).toContain('dns-headroom forecast:');
  });
});
