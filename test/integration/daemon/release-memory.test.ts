/**
 * memoryRelease against V8 itself: a child node (this one's binary) with --expose-gc, as the image
 * runs the daemon; vitest's own process runs without the flag.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

describe('memoryRelease with the real collector', () => {
  it("node's own collector with --expose-gc takes those options and frees garbage", async () => {
    const script = `
      import { memoryRelease } from ${JSON.stringify(new URL('../../../src/daemon/release-memory.ts', import.meta.url).href)};
      let garbage = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i }));
      const before = process.memoryUsage().heapUsed;
      garbage = null;
      memoryRelease()();
      console.log(JSON.stringify({ before, after: process.memoryUsage().heapUsed }));
    `;
    const { stdout } = await exec(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    expect(before - after).toBeGreaterThan(10 * 1024 * 1024);
  });
});
