import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF, realDelay } from '../../../src/kube/index.ts';

describe('backoffDelayMs', () => {
  it.each([
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 1, 1000],
    [2, 1, 2000],
    [6, 1, 32_000],
    [7, 1, 60_000], // capped
    [50, 0, 30_000], // half of the cap at least
    [0, 1, 1000],
    [1, 7, 1000], // random clamped to [0, 1]
  ])('attempt %i, random %d: %i ms', (attempt, random, ms) => {
    expect(backoffDelayMs(attempt, random, DEFAULT_BACKOFF)).toBe(ms);
  });
});

describe('realDelay', () => {
  it('ends at once when aborted, and at once when already aborted', async () => {
    const controller = new AbortController();
    const waiting = realDelay(3_600_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(realDelay(3_600_000, controller.signal)).resolves.toBeUndefined();
  });
});
