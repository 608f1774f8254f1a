import { EventWindow } from './event-window.js';
import type { StoredEvent } from './events.repository.js';

const ev = (id: number, uid: string, namespace = 'ns', name = `run-${uid}`, content = 'x'): StoredEvent => ({
  id,
  kind: 'output',
  role: 'assistant',
  content,
  agentRunUid: uid,
  agentRunName: name,
  agentRunNamespace: namespace,
  agentId: 'a',
  stepId: null,
  seq: id,
  attrs: null,
  timestamp: '2026-11-23T00:00:00.000Z',
  subject: 's',
});
const ids = (events: StoredEvent[]) => events.map((e) => e.id);

describe('EventWindow', () => {
  it('answers each filter from its own sequence, after a cursor, up to a limit', () => {
    const w = new EventWindow(0, 100, 1 << 20);
    [ev(1, 'a'), ev(2, 'b'), ev(4, 'a'), ev(7, 'c', 'other'), ev(9, 'a')].forEach((e) => w.add(e));
    expect(ids(w.after({ uid: 'a' }, 0, 10))).toEqual([1, 4, 9]);
    expect(ids(w.after({ uid: 'a' }, 1, 10))).toEqual([4, 9]);
    expect(ids(w.after({ uid: 'a' }, 3, 1))).toEqual([4]);
    expect(ids(w.after({ namespace: 'ns', name: 'run-b' }, 0, 10))).toEqual([2]);
    expect(ids(w.after({ namespace: 'ns' }, 2, 10))).toEqual([4, 9]);
    expect(ids(w.after(undefined, 4, 10))).toEqual([7, 9]);
    expect(w.after({ uid: 'nobody' }, 0, 10)).toEqual([]);
  });

  it('evicts the oldest beyond its count, raising the floor and forgetting emptied runs', () => {
    const w = new EventWindow(0, 3, 1 << 20);
    for (let i = 1; i <= 5; i++) w.add(ev(i, i === 1 ? 'gone' : 'kept'));
    expect(w.size).toBe(3);
    expect(w.floor).toBe(2);
    expect(ids(w.after(undefined, 2, 10))).toEqual([3, 4, 5]);
    expect(w.after({ uid: 'gone' }, 0, 10)).toEqual([]);
    expect(ids(w.after({ uid: 'kept' }, 0, 10))).toEqual([3, 4, 5]);
  });

  it('evicts by content bytes too, but always keeps the newest event', () => {
    const w = new EventWindow(10, 100, 10);
    w.add(ev(11, 'a', 'ns', 'r', '123456'));
    w.add(ev(12, 'a', 'ns', 'r', '123456'));
    expect(ids(w.after(undefined, 0, 10))).toEqual([12]);
    expect(w.floor).toBe(11);
    w.add(ev(13, 'a', 'ns', 'r', 'x'.repeat(50)));
    expect(ids(w.after({ uid: 'a' }, 0, 10))).toEqual([13]);
  });

  it('stays correct across many evictions (compaction of its queues)', () => {
    const w = new EventWindow(0, 500, 1 << 30);
    for (let i = 1; i <= 10_000; i++) w.add(ev(i, `r${i % 3}`));
    expect(w.floor).toBe(9500);
    expect(ids(w.after({ uid: 'r1' }, 9990, 100))).toEqual([9991, 9994, 9997, 10000]);
    expect(w.after(undefined, 9500, 1000)).toHaveLength(500);
  });
});
