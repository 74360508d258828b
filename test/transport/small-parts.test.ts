import { describe, expect, test } from '@jest/globals';
import type { HostSpec } from '../../src/inventory/types.js';
import { createTransportPool } from '../../src/transport/pool.js';
import { createSemaphore } from '../../src/transport/semaphore.js';
import { createTailBuffer } from '../../src/transport/tail-buffer.js';
import type { Transport } from '../../src/transport/types.js';

function host(name: string): HostSpec {
  return {
    name,
    address: '127.0.0.1',
    port: 22,
    user: 'u',
    auth: { agent: true },
    transport: 'ssh',
    roles: ['mps'],
  };
}

describe('tail buffer', () => {
  test('small output is kept whole', () => {
    const tail = createTailBuffer(100);
    tail.push(Buffer.from('a\nb\n'));
    expect(tail.text()).toBe('a\nb\n');
    expect(tail.droppedBytes).toBe(0);
  });

  test('large output keeps whole last lines, including the sentinel, and counts what was dropped', () => {
    const tail = createTailBuffer(64);
    for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i}\n`));
    tail.push(Buffer.from('__RC__=0\n'));
    const text = tail.text();
    expect(text.endsWith('__RC__=0\n')).toBe(true);
    expect(text.startsWith('line ')).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64);
    expect(tail.droppedBytes).toBeGreaterThan(500);
  });

  test('a cut never leaves half a UTF-8 character', () => {
    const tail = createTailBuffer(10);
    tail.push(Buffer.from('a' + 'é'.repeat(13)));
    expect(tail.text()).not.toContain('\uFFFD');
  });
});

describe('semaphore', () => {
  test('holders beyond the limit wait until a slot is released', async () => {
    const semaphore = createSemaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    let thirdGranted = false;
    const third = semaphore.acquire().then((release) => {
      thirdGranted = true;
      return release;
    });
    await Promise.resolve();
    expect(thirdGranted).toBe(false);
    expect(semaphore.waiting).toBe(1);
    first();
    first();
    await third;
    expect(thirdGranted).toBe(true);
    expect(semaphore.active).toBe(2);
  });

  test('a waiter whose signal aborts leaves the queue', async () => {
    const semaphore = createSemaphore(1);
    await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(semaphore.waiting).toBe(0);
  });
});

describe('transport pool', () => {
  test('one transport per host name, and closeAll closes each once', async () => {
    const closed: string[] = [];
    const pool = createTransportPool((spec): Transport => ({
      host: spec.name,
      connect: async () => undefined,
      run: async () => {
        throw new Error('unused');
      },
      upload: async () => undefined,
      close: async () => {
        closed.push(spec.name);
        if (spec.name === 'B') throw new Error('already gone');
      },
    }));
    expect(pool.get(host('A'))).toBe(pool.get(host('A')));
    pool.get(host('B'));
    expect(pool.size).toBe(2);
    await pool.closeAll();
    expect(closed.sort()).toEqual(['A', 'B']);
    expect(pool.size).toBe(0);
  });
});
