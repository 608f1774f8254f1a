import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { EventHub } from './event-hub.js';
import type { EventsRepository, StoredEvent } from './events.repository.js';

const event = (id: number): StoredEvent => ({
  id,
  kind: 'output',
  role: 'assistant',
  content: `line ${id}`,
  agentRunUid: 'u',
  agentRunName: 'r',
  agentRunNamespace: 'ns',
  agentId: 'a',
  stepId: null,
  seq: id,
  attrs: null,
  timestamp: '2026-12-07T00:00:00Z',
  subject: 's',
});

/** A hub over a "database" holding ids 1..`committed`, whose LISTEN connection the test can notify. */
async function hubOver(committed: number) {
  const db = { committed, reads: [] as number[] };
  const events = {
    maxId: async () => db.committed,
    after: async (_filter: unknown, afterId: number, limit: number) => {
      db.reads.push(afterId);
      const out: StoredEvent[] = [];
      for (let id = afterId + 1; id <= Math.min(db.committed, afterId + limit); id++) out.push(event(id));
      return out;
    },
  } as unknown as EventsRepository;
  const listenConnection = Object.assign(new EventEmitter(), { query: async () => ({}), release: () => undefined });
  const pool = { connect: async () => listenConnection } as unknown as pg.Pool;
  const hub = new EventHub(pool, events, { maxEvents: 1000, maxBytes: 1 << 20 });
  await hub.start();
  await settle();
  db.reads.length = 0;
  let wakes = 0;
  hub.listen({ filter: { uid: 'u' }, wake: () => (wakes += 1) });
  return {
    hub,
    db,
    notify: (payload: string) => listenConnection.emit('notification', { channel: 'agent_events', payload }),
    wakes: () => wakes,
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const ids = (events: StoredEvent[] | undefined) => events?.map((e) => e.id);

describe('EventHub.stored: the rows this replica committed', () => {
  it('are taken without a read when they follow the last id read, and wake the readers', async () => {
    const t = await hubOver(10);
    t.db.committed = 12;
    t.hub.stored({ after: 10, events: [event(11), event(12)] });
    expect(t.hub.head).toBe(12);
    expect(ids(t.hub.readWindow(undefined, 10, 10))).toEqual([11, 12]);
    expect(t.wakes()).toBe(1);
    // Its own notification arrives afterwards: nothing left to read.
    t.notify('12');
    await settle();
    expect(t.db.reads).toEqual([]);
  });

  it('are read from Postgres, with what another replica committed before them, when they do not follow', async () => {
    const t = await hubOver(10);
    // Another replica committed 11 and 12; this one 13, and its commit came back before the other's notification.
    t.db.committed = 13;
    t.hub.stored({ after: 12, events: [event(13)] });
    await settle();
    expect(t.db.reads[0]).toBe(10);
    expect(ids(t.hub.readWindow(undefined, 10, 10))).toEqual([11, 12, 13]);
    expect(t.hub.head).toBe(13);
  });

  it('are ignored when a read already brought them (the notification came first)', async () => {
    const t = await hubOver(10);
    t.db.committed = 11;
    t.notify('11');
    await settle();
    expect(t.hub.head).toBe(11);
    const reads = t.db.reads.length;
    t.hub.stored({ after: 10, events: [event(11)] });
    await settle();
    expect(t.db.reads.length).toBe(reads);
    expect(ids(t.hub.readWindow(undefined, 10, 10))).toEqual([11]);
  });
});

describe('EventHub notifications', () => {
  it('read only when they announce an id above the last one read (or carry no id)', async () => {
    const t = await hubOver(10);
    t.notify('9');
    t.notify('10');
    await settle();
    expect(t.db.reads).toEqual([]);
    t.db.committed = 11;
    t.notify('');
    await settle();
    expect(t.db.reads[0]).toBe(10);
    expect(t.hub.head).toBe(11);
  });
});
