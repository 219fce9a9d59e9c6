/**
 * Per-target series are records turned into samples at scrape time: a change of config label
 * names re-labels the info metric without dropping what targets measured, and a removed target
 * leaves no series behind.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TargetSeries } from '../../../src/metrics/target-series.ts';
import { parseSamples } from '../../helpers/prom-text.ts';

const T = { target: 'web.lab.test', family: 'unspec', server: '192.0.2.53:53' };

function measured(series: TargetSeries) {
  const r = series.record(T);
  r.info = { team: 'payments', tier: 'gold' };
  r.verdict = 'ok';
  r.success = 1;
  r.qtypes = new Map([
    ['A', { udpBytes: 95, udpAddresses: 4, truncated: 0, fullBytes: 95, fullAddresses: 4, tcp: 1 }],
  ]);
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
