import {
  ScopedCache,
  isConflict,
  type InformerOptions,
  type KubeApi,
  type KubeObjectLike,
  type NamespaceScope,
  type ResourceType,
} from '@agents/kube';
import { IdleMemoryReducer, counterMoved } from '@agents/process';
import { Logger } from '@nestjs/common';
import type { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export const keyString = (k: ObjectKey): string => `${k.namespace}/${k.name}`;
export const parseKey = (s: string): ObjectKey => {
  const i = s.indexOf('/');
  return { namespace: s.slice(0, i), name: s.slice(i + 1) };
};
export const keyOf = (o: KubeObjectLike): ObjectKey => ({
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});

/** What a reconcile asks of the runtime: nothing (done), or to be called again after a while (clock-driven waits). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: ObjectKey): Promise<ReconcileResult | void>;
}

/** An error that retrying cannot fix: logged once, not retried (the reconciler records it in status first). */
export class TerminalError extends Error {}

export interface SecondaryWatch {
  resource: ResourceType;
  labelSelector?: string;
  /** The primary keys an event of this object concerns (its owner, its referrers…). */
  map(obj: KubeObjectLike): ObjectKey[];
}

export interface ControllerSpec {
  /** e.g. `agentrun`; the metrics label and the field-manager suffix. */
  name: string;
  primary: ResourceType;
  primaryLabelSelector?: string;
  watches?: SecondaryWatch[];
  reconciler: Reconciler;
  concurrency?: number;
  /**
   * Keys that must be reconciled again when an object of the primary kind changes (e.g. held runs waiting for
   * capacity): `obj` is undefined for a deletion.
   */
  onPrimaryChange?: (previous: KubeObjectLike | undefined, obj: KubeObjectLike | undefined) => ObjectKey[];
  /** Periodic work of the leader, run on each resync after the keys are queued (errors are logged). */
  onResync?: () => Promise<void>;
  /** Leadership lost: drop what only the leader keeps up to date (its readiness reports). */
  onStoppedLeading?: () => void;
}

export interface RuntimeConfig {
  namespaces: NamespaceScope;
  /** Safety-net resync of every primary object; the runtime is watch-driven, this only bounds the damage of a bug. */
  resyncIntervalMs: number;
  watchTimeoutSeconds?: number;
  queueBaseDelayMs?: number;
  queueMaxDelayMs?: number;
}

interface Registered {
  spec: ControllerSpec;
  queue: WorkQueue;
  cache: ScopedCache<KubeObjectLike>;
}

/**
 * Runs controllers: shared informers feed keyed work queues; workers reconcile only while this replica leads.
 * Followers keep their caches warm so a takeover starts reconciling at once.
 */
export class ControllerRuntime {
  private readonly logger = new Logger(ControllerRuntime.name);
  private readonly caches = new Map<string, ScopedCache<KubeObjectLike>>();
  private readonly controllers: Registered[] = [];
  private leading = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private running = false;
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Moves on every cache event and reconcile: the memory reducer collects once it stops moving. */
  private activityCount = 0;
  private readonly memoryReducer = new IdleMemoryReducer(counterMoved(() => this.activityCount));

  constructor(
    private readonly api: KubeApi,
    private readonly config: RuntimeConfig,
    private readonly metrics: ControllerMetrics,
    private readonly transforms: Map<string, (o: KubeObjectLike) => KubeObjectLike> = new Map(),
  ) {
    this.closeGate();
  }

  get isLeading(): boolean {
    return this.leading;
  }

  /** The shared cache of a resource type (created on first use). */
  cache<T extends KubeObjectLike>(resource: ResourceType, labelSelector?: string): ScopedCache<T> {
    const id = `${resource.group}/${resource.plural}?${labelSelector ?? ''}`;
    let cache = this.caches.get(id);
    if (!cache) {
      const options: Omit<InformerOptions<KubeObjectLike>, 'resource' | 'namespace'> = {
        labelSelector,
        transform: this.transforms.get(`${resource.group}/${resource.plural}`),
        watchTimeoutSeconds: this.config.watchTimeoutSeconds,
        onRestart: (reason) => this.metrics.informerRestarts.inc({ resource: resource.plural, reason }),
        logger: this.logger,
      };
      cache = new ScopedCache(this.api, resource, this.config.namespaces, options);
      this.caches.set(id, cache);
      if (this.running) cache.start();
    }
    return cache as unknown as ScopedCache<T>;
  }

  /** An object this process just wrote: every cache of its type that holds it sees the new version at once. */
  observeWrite(resource: ResourceType, obj: KubeObjectLike): void {
    for (const cache of this.caches.values())
      if (cache.resource.group === resource.group && cache.resource.plural === resource.plural) cache.observeWrite(obj);
  }

  /** The resource types the caches watch (the startup guard checks their CRDs). */
  watchedResources(): ResourceType[] {
    return [
      ...new Map(
        [...this.caches.values()].map((c) => [`${c.resource.group}/${c.resource.plural}`, c.resource]),
      ).values(),
    ];
  }

  register(spec: ControllerSpec): void {
    const queue = new WorkQueue({
      baseDelayMs: this.config.queueBaseDelayMs,
      maxDelayMs: this.config.queueMaxDelayMs,
      onDepth: (d) => {
        this.metrics.queueDepth.set({ controller: spec.name, lane: 'main' }, d.main);
        this.metrics.queueDepth.set({ controller: spec.name, lane: 'resync' }, d.resync);
      },
    });
    this.metrics.queueDepth.set({ controller: spec.name, lane: 'main' }, 0);
    this.metrics.queueDepth.set({ controller: spec.name, lane: 'resync' }, 0);
    const cache = this.cache(spec.primary, spec.primaryLabelSelector);
    const enqueue = (o: KubeObjectLike) => {
      this.activityCount += 1;
      queue.add(keyString(keyOf(o)));
    };
    cache.addHandler({
      onAdd: (o) => {
        enqueue(o);
        spec.onPrimaryChange?.(undefined, o).forEach((k) => queue.add(keyString(k)));
      },
      onUpdate: (prev, o) => {
        enqueue(o);
        spec.onPrimaryChange?.(prev, o).forEach((k) => queue.add(keyString(k)));
      },
      onDelete: (o) => {
        enqueue(o);
        spec.onPrimaryChange?.(o, undefined).forEach((k) => queue.add(keyString(k)));
      },
    });
    for (const w of spec.watches ?? []) {
      const mapped = (o: KubeObjectLike) => w.map(o).forEach((k) => queue.add(keyString(k)));
      this.cache(w.resource, w.labelSelector).addHandler({
        onAdd: mapped,
        onUpdate: (_p, o) => mapped(o),
        onDelete: mapped,
      });
    }
    this.controllers.push({ spec, queue, cache });
  }

  /** Starts every informer and resolves when all caches have synced. */
  async start(): Promise<void> {
    this.running = true;
    for (const c of this.caches.values()) c.start();
    await Promise.all([...this.caches.values()].map((c) => c.waitForSync()));
    for (const c of this.controllers) {
      for (let i = 0; i < (c.spec.concurrency ?? 4); i++) this.workers.push(this.worker(c));
    }
    this.resyncTimer = setInterval(() => this.resyncAll(), this.config.resyncIntervalMs);
    this.resyncTimer.unref();
    this.memoryReducer.start();
    this.logger.log(
      `Caches synced: ${[...this.caches.values()].map((c) => `${c.resource.plural}=${c.size}`).join(' ')}`,
    );
  }

  get synced(): boolean {
    return this.running && [...this.caches.values()].every((c) => c.hasSynced);
  }

  /** Leadership gained: reconcile everything once, then follow events. */
  startLeading(): void {
    this.leading = true;
    this.metrics.leader.set(1);
    this.resyncAll();
    this.openGate?.();
  }

  /** Leadership lost: no worker takes another key (in-flight reconciles are single requests from finishing). */
  stopLeading(): void {
    const was = this.leading;
    this.leading = false;
    this.metrics.leader.set(0);
    this.closeGate();
    if (was) for (const { spec } of this.controllers) spec.onStoppedLeading?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopLeading();
    clearInterval(this.resyncTimer);
    this.memoryReducer.stop();
    for (const c of this.controllers) c.queue.shutDown();
    this.openGate?.();
    await Promise.all(this.workers);
    await Promise.all([...this.caches.values()].map((c) => c.stop()));
  }

  /** Enqueues a key of a controller by name (used by reconcilers that wake others). */
  enqueue(controller: string, key: ObjectKey, afterMs = 0): void {
    const c = this.controllers.find((x) => x.spec.name === controller);
    if (!c) return;
    if (afterMs > 0) c.queue.addAfter(keyString(key), afterMs);
    else c.queue.add(keyString(key));
  }

  /** Every cached object once, behind the keys that events add (a resync of thousands never holds up a new run). */
  private resyncAll(): void {
    for (const c of this.controllers) for (const o of c.cache.list()) c.queue.addLow(keyString(keyOf(o)));
    if (!this.leading) return;
    for (const { spec } of this.controllers)
      spec
        .onResync?.()
        .catch((err: unknown) =>
          this.logger.warn(`Resync work of ${spec.name} failed: ${err instanceof Error ? err.message : String(err)}`),
        );
  }

  private closeGate(): void {
    if (this.openGate) return;
    this.gate = new Promise((resolve) => {
      this.openGate = () => {
        this.openGate = undefined;
        resolve();
      };
    });
  }

  private async worker({ spec, queue }: Registered): Promise<void> {
    for (;;) {
      if (!this.leading) await this.gate;
      if (!this.running) return;
      const key = await queue.get();
      if (key === undefined) return;
      if (!this.leading) {
        // Lost leadership while waiting: leave the key for the next leader's full resync.
        queue.done(key);
        continue;
      }
      const started = performance.now();
      let outcome = 'success';
      try {
        const result = await spec.reconciler.reconcile(parseKey(key));
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          outcome = 'requeue';
          queue.addAfter(key, result.requeueAfterMs);
        }
      } catch (err) {
        if (isConflict(err)) {
          // Our cached copy was stale: retry soon, once the watch has delivered the newer version.
          outcome = 'conflict';
          queue.addAfter(key, 100 + Math.random() * 400);
        } else if (err instanceof TerminalError) {
          outcome = 'terminal';
          queue.forget(key);
          this.logger.error(`Reconcile of ${spec.name} ${key} failed for good: ${err.message}`);
        } else {
          outcome = 'error';
          const delay = queue.addRateLimited(key);
          this.logger.warn(
            `Reconcile of ${spec.name} ${key} failed, retrying in ${delay} ms: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      } finally {
        queue.done(key);
        this.activityCount += 1;
        const ms = performance.now() - started;
        this.metrics.reconcileDuration.observe({ kind: spec.name, outcome }, ms);
        this.metrics.reconcileTotal.inc({ kind: spec.name, outcome });
      }
    }
  }
}
