import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { EventWindow } from './event-window.js';
import { EVENTS_CHANNEL, type EventFilter, type EventsRepository, type StoredEvent } from './events.repository.js';

/** A reader of the hub: woken when events newer than what it has seen exist. */
export interface HubListener {
  /** Only events matching it wake the listener (all events when undefined). */
  readonly filter?: EventFilter;
  wake(): void;
}

/** The filter keys a batch touches, to wake only the readers it concerns. */
function touched(batch: StoredEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const e of batch) {
    if (e.agentRunUid) keys.add(`uid:${e.agentRunUid}`);
    if (e.agentRunNamespace) {
      keys.add(`ns:${e.agentRunNamespace}`);
      if (e.agentRunName) keys.add(`run:${e.agentRunNamespace}/${e.agentRunName}`);
    }
  }
  return keys;
}

function keyOf(filter: EventFilter): string {
  return 'uid' in filter
    ? `uid:${filter.uid}`
    : 'name' in filter
      ? `run:${filter.namespace}/${filter.name}`
      : `ns:${filter.namespace}`;
}

export interface HubOptions {
  /** Recent events kept in memory for all readers, by count and by content bytes (JANGAR_SSE_WINDOW_*). */
  maxEvents: number;
  maxBytes: number;
}

/**
 * This replica's window on the event store. It LISTENs on the channel the repository notifies at commit (whichever
 * replica stored the events), reads the new rows once, keeps the most recent ones in a shared window, and wakes its
 * readers. Each reader pulls at its own pace from the window (or from Postgres when it fell behind the window), so a slow
 * reader costs nothing but its cursor. Pushed, never polled; after a reconnect it catches up from its last id.
 */
export class EventHub {
  private readonly logger = new Logger(EventHub.name);
  private readonly listeners = new Set<HubListener>();
  /** Every event with an id above its floor (ids have gaps: a duplicate insert burns one). */
  private window: EventWindow;
  private lastSeen = 0;
  private client: pg.PoolClient | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lost = false;
  private retry: NodeJS.Timeout | undefined;
  connected = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly events: EventsRepository,
    private readonly options: HubOptions,
  ) {
    this.window = new EventWindow(0, options.maxEvents, options.maxBytes);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** The highest id this replica has read; readers never run ahead of it. */
  get head(): number {
    return this.lastSeen;
  }

  async start(): Promise<void> {
    this.lastSeen = await this.events.maxId();
    this.window = new EventWindow(this.lastSeen, this.options.maxEvents, this.options.maxBytes);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.client?.release(true);
    await this.reading;
  }

  /** Wakes `listener` whenever new events were read; returns the function that stops it. */
  listen(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events after `cursor` matching `filter`, at most `limit`, from the window when it still holds them, else from
   * Postgres. Ids are assigned and committed in order, so a reader that moves past the window from Postgres finds the
   * window continuing where it left off.
   */
  async read(filter: EventFilter | undefined, cursor: number, limit: number): Promise<StoredEvent[]> {
    return this.readWindow(filter, cursor, limit) ?? this.events.after(filter, cursor, limit);
  }

  /** `read` without waiting, when the window still holds what follows `cursor`; undefined when it does not. */
  readWindow(filter: EventFilter | undefined, cursor: number, limit: number): StoredEvent[] | undefined {
    return cursor < this.window.floor ? undefined : this.window.after(filter, cursor, limit);
  }

  private async connect(): Promise<void> {
    try {
      const client = await this.pool.connect();
      this.client = client;
      client.on('notification', () => this.readNew());
      client.on('error', (err) => this.reconnect(err));
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.lost) this.logger.log('Event notifications connection restored');
      this.lost = false;
      this.connected = true;
      this.readNew();
    } catch (err) {
      this.reconnect(err);
    }
  }

  private reconnect(err: unknown): void {
    if (this.stopped) return;
    if (!this.lost)
      this.logger.warn(
        `Lost the event notifications connection, reconnecting: ${err instanceof Error ? err.message : String(err)}`,
      );
    this.lost = true;
    this.connected = false;
    this.client?.release(true);
    this.client = undefined;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), 1000);
  }

  /** Reads everything after the last id read (coalescing notifications that arrive meanwhile) into the window. */
  private readNew(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        for (;;) {
          const batch = await this.events.after(undefined, this.lastSeen, 2000);
          if (batch.length === 0) break;
          for (const e of batch) this.window.add(e);
          this.lastSeen = batch[batch.length - 1]!.id;
          const keys = touched(batch);
          for (const l of this.listeners) if (!l.filter || keys.has(keyOf(l.filter))) l.wake();
          if (batch.length < 2000) break;
        }
      } while (this.again && !this.stopped);
    })()
      .catch((err: unknown) =>
        this.logger.warn(`Reading new events failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        this.reading = undefined;
        if (this.again) this.readNew();
      });
  }
}

/**
 * Where a cursor writes: `ready` says whether it takes more now; when it does not, the cursor hands `whenReady` the
 * function to call once it does (it may be handed it more than once before that; calling it once is enough).
 */
export interface EventSink {
  ready(): boolean;
  whenReady(resume: () => void): void;
  write(e: StoredEvent): void;
  /** Called after each page of writes (a sink may gather a page's writes into one). */
  flush?(): void;
  /** Called each time the cursor has caught up with every event that exists so far. */
  idle?(): void;
}

/**
 * One reader's position in the event stream: pulls the events of its filter after its position from the hub, as
 * fast as its sink takes them, and sleeps when there are none (until the hub wakes it) or the sink is full (until
 * the sink is ready again). What a slow reader costs is this object, not a queue of events.
 */
export class EventCursor implements HubListener {
  private running = false;
  private again = false;
  private closed = false;
  /** The rest of the last page read when the sink filled up: written first on resume, not read again. */
  private pending: StoredEvent[] = [];
  private readonly unlisten: () => void;

  constructor(
    private readonly hub: EventHub,
    readonly filter: EventFilter | undefined,
    public position: number,
    private readonly sink: EventSink,
    private readonly onError: (err: unknown) => void,
    private readonly pageSize = 256,
  ) {
    this.unlisten = hub.listen(this);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.unlisten();
  }

  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pump()
      .catch((err: unknown) => {
        this.close();
        this.onError(err);
      })
      .finally(() => {
        this.running = false;
        if (this.again) this.wake();
      });
  }

  private async pump(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        if (this.closed) return;
        if (!this.sink.ready()) {
          this.sink.whenReady(() => this.wake());
          return;
        }
        const resumed = this.pending.length > 0;
        // Caught-up readers (all but the ones that fell behind the window) page without a turn of the event loop.
        const page = resumed
          ? this.pending
          : (this.hub.readWindow(this.filter, this.position, this.pageSize) ??
            (await this.hub.read(this.filter, this.position, this.pageSize)));
        let i = 0;
        for (; i < page.length && !this.closed && this.sink.ready(); i++) {
          const e = page[i]!;
          if (e.id <= this.position) continue;
          this.sink.write(e);
          this.position = e.id;
        }
        this.pending = i < page.length ? page.slice(i) : [];
        this.sink.flush?.();
        // A short page read to its end: caught up. A resumed remainder: read on from the database.
        if (!resumed && page.length < this.pageSize && i === page.length) break;
      }
    } while (this.again);
    if (!this.closed) this.sink.idle?.();
  }
}
