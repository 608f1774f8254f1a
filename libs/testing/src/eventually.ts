export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the timeout error, e.g. "AgentRun r1 to be Succeeded". */
  what?: string;
}

/**
 * Polls `check` until it resolves (an assertion inside that throws means "not yet"), then returns its value.
 * On timeout, throws with the last failure so the test output shows what was still wrong.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last failure: ${detail}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A name unique to this process and moment, safe as a Kubernetes name or a database/stream name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`.toLowerCase();
}
