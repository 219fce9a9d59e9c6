/**
 * The /metrics pieces are rendered into pooled buffers: a buffer comes back only from the pool's own
 * hand-outs, only once, and only as many as the pool keeps.
 */
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, PiecePool } from '../../../src/metrics/piece-pool.ts';

describe('PiecePool', () => {
  it('reuses a buffer given back, from a view of any length', () => {
    const pool = new PiecePool();
    const a = pool.take();
    expect(a.length).toBe(CHUNK_BYTES);
    pool.release(a.subarray(0, 100));
    expect(pool.free).toBe(1);
    const b = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(CHUNK_BYTES);
    expect(pool.free).toBe(0);
  });

  it('ignores a second release, a foreign buffer and an oversized one', () => {
    const pool = new PiecePool();
    const a = pool.take();
    pool.release(a);
    pool.release(a);
    expect(pool.free).toBe(1);
    pool.release(Buffer.alloc(CHUNK_BYTES));
    const big = pool.take(CHUNK_BYTES * 3);
    expect(big.length).toBe(CHUNK_BYTES * 3);
    pool.release(big);
    expect(pool.free).toBe(1);
    // The one in the pool is handed out once, then new ones.
    expect(pool.take().buffer).toBe(a.buffer);
    expect(pool.take().buffer).not.toBe(a.buffer);
  });

  it('keeps at most a few free buffers', () => {
    const pool = new PiecePool();
    const taken = Array.from({ length: 10 }, () => pool.take());
    for (const t of taken) pool.release(t);
    expect(pool.free).toBe(4);
  });
});
