import { describe, expect, it } from 'vitest';
import { TCP_CHECK_EVERY_ROUNDS, tcpCheck } from '../../../src/daemon/tcp-check.ts';

const keys = Array.from({ length: 2000 }, (_, i) => `bench-${i}.lab.test|unspec|127.0.0.1:53`);
const due = (round: number, key: string) => tcpCheck(round, key, 'unspec') !== 'when-needed';

describe('tcpCheck', () => {
  it('checks TCP for every qtype on every target first probe', () => {
    for (const key of keys) {
      for (const family of ['inet', 'inet6', 'unspec'] as const)
        expect(tcpCheck(0, key, family)).toBe('always');
    }
  });

  it('checks each target exactly once in every run of ten rounds after the first', () => {
    for (const key of keys) {
      for (const start of [1, 11, 57]) {
        const rounds = Array.from({ length: TCP_CHECK_EVERY_ROUNDS }, (_, i) => due(start + i, key));
        expect(rounds.filter(Boolean)).toHaveLength(1);
      }
    }
  });

  it('asks one qtype per periodic check, taking a dual-stack target qtypes in turn', () => {
    for (const key of keys.slice(0, 200)) {
      const checks = Array.from({ length: 8 * TCP_CHECK_EVERY_ROUNDS }, (_, i) =>
        tcpCheck(1 + i, key, 'unspec'),
      );
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
        const checks = Array.from({ length: 3 * TCP_CHECK_EVERY_ROUNDS }, (_, i) =>
          tcpCheck(1 + i, key, family),
        );
        expect(checks.filter((c) => c !== 'when-needed')).toEqual([qtype, qtype, qtype]);
      }
    }
  });

  it('spreads the checks of many targets over the rounds instead of bunching them in one', () => {
    for (let round = 1; round <= TCP_CHECK_EVERY_ROUNDS; round++) {
      const n = keys.filter((key) => due(round, key)).length;
      // 200 expected per round; a bunched schedule gives 0 or 2000.
      expect(n).toBeGreaterThan(120);
      expect(n).toBeLessThan(280);
    }
  });

  it('gives one target the same rounds every time (the phase is stable, not random)', () => {
    const key = 'api.example.test|inet6|192.0.2.53:53';
    const first = Array.from({ length: 30 }, (_, r) => tcpCheck(r, key, 'unspec'));
    const again = Array.from({ length: 30 }, (_, r) => tcpCheck(r, key, 'unspec'));
    expect(again).toEqual(first);
  });
});
