/**
 * Per-target series are records turned into samples at scrape time: a change of config label
 * names re-labels the info metric without dropping what targets measured, and a removed target
 * leaves no series behind.
 */
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastRegistry } from '../../../src/metrics/index.ts';
import { CHUNK_BYTES } from '../../../src/metrics/piece-pool.ts';
import { TargetSeries } from '../../../src/metrics/target-series.ts';
import { parseSamples } from '../../helpers/prom-text.ts';

const T = { target: 'web.lab.test', family: 'unspec', server: '192.0.2.53:53' };

function measured(series: TargetSeries) {
  const r = series.record(T);
  r.info = { team: 'payments', tier: 'gold' };
  r.verdict = 'ok';
  r.success = 1;
  r.qtypes.A = { udpBytes: 95, udpAddresses: 4, truncated: 0, fullBytes: 95, fullAddresses: 4, tcp: 1 };
}

describe('TargetSeries', () => {
  it('renames info labels at scrape time and keeps measured values', async () => {
    const registry = new Registry();
    const series = new TargetSeries(registry, ['team']);
    measured(series);
    let samples = parseSamples(await registry.metrics());
    expect(samples.find((s) => s.name === 'dnsheadroom_target_info')?.labels).toEqual({
      ...T,
      team: 'payments',
    });

    series.setInfoNames(['team', 'tier']);
    samples = parseSamples(await registry.metrics());
    expect(samples.find((s) => s.name === 'dnsheadroom_target_info')?.labels).toEqual({
      ...T,
      team: 'payments',
      tier: 'gold',
    });
    expect(samples.find((s) => s.name === 'dnsheadroom_headroom_bytes')).toMatchObject({ value: 417 });
    expect(samples.filter((s) => s.name === 'dnsheadroom_verdict' && s.value === 1)).toHaveLength(1);
  });

  it('leaves no series of a removed target', async () => {
    const registry = new Registry();
    const series = new TargetSeries(registry, []);
    measured(series);
    series.remove(T);
    expect(parseSamples(await registry.metrics()).filter((s) => s.labels.target === T.target)).toEqual([]);
  });
});

describe('FastRegistry', () => {
  /** Per-target families with measured, pending and hostile label values, default labels, and a plain gauge. */
  function populated(registry: Registry) {
    registry.setDefaultLabels({ node: 'node-"a"\\b' });
    const series = new TargetSeries(registry, ['team']);
    measured(series);
    const odd = series.record({
      target: 'odd"name\\with\nbreaks.lab.test',
      family: 'inet',
      server: '[2001:db8::53]:53',
    });
    // Non-ASCII: the renderer copies ASCII text byte by byte and encodes the rest as UTF-8.
    odd.info = { team: 'pay"ments Zahlungsverkehr \u00fc \u{1F4B8}' };
    odd.verdict = 'failing';
    odd.success = 1;
    odd.clients = [0, 3, 3, 3];
    odd.lastProbeSeconds = 1_795_000_000.125;
    odd.qtypes.AAAA = {
      udpBytes: 540,
      udpAddresses: 0,
      truncated: 1,
      fullBytes: 700,
      fullAddresses: 20,
      tcp: 0,
    };
    series.record({ target: 'pending.lab.test', family: 'inet6', server: '198.51.100.53:53' });
    new Gauge({
      name: 'dnsheadroom_test_plain',
      help: 'A plain gauge.',
      labelNames: ['transport'],
      registers: [registry],
    }).set({ transport: 'udp' }, 3);
  }

  it("writes the same exposition text as prom-client's own formatting", async () => {
    const plain = new Registry();
    const fast = new FastRegistry();
    populated(plain);
    populated(fast);
    const expected = await plain.metrics();
    const actual = await fast.metrics();
    expect(actual).toBe(expected);
    // The per-target families are really in it, escaped, with the default label (not an empty comparison).
    expect(actual).toContain('dnsheadroom_target_info{target="odd\\"name\\\\with\\nbreaks.lab.test"');
    expect(actual).toContain('dnsheadroom_headroom_bytes{target="odd');
    expect(actual).toContain('node="node-\\"a\\"\\\\b"');
    expect(actual.match(/^dnsheadroom_verdict\{/gm)).toHaveLength(15);
    expect(actual).toContain('team="pay\\"ments Zahlungsverkehr \u00fc \u{1F4B8}"');
  });

  it('writes values as prom-client does, a line longer than a piece whole, and pieces of at most CHUNK_BYTES otherwise', async () => {
    const plain = new Registry();
    const fast = new FastRegistry();
    const values = [
      0,
      -0,
      1,
      9,
      10,
      512,
      -188,
      999_999_999_999_999,
      1e15,
      -1e15,
      2 ** 53,
      1e21,
      0.5,
      -1.25e-7,
      1_795_000_000.125,
    ];
    for (const registry of [plain, fast]) {
      const series = new TargetSeries(registry, ['note']);
      values.forEach((v, i) => {
        const r = series.record({ target: `v${i}.lab.test`, family: 'unspec', server: '192.0.2.53:53' });
        r.lastProbeSeconds = v;
        r.qtypes.A = {
          udpBytes: v,
          udpAddresses: null,
          truncated: null,
          fullBytes: v,
          fullAddresses: null,
          tcp: null,
        };
      });
      // One label value longer than a whole piece, between ordinary targets.
      series.record({ target: 'long.lab.test', family: 'unspec', server: '192.0.2.53:53' }).info = {
        note: '\u00e9'.repeat(CHUNK_BYTES),
      };
      for (let i = 0; i < 3000; i++)
        series.record({ target: `t${i}.lab.test`, family: 'unspec', server: '192.0.2.53:53' });
    }
    expect(await fast.metrics()).toBe(await plain.metrics());
    const pieces: (string | Uint8Array)[] = [];
    for await (const piece of fast.chunks()) pieces.push(piece);
    const sizes = pieces.map((p) => (typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength));
    expect(Math.max(...sizes)).toBeGreaterThan(2 * CHUNK_BYTES); // the long line, in one piece
    expect(sizes.filter((n) => n > CHUNK_BYTES)).toHaveLength(1);
    expect(sizes.filter((n) => n > CHUNK_BYTES / 2).length).toBeGreaterThan(3); // pieces, not one per line
  });
});
