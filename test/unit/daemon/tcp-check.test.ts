import { describe, expect, it } from 'vitest';
import { TCP_CHECK_EVERY_ROUNDS, tcpCheckDue } from '../../../src/daemon/tcp-check.ts';

const keys = Array.from({ length: 2000 }, (_, i) => `bench-${i}.lab.test|inet|127.0.0.1:53`);

describe('tcpCheckDue', () => {
  it('checks TCP on every target first probe', () => {
    for (const key of keys) expect(tcpCheckDue(0, key)).toBe(true);
  });

  it('checks each target exactly once in every run of ten rounds after the first', () => {
    for (const key of keys) {
      for (const start of [1, 11, 57]) {
        const due = Array.from({ length: TCP_CHECK_EVERY_ROUNDS }, (_, i) => tcpCheckDue(start + i, key));
        expect(due.filter(Boolean)).toHaveLength(1);
      }
    }
  });

  it('spreads the checks of many targets over the rounds instead of bunching them in one', () => {
    for (let round = 1; round <= TCP_CHECK_EVERY_ROUNDS; round++) {
      const due = keys.filter((key) => tcpCheckDue(round, key)).length;
      // 200 expected per round; a bunched schedule gives 0 or 2000.
      expect(due).toBeGreaterThan(120);
      expect(due).toBeLessThan(280);
    }
  });

  it('gives one target the same rounds every time (the phase is stable, not random)', () => {
    const key = 'api.example.test|inet6|192.0.2.53:53';
    const first = Array.from({ length: 30 }, (_, r) => tcpCheckDue(r, key));
    const again = Array.from({ length: 30 }, (_, r) => tcpCheckDue(r, key));
    expect(again).toEqual(first);
  });
});
