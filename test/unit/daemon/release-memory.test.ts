import { describe, expect, it } from 'vitest';
import { memoryRelease } from '../../../src/daemon/release-memory.ts';

describe('memoryRelease', () => {
  it('is null when node runs without --expose-gc', () => {
    expect(memoryRelease({})).toBeNull();
    expect(memoryRelease({ gc: 'not a function' })).toBeNull();
  });

  it("runs one synchronous major collection in V8's memory-reducing (last-resort) flavour", () => {
    const calls: unknown[] = [];
    const release = memoryRelease({ gc: (options: unknown) => calls.push(options) });
    expect(release).not.toBeNull();
    release?.();
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  });
});
