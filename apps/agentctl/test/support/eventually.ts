/** Polls `check` until it stops throwing (or returns true), then returns; fails with the last error on timeout. */
export async function eventually(
  check: () => unknown,
  { timeoutMs = 15_000, intervalMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const ok = await check();
      if (ok !== false) return;
      last = new Error('returned false');
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(last as Error)?.message}`, {
        cause: last,
      });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
