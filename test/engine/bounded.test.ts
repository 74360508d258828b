import { describe, expect, test } from '@jest/globals';
import { mapBounded } from '../../src/engine/bounded.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('mapBounded', () => {
  test('keeps at most `limit` in flight and returns results in item order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      for (let i = 0; i < n; i++) await tick();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  test('runs every item to its end even when some fail, then throws the first failure in item order', async () => {
    const ran: number[] = [];
    const run = mapBounded([0, 1, 2, 3], 4, async (n) => {
      for (let i = 0; i < 4 - n; i++) await tick(); // later items finish first
      ran.push(n);
      if (n === 1 || n === 3) throw new Error(`item ${n}`);
      return n;
    });
    await expect(run).rejects.toThrow('item 1');
    expect([...ran].sort()).toEqual([0, 1, 2, 3]);
  });
});
