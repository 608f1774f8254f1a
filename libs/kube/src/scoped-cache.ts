import type { KubeApi, KubeObjectLike } from './kube-api.js';
import type { ResourceType } from './resource.js';
import { Informer, type InformerHandler, type InformerOptions } from './informer.js';

/** The namespaces a process reconciles: a list, or every namespace. */
export type NamespaceScope = readonly string[] | '*';

/**
 * The cache of one resource type over the process's namespace scope: one informer per watched namespace (or one
 * cluster-wide informer for `*`), read as one.
 */
export class ScopedCache<T extends KubeObjectLike> {
  private readonly informers = new Map<string, Informer<T>>();

  constructor(
    api: KubeApi,
    readonly resource: ResourceType,
    readonly scope: NamespaceScope,
    options: Omit<InformerOptions<T>, 'resource' | 'namespace'>,
  ) {
    const namespaces = scope === '*' || !resource.namespaced ? [undefined] : scope;
    for (const ns of namespaces)
      this.informers.set(ns ?? '*', new Informer<T>(api, { ...options, resource, namespace: ns }));
  }

  /** Adds a handler to every informer; returns the function that removes it. */
  addHandler(handler: InformerHandler<T>): () => void {
    const removers = [...this.informers.values()].map((i) => i.addHandler(handler));
    return () => removers.forEach((r) => r());
  }

  /** Whether objects of this namespace are cached (the namespace is in scope). */
  covers(namespace: string): boolean {
    return this.informers.has('*') || this.informers.has(namespace);
  }

  start(): void {
    for (const i of this.informers.values()) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  waitForSync(): Promise<void> {
    return Promise.all([...this.informers.values()].map((i) => i.waitForSync())).then(() => undefined);
  }

  /** Milliseconds since the watch covering this namespace last delivered an event or a bookmark (Informer.silenceMs). */
  silenceMs(namespace: string, now = Date.now()): number | undefined {
    return this.informerFor(namespace)?.silenceMs(now);
  }

  get hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced);
  }

  private informerFor(namespace: string | undefined): Informer<T> | undefined {
    return this.informers.get('*') ?? (namespace ? this.informers.get(namespace) : undefined);
  }

  /** An object this process just wrote (see Informer.observeWrite); ignored outside the scope. */
  observeWrite(obj: T): void {
    this.informerFor(obj.metadata?.namespace)?.observeWrite(obj);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.informerFor(namespace)?.get(namespace, name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.informers.values()].flatMap((i) => i.list());
    const all = this.informers.get('*');
    if (all) return all.list().filter((o) => o.metadata?.namespace === namespace);
    return this.informers.get(namespace)?.list() ?? [];
  }

  get size(): number {
    return [...this.informers.values()].reduce((n, i) => n + i.size, 0);
  }
}
