/** Waits for a condition by polling, bounded: never a bare sleep (STYLE.md section 10). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, everyMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Checks that a condition stays true for a while, by polling, and fails as soon as it does not: the
 * way to assert that something (an inhibited notification) never arrives within a window.
 */
export async function holdsFor(
  check: () => boolean | Promise<boolean>,
  { forMs, everyMs = 50, what = 'condition' }: { forMs: number; everyMs?: number; what?: string },
): Promise<void> {
  const until = Date.now() + forMs;
  while (Date.now() <= until) {
    if (!(await check())) throw new Error(`${what} stopped holding within ${forMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
