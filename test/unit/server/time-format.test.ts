/** Times on the status page. */
import { describe, expect, it } from 'vitest';
import { formatAge, formatUtc, formatUtcShort, isoTime } from '../../../src/server/time-format.ts';

const T = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('formatAge', () => {
  it.each([
    [0, 'just now'],
    [999, 'just now'],
    [-5_000, 'just now'],
    [1_000, '1 s ago'],
    [59_999, '59 s ago'],
    [60_000, '1 min ago'],
    [3_599_000, '59 min ago'],
    [3_600_000, '1 h ago'],
    [3_660_000, '1 h 1 min ago'],
    [86_399_000, '23 h 59 min ago'],
    [86_400_000, '1 d ago'],
    [90_000_000, '1 d 1 h ago'],
    [30 * 86_400_000, '30 d ago'],
  ])('%i ms ago -> %s', (ago, expected) => {
    expect(formatAge(T - ago, T)).toBe(expected);
  });

  it('says unknown for a time that is not a number', () => {
    expect(formatAge(Number.NaN, T)).toBe('unknown');
  });
});

describe('formatUtc, formatUtcShort, isoTime', () => {
  it.each([
    [T, '2024-05-01 12:00:00 UTC'],
    [0, '1970-01-01 00:00:00 UTC'],
    [Number.NaN, 'unknown'],
  ])('formatUtc(%d) = %s', (ms, expected) => {
    expect(formatUtc(ms)).toBe(expected);
  });

  it.each([
    [T - 3_600_000, T, '11:00:00 UTC'],
    [T - 13 * 3_600_000, T, '2024-04-30 23:00:00 UTC'],
    [Number.NaN, T, 'unknown'],
    [T, Number.NaN, '2024-05-01 12:00:00 UTC'],
  ])('formatUtcShort(%d, %d) = %s', (ms, now, expected) => {
    expect(formatUtcShort(ms, now)).toBe(expected);
  });

  it.each([
    [T, '2024-05-01T12:00:00.000Z'],
    [null, null],
    [Number.POSITIVE_INFINITY, null],
  ])('isoTime(%s) = %s', (ms, expected) => {
    expect(isoTime(ms)).toBe(expected);
  });
});
