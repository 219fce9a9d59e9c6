import { describe, expect, it } from 'vitest';
import { TCP_CHECK_EVERY_MS, tcpCheck, tcpCheckEveryRounds } from '../../../src/daemon/tcp-check.ts';

const keys = Array.from({ length: 2000 }, (_, i) => `bench-${i}.lab.test|unspec|127.0.0.1:53`);
/** The rounds between checks at the default 30 s interval. */
const EVERY = tcpCheckEveryRounds(30_000);
const due = (round: number, key: string, every = EVERY) =>
  tcpCheck(round, key, 'unspec', every) !== 'when-needed';

describe('tcpCheckEveryRounds', () => {
  it('turns the ten-minute cadence into rounds of the configured interval', () => {
    expect(TCP_CHECK_EVERY_MS).toBe(600_000);
    expect(tcpCheckEveryRounds(30_000)).toBe(20);
    expect(tcpCheckEveryRounds(60_000)).toBe(10);
    expect(tcpCheckEveryRounds(7_000)).toBe(86);
    expect(tcpCheckEveryRounds(250)).toBe(2400);
  });

  it('checks every round when the interval is ten minutes or longer', () => {
    expect(tcpCheckEveryRounds(600_000)).toBe(1);
    expect(tcpCheckEveryRounds(3_600_000)).toBe(1);
    for (let round = 1; round < 5; round++) expect(due(round, keys[0] as string, 1)).toBe(true);
  });
});

describe('tcpCheck', () => {
  it('checks TCP for every qtype on every target first probe', () => {
    for (const key of keys) {
      for (const family of ['inet', 'inet6', 'unspec'] as const)
        expect(tcpCheck(0, key, family, EVERY)).toBe('always');
    }
  });

  it('checks each target exactly once in every run of `everyRounds` rounds after the first', () => {
    for (const every of [EVERY, 10, 3]) {
      for (const key of keys) {
        for (const start of [1, 11, 57]) {
          const rounds = Array.from({ length: every }, (_, i) => due(start + i, key, every));
          expect(rounds.filter(Boolean)).toHaveLength(1);
        }
      }
    }
  });

  it('asks one qtype per periodic check, taking a dual-stack target qtypes in turn', () => {
    for (const key of keys.slice(0, 200)) {
      const checks = Array.from({ length: 8 * EVERY }, (_, i) => tcpCheck(1 + i, key, 'unspec', EVERY));
      const asked = checks.filter((c) => c !== 'when-needed');
      expect(asked).toHaveLength(8);
      // A, AAAA, A, ... or AAAA, A, AAAA, ...: each in turn, never the same twice running.
      for (let i = 1; i < asked.length; i++) expect(asked[i]).not.toBe(asked[i - 1]);
      expect(new Set(asked)).toEqual(new Set(['A', 'AAAA']));
    }
  });

  it('asks the family own qtype for single-family targets', () => {
    for (const key of keys.slice(0, 200)) {
      for (const [family, qtype] of [
        ['inet', 'A'],
        ['inet6', 'AAAA'],
      ] as const) {
        const checks = Array.from({ length: 3 * EVERY }, (_, i) => tcpCheck(1 + i, key, family, EVERY));
        expect(checks.filter((c) => c !== 'when-needed')).toEqual([qtype, qtype, qtype]);
      }
    }
  });

  it('spreads the checks of many targets over the rounds instead of bunching them in one', () => {
    for (let round = 1; round <= EVERY; round++) {
      const n = keys.filter((key) => due(round, key)).length;
      // 100 expected per round at 20 rounds; a bunched schedule gives 0 or 2000.
      expect(n).toBeGreaterThan(55);
      expect(n).toBeLessThan(145);
    }
  });

  it('gives one target the same rounds every time (the phase is stable, not random)', () => {
    const key = 'api.example.test|inet6|192.0.2.53:53';
    const first = Array.from({ length: 60 }, (_, r) => tcpCheck(r, key, 'unspec', EVERY));
    const again = Array.from({ length: 60 }, (_, r) => tcpCheck(r, key, 'unspec', EVERY));
    expect(again).toEqual(first);
  });
});
