import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DnsHeadroomError } from '../../../src/errors.ts';
import { randomQueryIds } from '../../../src/probe/query-id.ts';

const dir = mkdtempSync(join(tmpdir(), 'query-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(bytes));
  return path;
}

describe('randomQueryIds', () => {
  it('draws 16-bit ids from /dev/urandom that spread over the whole range', () => {
    const next = randomQueryIds();
    const ids = Array.from({ length: 20_000 }, next);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff)).toBe(true);
    // 20,000 draws from 65,536 values give about 17,240 distinct ones; a stuck or short source
    // (the same block again, only one byte random) gives far fewer.
    expect(new Set(ids).size).toBeGreaterThan(16_500);
    expect(new Set(ids.map((id) => id >> 8)).size).toBe(256);
    expect(new Set(ids.map((id) => id & 0xff)).size).toBe(256);
    const mean = ids.reduce((a, b) => a + b, 0) / ids.length;
    expect(Math.abs(mean - 32_767.5)).toBeLessThan(1_500);
  });

  it('hands out a block in order, big-endian, and reads a fresh block when it runs out', () => {
    const next = randomQueryIds(file('four', [0x01, 0x02, 0xfe, 0xff]), 4);
    // Each refill opens the source again; a regular file starts over, so the block repeats.
    expect(Array.from({ length: 5 }, next)).toEqual([0x0102, 0xfeff, 0x0102, 0xfeff, 0x0102]);
  });

  it('reads nothing until the first id is asked for', () => {
    expect(() => randomQueryIds(join(dir, 'absent'))).not.toThrow();
  });

  it('says which source failed when it cannot be opened or ends early', () => {
    const missing = randomQueryIds(join(dir, 'absent'));
    expect(missing).toThrow(DnsHeadroomError);
    expect(missing).toThrow(/cannot read random query ids from .*absent: ENOENT/);
    const short = randomQueryIds(file('three', [1, 2, 3]), 4);
    expect(short).toThrow(/three ended after 3 bytes/);
  });

  it('refuses a block that cannot hold whole ids', () => {
    expect(() => randomQueryIds('/dev/urandom', 3)).toThrow(RangeError);
    expect(() => randomQueryIds('/dev/urandom', 0)).toThrow(RangeError);
  });
});
