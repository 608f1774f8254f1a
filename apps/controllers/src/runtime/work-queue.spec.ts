import { jest } from '@jest/globals';
import { WorkQueue, type QueueDepths } from './work-queue.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
  });

  it('never hands a key to two workers; a key added while in flight runs again afterwards', async () => {
    const q = new WorkQueue();
    q.add('k');
    const first = await q.get();
    q.add('k');
    expect(q.depth).toBe(0);
    const second = q.get();
    let got: string | undefined;
    void second.then((k) => (got = k));
    await Promise.resolve();
    expect(got).toBeUndefined();
    q.done(first!);
    expect(await second).toBe('k');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('late');
    expect(await next).toBe('late');
  });

  describe('with fake timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('delays a key and keeps the earliest of two delays', async () => {
      const q = new WorkQueue();
      q.addAfter('k', 5000);
      q.addAfter('k', 1000);
      await jest.advanceTimersByTimeAsync(999);
      expect(q.depth).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(q.depth).toBe(1);
    });

    it('backs off exponentially per key up to the cap, and forgets after success', () => {
      const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
      expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('k'))).toEqual([100, 200, 400, 800, 1000]);
      q.forget('k');
      expect(q.addRateLimited('k')).toBe(100);
    });
  });

  describe('the low lane (periodic resync)', () => {
    const drain = async (q: WorkQueue) => {
      const order: string[] = [];
      while (q.depth > 0) {
        const k = (await q.get())!;
        order.push(k);
        q.done(k);
      }
      return order;
    };

    it('serves resync keys only when no other key waits, so a new object never waits behind a resync', async () => {
      const q = new WorkQueue();
      for (const k of ['old/1', 'old/2', 'old/3']) q.addLow(k);
      q.add('new/a');
      expect(q.depth).toBe(4);
      expect(await q.get()).toBe('new/a');
      q.done('new/a');
      q.add('new/b');
      expect(await drain(q)).toEqual(['new/b', 'old/1', 'old/2', 'old/3']);
    });

    it('reports each lane apart, so a resync backlog is not read as new runs waiting', async () => {
      const seen: QueueDepths[] = [];
      const q = new WorkQueue({ onDepth: (d) => seen.push(d) });
      q.addLow('old/1');
      q.addLow('old/2');
      q.add('new/a');
      expect(seen.at(-1)).toEqual({ main: 1, resync: 2 });
      q.add('old/1');
      expect(seen.at(-1)).toEqual({ main: 2, resync: 1 });
      expect(await drain(q)).toEqual(['new/a', 'old/1', 'old/2']);
      expect(seen.at(-1)).toEqual({ main: 0, resync: 0 });
    });

    it('moves a resync key up when an event adds it, and runs it once', async () => {
      const q = new WorkQueue();
      q.addLow('k1');
      q.addLow('k2');
      q.add('k2');
      expect(q.depth).toBe(2);
      expect(await drain(q)).toEqual(['k2', 'k1']);
    });

    it('leaves a key that is queued or in flight as it is', async () => {
      const q = new WorkQueue();
      q.add('queued');
      q.addLow('queued');
      expect(q.depth).toBe(1);
      const inFlight = (await q.get())!;
      q.addLow(inFlight);
      expect(q.depth).toBe(0);
      q.done(inFlight);
      expect(q.depth).toBe(0);
    });

    it('hands a resync key to a waiting worker at once', async () => {
      const q = new WorkQueue();
      const next = q.get();
      q.addLow('idle');
      expect(await next).toBe('idle');
    });
  });

  it('releases waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.shutDown();
    expect(await next).toBeUndefined();
  });
});
