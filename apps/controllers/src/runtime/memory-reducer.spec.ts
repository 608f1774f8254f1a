import { jest } from '@jest/globals';
import { IdleMemoryReducer, type GcFunction } from './memory-reducer.js';

describe('IdleMemoryReducer', () => {
  const setUp = () => {
    let work = 0;
    const gc = jest.fn<GcFunction>();
    const reducer = new IdleMemoryReducer(() => work, gc);
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

  it('does nothing without an exposed gc', () => {
    const reducer = new IdleMemoryReducer(() => 0, undefined);
    reducer.start();
    expect(reducer.tick()).toBe(false);
    expect(reducer.tick()).toBe(false);
    reducer.stop();
  });
});
