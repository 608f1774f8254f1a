import { jest } from '@jest/globals';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { IdleMemoryReducer, counterMoved, eventLoopBusy, type GcFunction } from './memory-reducer.js';

describe('IdleMemoryReducer', () => {
  const setUp = () => {
    let work = 0;
    const gc = jest.fn<GcFunction>();
    const reducer = new IdleMemoryReducer(
      counterMoved(() => work),
      gc,
    );
    return { reducer, gc, busy: (n = 1) => (work += n) };
  };

  it('collects once on the first quiet interval after a busy one, and not again while it stays quiet', () => {
    const { reducer, gc, busy } = setUp();
    busy(500);
    expect(reducer.tick()).toBe(false);
    expect(reducer.tick()).toBe(true);
    expect(reducer.tick()).toBe(false);
    expect(reducer.tick()).toBe(false);
    expect(gc).toHaveBeenCalledTimes(1);
    expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  });

  it('never collects while work goes on', () => {
    const { reducer, gc, busy } = setUp();
    for (let i = 0; i < 10; i++) {
      busy();
      reducer.tick();
    }
    expect(gc).not.toHaveBeenCalled();
  });

  it('collects after each busy period that ends', () => {
    const { reducer, gc, busy } = setUp();
    reducer.tick(); // start-up (caches filled) counts as busy
    reducer.tick();
    busy();
    reducer.tick();
    reducer.tick();
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('collects on demand (after start-up), and that counts: the next quiet interval does not collect again', () => {
    const { reducer, gc } = setUp();
    expect(reducer.collect()).toBe(true);
    reducer.tick(); // the start-up counter reading: busy
    expect(reducer.tick()).toBe(true); // quiet after busy: collects
    expect(gc).toHaveBeenCalledTimes(2);
    const quiet = new IdleMemoryReducer(() => false, gc);
    quiet.collect();
    expect(quiet.tick()).toBe(false);
    expect(gc).toHaveBeenCalledTimes(3);
  });

  it('does nothing without an exposed gc', () => {
    const reducer = new IdleMemoryReducer(
      counterMoved(() => 0),
      undefined,
    );
    reducer.start();
    expect(reducer.tick()).toBe(false);
    expect(reducer.tick()).toBe(false);
    reducer.stop();
  });
});

describe('eventLoopBusy', () => {
  /** A clock of event-loop time: `work(ms)` of busy loop, `wait(ms)` idle. */
  const loop = () => {
    let active = 0;
    let idle = 0;
    const sample = (): EventLoopUtilization => ({ active, idle, utilization: active / (active + idle || 1) });
    const utilization = (since?: EventLoopUtilization): EventLoopUtilization => {
      const now = sample();
      if (!since) return now;
      const a = now.active - since.active;
      const i = now.idle - since.idle;
      return { active: a, idle: i, utilization: a / (a + i || 1) };
    };
    return { utilization, work: (ms: number) => (active += ms), wait: (ms: number) => (idle += ms) };
  };

  it('is busy for an interval that used the loop over the threshold, and quiet for one of heartbeats only', () => {
    const l = loop();
    const busy = eventLoopBusy(0.05, l.utilization);
    l.work(9_000);
    l.wait(6_000);
    expect(busy()).toBe(true);
    l.work(30); // heartbeats and timers
    l.wait(14_970);
    expect(busy()).toBe(false);
  });

  it('measures each interval on its own, not since the start', () => {
    const l = loop();
    const busy = eventLoopBusy(0.05, l.utilization);
    l.work(60_000); // a long busy minute
    expect(busy()).toBe(true);
    l.wait(15_000);
    expect(busy()).toBe(false);
  });

  it('drives the reducer: one collection after a burst of calls, none while idle', () => {
    const l = loop();
    const gc = jest.fn<GcFunction>();
    const reducer = new IdleMemoryReducer(eventLoopBusy(0.05, l.utilization), gc);
    l.work(12_000);
    l.wait(3_000);
    reducer.tick();
    for (let i = 0; i < 3; i++) {
      l.wait(15_000);
      reducer.tick();
    }
    expect(gc).toHaveBeenCalledTimes(1);
  });
});
