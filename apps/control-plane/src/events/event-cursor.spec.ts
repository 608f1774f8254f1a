import { EventCursor, type EventHub, type EventSink } from './event-hub.js';
import type { StoredEvent } from './events.repository.js';

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
  timestamp: '2026-12-02T00:00:00Z',
  subject: 's',
});

/** A hub over ids 1..total that counts its reads: from its window (no wait) when `windowed`, else from "Postgres". */
function fakeHub(total: number, windowed: boolean) {
  const page = (cursor: number, limit: number) => {
    hub.reads += 1;
    const out: StoredEvent[] = [];
    for (let id = cursor + 1; id <= Math.min(total, cursor + limit); id++) out.push(event(id));
    return out;
  };
  const hub = {
    reads: 0,
    listen: () => () => undefined,
    readWindow: (_f: unknown, cursor: number, limit: number) => (windowed ? page(cursor, limit) : undefined),
    read: async (_f: unknown, cursor: number, limit: number) => page(cursor, limit),
  };
  return hub;
}

/** A sink that takes `window` events, then is full until the test drains it. */
function windowSink(window: number) {
  const written: number[] = [];
  let inWindow = 0;
  let resume: (() => void) | undefined;
  let idle = false;
  const sink: EventSink = {
    ready: () => inWindow < window,
    whenReady: (r) => (resume = r),
    write: (e) => (written.push(e.id), (inWindow += 1)),
    idle: () => (idle = true),
  };
  const drain = () => {
    inWindow = 0;
    const r = resume;
    resume = undefined;
    r?.();
  };
  return { sink, written, drain, isIdle: () => idle, waiting: () => resume !== undefined };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('EventCursor', () => {
  it.each([
    ['the window', true],
    ['Postgres', false],
  ])('writes the rest of a page from %s after the sink drains, without reading the page again', async (_, windowed) => {
    const hub = fakeHub(1000, windowed);
    const s = windowSink(16);
    const cursor = new EventCursor(hub as unknown as EventHub, { uid: 'u' }, 0, s.sink, (e) => {
      throw e;
    });
    for (let i = 0; i < 200 && !s.isIdle(); i++) {
      await settle();
      if (s.waiting()) s.drain();
    }
    cursor.close();
    expect(s.written).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // 1000 events in pages of 256: 4 pages and the empty read that says it caught up, not one read per 16 events.
    expect(hub.reads).toBe(5);
  });
});
