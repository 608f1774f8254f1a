import type { EventFilter, StoredEvent } from './events.repository.js';

/** Events in id order, dropped from the front: a queue with O(1) eviction and binary search by id. */
class IdQueue {
  private items: StoredEvent[] = [];
  private start = 0;

  get size(): number {
    return this.items.length - this.start;
  }

  get first(): StoredEvent | undefined {
    return this.items[this.start];
  }

  push(e: StoredEvent): void {
    this.items.push(e);
  }

  /** Drops the front event when it is `e`. */
  dropFront(e: StoredEvent): void {
    if (this.items[this.start] !== e) return;
    this.items[this.start++] = undefined as unknown as StoredEvent;
    // Compact once the dropped half outweighs the live one (amortised O(1)).
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  /** At most `limit` events with an id above `cursor`. */
  after(cursor: number, limit: number): StoredEvent[] {
    let lo = this.start;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.id <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo, Math.min(this.items.length, lo + limit));
  }
}

/**
 * The recent events a replica keeps for its readers, indexed the ways readers filter (run uid, run name, namespace),
 * so a reader's next page is a binary search in its own sequence, whatever the other runs are doing. Bounded by
 * count and by content bytes; `floor` is the id at and below which events are no longer held.
 */
export class EventWindow {
  private readonly all = new IdQueue();
  private readonly byUid = new Map<string, IdQueue>();
  private readonly byRun = new Map<string, IdQueue>();
  private readonly byNamespace = new Map<string, IdQueue>();
  private bytes = 0;
  floor: number;

  constructor(
    floor: number,
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {
    this.floor = floor;
  }

  get size(): number {
    return this.all.size;
  }

  add(e: StoredEvent): void {
    this.all.push(e);
    this.bytes += e.content.length;
    for (const [map, key] of this.keys(e)) {
      let q = map.get(key);
      if (!q) map.set(key, (q = new IdQueue()));
      q.push(e);
    }
    while (this.all.size > this.maxEvents || (this.bytes > this.maxBytes && this.all.size > 1)) this.evict();
  }

  /** At most `limit` events after `cursor` matching `filter`; only meaningful when `cursor >= floor`. */
  after(filter: EventFilter | undefined, cursor: number, limit: number): StoredEvent[] {
    const q = !filter
      ? this.all
      : 'uid' in filter
        ? this.byUid.get(filter.uid)
        : 'name' in filter
          ? this.byRun.get(`${filter.namespace}/${filter.name}`)
          : this.byNamespace.get(filter.namespace);
    return q ? q.after(cursor, limit) : [];
  }

  private evict(): void {
    const e = this.all.first!;
    this.all.dropFront(e);
    this.bytes -= e.content.length;
    this.floor = e.id;
    for (const [map, key] of this.keys(e)) {
      const q = map.get(key);
      q?.dropFront(e);
      if (q && q.size === 0) map.delete(key);
    }
  }

  private keys(e: StoredEvent): [Map<string, IdQueue>, string][] {
    const out: [Map<string, IdQueue>, string][] = [];
    if (e.agentRunUid) out.push([this.byUid, e.agentRunUid]);
    if (e.agentRunNamespace) {
      out.push([this.byNamespace, e.agentRunNamespace]);
      if (e.agentRunName) out.push([this.byRun, `${e.agentRunNamespace}/${e.agentRunName}`]);
    }
    return out;
  }
}
