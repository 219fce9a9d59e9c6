/**
 * The type checker and the linter are part of the test suite, so `npm run test:all` (and CI)
 * fails on a type error or a lint finding like on any other broken test.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

async function exitOf(cmd: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('static checks', () => {
  it('tsc --noEmit finds no type error (strict, noUncheckedIndexedAccess)', async () => {
    const { code, output } = await exitOf('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('biome ci finds no lint or format problem', async () => {
    const { code, output } = await exitOf('npx', ['biome', 'ci', '--colors=off', '.']);
    expect(code, output).toBe(0);
  });
});
