/** A resume's background connections: order, a host asked for ahead of its turn, problems in inventory order. */
import { describe, expect, test } from '@jest/globals';
import { HOST_CONCURRENCY } from '../../src/engine/bounded.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps } from '../../src/engine/context.js';
import { reachEveryHost } from '../../src/engine/preflight.js';
import { DeployError } from '../../src/errors.js';

/** Hosts whose connect() waits until the test lets it finish (or fail). */
function estate(count: number, down: ReadonlySet<string> = new Set()) {
  const names = Array.from({ length: count }, (_, i) => `h${String(i).padStart(3, '0')}`);
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const deps = {
    inventory: { hosts: names.map((name) => ({ name, address: '127.0.0.1', port: 22, roles: ['mps'] })) },
    options: { ...DEFAULT_ENGINE_OPTIONS, retries: 0, retryMinMs: 1, retryMaxMs: 1 },
    emit: () => undefined,
    transport: (host: string) => ({
      connect: () =>
        new Promise<void>((resolve, reject) => {
          started.push(host);
          finish.set(host, () =>
            down.has(host)
              ? reject(new DeployError('remote', `connect ${host}: refused`, { code: 'SSH_CONNECT' }))
              : resolve(),
          );
        }),
    }),
  } as unknown as EngineDeps;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  return { names, started, finish, deps, settle };
}

describe('reachEveryHost', () => {
  test('a host a stage asks for connects at once; the sweep begins after it, HOST_CONCURRENCY at a time in inventory order', async () => {
    const e = estate(HOST_CONCURRENCY + 8);
    const reach = reachEveryHost(e.deps);
    const last = e.names.at(-1) as string;
    const ready = reach.ready(last);
    reach.begin();
    await e.settle();
    // Only the host asked for: its handshake goes first.
    expect(e.started).toEqual([last]);
    e.finish.get(last)?.();
    await expect(ready).resolves.toBe(true);
    await e.settle();
    expect(e.started).toEqual([last, ...e.names.slice(0, HOST_CONCURRENCY)]);
    for (let round = 0; round < 5; round++) {
      for (const name of e.names) e.finish.get(name)?.();
      await e.settle();
    }
    await expect(reach.problems).resolves.toEqual([]);
    await expect(reach.ready()).resolves.toBe(true);
    // Its own turn in the sweep does not connect it again.
    expect(e.started.filter((h) => h === last)).toHaveLength(1);
    expect(new Set(e.started)).toEqual(new Set(e.names));
  });

  test('nothing but the hosts asked for connects before begin', async () => {
    const e = estate(3);
    const reach = reachEveryHost(e.deps);
    await e.settle();
    expect(e.started).toEqual([]);
    void reach.ready('h001');
    await e.settle();
    expect(e.started).toEqual(['h001']);
  });

  test('a host that cannot be reached is false for its lane, and every problem comes in inventory order', async () => {
    const e = estate(5, new Set(['h003', 'h001']));
    const reach = reachEveryHost(e.deps);
    reach.begin();
    await e.settle();
    for (const name of [...e.names].reverse()) e.finish.get(name)?.();
    await expect(reach.ready('h003')).resolves.toBe(false);
    await expect(reach.ready('h002')).resolves.toBe(true);
    const problems = await reach.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^h001 \(127\.0\.0\.1:22\): connect h001: refused \[SSH_CONNECT\]/);
    expect(problems[1]).toMatch(/^h003 /);
    await expect(reach.ready()).resolves.toBe(false);
  });
});
