/** A resume's background connections: order, a host asked for ahead of its turn, problems in inventory order. */
import { describe, expect, test } from '@jest/globals';
import { HOST_CONCURRENCY } from '../../src/engine/bounded.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps } from '../../src/engine/context.js';
import { FIRST_HANDSHAKES, reachEveryHost } from '../../src/engine/preflight.js';
import { DeployError } from '../../src/errors.js';

/** Hosts whose connect() waits until the test lets it finish (or fail). */
function estate(count: number, down: ReadonlySet<string> = new Set()) {
  const names = Array.from({ length: count }, (_, i) => `h${String(i).padStart(3, '0')}`);
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  let open = 0;
  const peak = { inFlight: 0 };
  const deps = {
    inventory: { hosts: names.map((name) => ({ name, address: '127.0.0.1', port: 22, roles: ['mps'] })) },
    options: { ...DEFAULT_ENGINE_OPTIONS, retries: 0, retryMinMs: 1, retryMaxMs: 1 },
    emit: () => undefined,
    transport: (host: string) => ({
      connect: () =>
        new Promise<void>((resolve, reject) => {
          started.push(host);
          peak.inFlight = Math.max(peak.inFlight, ++open);
          finish.set(host, () => {
            finish.delete(host);
            open--;
            if (down.has(host))
              reject(new DeployError('remote', `connect ${host}: refused`, { code: 'SSH_CONNECT' }));
            else resolve();
          });
        }),
    }),
  } as unknown as EngineDeps;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  /** Lets every handshake in flight finish, round after round, until none is left (bounded). */
  const drain = async (): Promise<void> => {
    for (let round = 0; round < 50 && finish.size > 0; round++) {
      for (const done of [...finish.values()]) done();
      await settle();
    }
  };
  return { names, started, finish, deps, settle, drain, peak };
}

describe('reachEveryHost', () => {
  test('a host a stage asks for connects first; handshakes widen by one as each settles, never past HOST_CONCURRENCY, the sweep in inventory order', async () => {
    const F = FIRST_HANDSHAKES;
    const e = estate(HOST_CONCURRENCY * 3);
    const reach = reachEveryHost(e.deps);
    const last = e.names.at(-1) as string;
    const ready = reach.ready(last);
    reach.begin();
    await e.settle();
    // The host asked for goes first; the sweep fills the first window from the top of the inventory.
    expect(e.started).toEqual([last, ...e.names.slice(0, F - 1)]);
    e.finish.get(last)?.();
    await expect(ready).resolves.toBe(true);
    await e.settle();
    // One settled: the window is one wider, so two more start.
    expect(e.started).toEqual([last, ...e.names.slice(0, F + 1)]);
    // A host asked for while the window is full goes ahead of every host still queued.
    const late = e.names.at(-2) as string;
    void reach.ready(late);
    await e.settle();
    expect(e.started).toHaveLength(F + 2);
    e.finish.get(e.names[0] as string)?.();
    await e.settle();
    expect(e.started.slice(F + 2)).toEqual([late, e.names[F + 1]]);
    await e.drain();
    await expect(reach.problems).resolves.toEqual([]);
    await expect(reach.ready()).resolves.toBe(true);
    expect(e.peak.inFlight).toBe(HOST_CONCURRENCY);
    // Its own turn in the sweep does not connect it again.
    expect(e.started.filter((h) => h === last)).toHaveLength(1);
    expect(e.started).toHaveLength(e.names.length);
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
    await e.drain();
    await expect(reach.ready('h003')).resolves.toBe(false);
    await expect(reach.ready('h002')).resolves.toBe(true);
    const problems = await reach.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^h001 \(127\.0\.0\.1:22\): connect h001: refused \[SSH_CONNECT\]/);
    expect(problems[1]).toMatch(/^h003 /);
    await expect(reach.ready()).resolves.toBe(false);
  });
});
