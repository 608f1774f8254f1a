import { objectKey, type InformerHandler } from './informer.js';
import type { KubeObjectLike } from './kube-api.js';

/**
 * A secondary index over a cache (an Informer or a ScopedCache), kept current by the cache's own events: the objects
 * that share a derived key, such as the pods of one Job by owner uid. Reads are O(objects under the key), where a
 * filtered `list()` costs O(everything cached).
 */
export class CacheIndex<T extends KubeObjectLike> {
  private readonly byKey = new Map<string, Map<string, T>>();

  constructor(
    cache: { addHandler(handler: InformerHandler<T>): () => void },
    private readonly keysOf: (obj: T) => readonly string[],
  ) {
    cache.addHandler({
      onAdd: (obj) => this.put(obj),
      onUpdate: (previous, obj) => {
        this.remove(previous);
        this.put(obj);
      },
      onDelete: (obj) => this.remove(obj),
    });
  }

  get(key: string): T[] {
    const objects = this.byKey.get(key);
    return objects ? [...objects.values()] : [];
  }

  private put(obj: T): void {
    for (const key of this.keysOf(obj)) {
      let objects = this.byKey.get(key);
      if (!objects) this.byKey.set(key, (objects = new Map()));
      objects.set(objectKey(obj), obj);
    }
  }

  private remove(obj: T): void {
    for (const key of this.keysOf(obj)) {
      const objects = this.byKey.get(key);
      objects?.delete(objectKey(obj));
      if (objects?.size === 0) this.byKey.delete(key);
    }
  }
}
