/** The headroom bar's geometry: fill up to 512, overflow past the line, fixed scale of 768 bytes. */
import { describe, expect, it } from 'vitest';
import { BAR_SCALE_BYTES, barGeometry } from '../../../src/server/headroom-bar.ts';

describe('barGeometry', () => {
  it.each([
    // bytes, warn, state, fill, over, warnPct, clipped
    [95, 64, 'ok', 12.37, 0, 58.33, false],
    [448, 64, 'ok', 58.33, 0, 58.33, false],
    [449, 64, 'near', 58.46, 0, 58.33, false],
    [512, 64, 'near', 66.67, 0, 58.33, false],
    [513, 64, 'over', 66.67, 0.13, 58.33, false],
    [674, 64, 'over', 66.67, 21.09, 58.33, false],
    [768, 64, 'over', 66.67, 33.33, 58.33, false],
    [1500, 64, 'over', 66.67, 33.33, 58.33, true],
    [0, 64, 'ok', 0, 0, 58.33, false],
    [500, 0, 'ok', 65.1, 0, null, false],
    [300, 512, 'near', 39.06, 0, 0, false],
    [300, 600, 'near', 39.06, 0, null, false],
  ] as const)('%i bytes, warn %i -> %s', (bytes, warn, state, fillPct, overPct, warnPct, clipped) => {
    expect(barGeometry(bytes, warn)).toEqual({ state, fillPct, overPct, limitPct: 66.67, warnPct, clipped });
  });

  it('has no fill when the complete size is unknown', () => {
    expect(barGeometry(null, 64)).toEqual({
      state: 'unknown',
      fillPct: 0,
      overPct: 0,
      limitPct: 66.67,
      warnPct: 58.33,
      clipped: false,
    });
  });

  it('puts 512 at the middle of a 1024-byte scale', () => {
    expect(barGeometry(1024, 64, 1024)).toMatchObject({ fillPct: 50, overPct: 50, limitPct: 50 });
    expect(BAR_SCALE_BYTES).toBe(768);
  });
});
