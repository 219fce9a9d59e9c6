import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/index.ts';

describe('parseDuration (Prometheus style, whole units, largest first)', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['90s', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '1.5s', '-1s', '1d', '30S', ' 30s', '30s ', '1s1m', 's', 'ms', '1m1m', '30 s', '1e3ms'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_000, '1s'],
    [90_000, '1m30s'],
    [86_400_000, '24h'],
    [3_723_004, '1h2m3s4ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
