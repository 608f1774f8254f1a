import { isGone } from './errors.js';
import { WatchIdleError, type KubeApi, type KubeObjectLike, type WatchEvent } from './kube-api.js';
import type { ResourceType } from './resource.js';

/** Where an informer reports restarts; defaults to nothing (pass a logger to see them). */
export interface InformerLogger {
  log(message: string): void;
  warn(message: string): void;
}

const SILENT: InformerLogger = { log: () => undefined, warn: () => undefined };

export interface InformerHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(previous: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T> {
  resource: ResourceType;
  /** One namespace, or undefined for all namespaces. */
  namespace?: string;
  labelSelector?: string;
  /** Shrinks an object before it is cached (drop what no reconciler reads). */
  transform?: (obj: T) => T;
  /** Server-side watch timeout; each watch ends cleanly after about this long and is re-opened at once. */
  watchTimeoutSeconds?: number;
  /**
   * Abort a watch that delivered nothing for this long: a half-open connection. The API server's watch cache sends a
   * bookmark about every 60 s on an idle watch, so the default of 75 s notices a dead connection within 75 s (F4).
   */
  idleTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Called on every watch restart after an error, and on relists (metrics). */
  onRestart?: (reason: 'error' | 'gone' | 'idle') => void;
  logger?: InformerLogger;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 75_000;

export const objectKey = (o: KubeObjectLike): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Whether resourceVersion `a` is newer than `b` (decimal etcd revisions; anything else is never newer). */
function newerVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

/**
 * List + watch of one resource type in one namespace scope, with a cache. Unlike client-node's ListWatch it never
 * stops on its own: a 410 (resourceVersion too old) relists and emits only real differences (no replayed adds), any
 * other error restarts the watch with capped, jittered backoff, a clean server timeout re-watches at once from the
 * last (bookmarked) resourceVersion, and an idle watch is aborted so a half-open connection cannot blind it.
 */
export class Informer<T extends KubeObjectLike> {
  private readonly cache = new Map<string, T>();
  /** Objects stored by `observeWrite` → the last object the watch delivered for their key (what handlers saw last). */
  private readonly writtenOver = new WeakMap<T, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly abort = new AbortController();
  private resourceVersion: string | undefined;
  private synced = false;
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((r) => (this.syncedResolve = r));
  private readonly logger: InformerLogger;
  private loop: Promise<void> | undefined;
  /** When the watch last delivered an event or a bookmark (ms since the epoch). */
  private heardAt = 0;

  constructor(
    private readonly api: KubeApi,
    private readonly options: InformerOptions<T>,
  ) {
    const base = options.logger ?? SILENT;
    const prefix = `Informer ${options.resource.plural}${options.namespace ? `@${options.namespace}` : ''}: `;
    this.logger = { log: (m) => base.log(prefix + m), warn: (m) => base.warn(prefix + m) };
  }

  /** Adds a handler (replaying the cache to it if synced); returns the function that removes it. */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.push(handler);
    if (this.synced) for (const obj of this.cache.values()) handler.onAdd?.(obj);
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /**
   * Milliseconds since the watch last delivered an event or a bookmark (the API server bookmarks a quiet watch about
   * every minute); counted from `start` before the first. A list does not count: it can succeed while every watch
   * fails (a Role without `watch`, a proxy that breaks or stalls streams), which is what this tells.
   */
  silenceMs(now = Date.now()): number {
    return Math.max(0, now - this.heardAt);
  }

  /** Resolves after the first complete list. */
  waitForSync(): Promise<void> {
    return this.syncedPromise;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /**
   * An object this process just wrote, as the API server returned it: readers see it at once, not only when its watch
   * event arrives, so a reconcile that runs meanwhile does not compute from the version it replaced (and get a 409).
   * Stored only over an older version of a cached object. Handlers are not called; they are when the watch event
   * arrives, with the object the watch delivered before as the previous one.
   */
  observeWrite(obj: T): void {
    const key = objectKey(obj);
    const cached = this.cache.get(key);
    if (!cached || !newerVersion(obj.metadata?.resourceVersion, cached.metadata?.resourceVersion)) return;
    const stored = this.store(obj);
    this.writtenOver.set(stored, this.writtenOver.get(cached) ?? cached);
    this.cache.set(key, stored);
  }

  /** The cached object for a key as handlers last saw it (the watch's, not a write observed since). */
  private watched(key: string): { cached: T | undefined; previous: T | undefined; written: boolean } {
    const cached = this.cache.get(key);
    const base = cached && this.writtenOver.get(cached);
    return { cached, previous: base ?? cached, written: base !== undefined };
  }

  get size(): number {
    return this.cache.size;
  }

  start(): void {
    if (this.loop) return;
    this.heardAt = Date.now();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { resource, namespace, labelSelector } = this.options;
    const base = this.options.backoffBaseMs ?? 250;
    const max = this.options.backoffMaxMs ?? 10_000;
    const timeout = this.options.watchTimeoutSeconds ?? 300;
    let failures = 0;
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          const list = await this.api.listAll<T>(resource, namespace, { labelSelector });
          this.replace(list.items);
          this.resourceVersion = list.metadata.resourceVersion;
          needList = false;
          if (!this.synced) {
            this.synced = true;
            this.syncedResolve();
          }
        }
        const watchedAt = Date.now();
        let delivered = false;
        await this.api.watch<T>(
          resource,
          namespace,
          {
            resourceVersion: this.resourceVersion,
            labelSelector,
            allowWatchBookmarks: true,
            // Jitter spreads the re-watches of many informers.
            timeoutSeconds: Math.round(timeout * (0.9 + Math.random() * 0.2)),
            idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          },
          (e) => {
            delivered = true;
            this.heardAt = Date.now();
            this.apply(e);
          },
          this.abort.signal,
        );
        // A stream closed at once with nothing in it (a proxy that cuts streams) is a failure, not a lap: retried
        // with backoff rather than at once, forever.
        if (!delivered && !this.abort.signal.aborted && Date.now() - watchedAt < 1000)
          throw new Error('watch ended at once without an event');
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof WatchIdleError) {
          // Not a failure: watch again at once from the last resourceVersion. Not a sign of life either: the API
          // server bookmarks a healthy quiet watch every minute, so a watch idle for longer is stalled somewhere.
          this.logger.log(`Re-watching: ${err.message}`);
          this.options.onRestart?.('idle');
          continue;
        }
        if (isGone(err)) {
          this.logger.log(`Relisting: resourceVersion ${this.resourceVersion} is too old`);
          this.options.onRestart?.('gone');
          needList = true;
          continue;
        }
        failures += 1;
        const delay = Math.min(max, base * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
        this.logger.warn(
          `Watch failed (${failures} in a row), retrying in ${Math.round(delay)} ms: ${err instanceof Error ? err.message : String(err)}`,
        );
        this.options.onRestart?.('error');
        // A list that keeps failing is retried as a list; a watch that fails repeatedly relists (its resourceVersion may be stale).
        if (failures >= 5) needList = true;
        await sleep(delay, this.abort.signal);
      }
    }
  }

  private store(obj: T): T {
    return this.options.transform ? this.options.transform(obj) : obj;
  }

  private apply(e: WatchEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (e.type === 'BOOKMARK') {
      this.resourceVersion = rv;
      return;
    }
    const key = objectKey(e.object);
    const { cached, previous, written } = this.watched(key);
    if (e.type === 'DELETED') {
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(previous ?? this.store(e.object));
    } else {
      if (!written && cached?.metadata?.resourceVersion === rv) {
        this.resourceVersion = rv;
        return;
      }
      const obj = this.store(e.object);
      if (written && newerVersion(cached?.metadata?.resourceVersion, rv)) {
        // An event older than a write already observed: handlers hear of it, the cache keeps the newer object.
        this.writtenOver.set(cached!, obj);
      } else {
        this.cache.set(key, obj);
      }
      for (const h of this.handlers) {
        if (previous) h.onUpdate?.(previous, obj);
        else h.onAdd?.(obj);
      }
    }
    this.resourceVersion = rv;
  }

  /** Replaces the cache by a fresh list, emitting only what changed (deletes missed while disconnected included). */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const raw of items) {
      const key = objectKey(raw);
      seen.add(key);
      const { cached, previous, written } = this.watched(key);
      if (!written && cached?.metadata?.resourceVersion === raw.metadata?.resourceVersion) continue;
      const obj = this.store(raw);
      this.cache.set(key, obj);
      for (const h of this.handlers) {
        if (previous) h.onUpdate?.(previous, obj);
        else h.onAdd?.(obj);
      }
    }
    for (const key of [...this.cache.keys()]) {
      if (seen.has(key)) continue;
      const { previous } = this.watched(key);
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(previous!);
    }
  }
}
