export interface WorkQueueOptions {
  /** First retry delay after a failure; doubles per consecutive failure of the key. */
  baseDelayMs?: number;
  /** Cap of the retry delay. */
  maxDelayMs?: number;
  /** Called whenever the number of waiting keys changes (metrics), with the count of each lane. */
  onDepth?: (depths: QueueDepths) => void;
}

/** Keys waiting, per lane: `main` (events, retries, requeue-after) and `resync` (served when `main` is empty). */
export interface QueueDepths {
  main: number;
  resync: number;
}

/**
 * A keyed work queue in the style of client-go's: a key is queued at most once however often it is added, is
 * handed to one worker at a time (added again while being processed, it is queued again when the worker is done),
 * can be delayed (requeue-after), and retried with per-key exponential backoff. Keys of the periodic resync
 * (`addLow`) wait in a lane of their own, served only when no other key waits, so that a resync of thousands of
 * objects never holds up a new one.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** The low lane: keys in order, and which of them still wait there (a key added since has moved up). */
  private readonly low: string[] = [];
  private readonly lowQueued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions = {}) {}

  get depth(): number {
    return this.queue.length + this.lowQueued.size;
  }

  get depths(): QueueDepths {
    return { main: this.queue.length, resync: this.lowQueued.size };
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    const delayed = this.delayed.get(key);
    if (delayed) {
      clearTimeout(delayed.timer);
      this.delayed.delete(key);
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.lowQueued.delete(key);
    this.enqueue(key, this.queue, this.queued);
  }

  /**
   * Adds the key behind every other (the periodic resync): served only when no key added by add() waits. A key that
   * is already queued, delayed or in flight is left as it is.
   */
  addLow(key: string): void {
    if (this.shuttingDown) return;
    if (this.queued.has(key) || this.lowQueued.has(key) || this.processing.has(key) || this.delayed.has(key)) return;
    this.enqueue(key, this.low, this.lowQueued);
  }

  /** Hands the key to a waiting worker, or queues it at the end of a lane. */
  private enqueue(key: string, lane: string[], members: Set<string>): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    members.add(key);
    lane.push(key);
    this.options.onDepth?.(this.depths);
  }

  /** Adds the key after `ms`; an earlier pending delay of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after its backoff: base × 2^(consecutive failures), capped. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const base = this.options.baseDelayMs ?? 200;
    const delay = Math.min(this.options.maxDelayMs ?? 60_000, base * 2 ** n);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of a key (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, marked in-flight; undefined once shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.next();
    if (key !== undefined) {
      this.processing.add(key);
      this.options.onDepth?.(this.depths);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private next(): string | undefined {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      return key;
    }
    for (let k = this.low.shift(); k !== undefined; k = this.low.shift()) {
      if (this.lowQueued.delete(k)) return k;
    }
    return undefined;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
