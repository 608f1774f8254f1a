import { jest } from '@jest/globals';
import { TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('lets a burst through at once, then paces the rest at qps', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    let granted = 0;
    for (let i = 0; i < 6; i++) void bucket.take().then(() => (granted += 1));
    await Promise.resolve();
    expect(granted).toBe(3);
    now = 100;
    await jest.advanceTimersByTimeAsync(100);
    expect(granted).toBe(4);
    now = 300;
    await jest.advanceTimersByTimeAsync(200);
    expect(granted).toBe(6);
  });

  it('never limits when qps is zero', async () => {
    const bucket = new TokenBucket(0, 0);
    await Promise.all(Array.from({ length: 1000 }, () => bucket.take()));
  });
});
