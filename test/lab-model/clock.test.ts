import { describe, expect, jest, test } from '@jest/globals';
import { systemClock } from '../../src/lab/model/clock.js';

describe('the wall clock', () => {
  test('a wait already over resolves before any timer could fire; a real one waits', async () => {
    const order: string[] = [];
    const timer = new Promise<void>((resolve) => setTimeout(() => (order.push('timer'), resolve()), 0));
    await Promise.all([
      systemClock.sleep(0).then(() => order.push('zero')),
      systemClock.sleep(-5).then(() => order.push('negative')),
      systemClock.sleep(20).then(() => order.push('twenty')),
      timer,
    ]);
    expect(order).toEqual(['zero', 'negative', 'timer', 'twenty']);
  });

  test('a wait ends at its deadline, never before, though its timer fires early', async () => {
    // Waits shorter and longer than the early wake-up; only the lower bound is asserted.
    for (const ms of [0.5, 1, 2.5, 7]) {
      const started = performance.now();
      await systemClock.sleep(ms);
      expect(performance.now() - started).toBeGreaterThanOrEqual(ms);
    }
  });

  test('a wait longer than the longest timer still ends at its deadline, not after 1 ms', async () => {
    jest.useFakeTimers();
    try {
      const ms = 2 ** 31 + 5_000;
      let done = false;
      void systemClock.sleep(ms).then(() => (done = true));
      await jest.advanceTimersByTimeAsync(1_000);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(ms - 1_000 - 2);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(10);
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
