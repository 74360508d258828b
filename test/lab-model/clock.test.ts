import { describe, expect, test } from '@jest/globals';
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
});
