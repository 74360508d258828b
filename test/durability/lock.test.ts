import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isDeployError } from '../../src/errors.js';
import { acquireLock, readLock, staleReason, type LockHolder } from '../../src/durability/lock.js';
import { deadPid, makeTempDir } from './helpers.js';

const holder = (overrides: Partial<LockHolder> = {}): LockHolder => ({
  runId: '20240501-100000-abcd',
  pid: process.pid,
  host: hostname(),
  startedAt: new Date().toISOString(),
  command: 'deploy-rollup --inventory prod.yaml',
  ...overrides,
});

/** These cases read /proc (Linux); elsewhere a live pid is always taken to be the holder. */
const withProc = existsSync('/proc/self/stat') ? test : test.skip;

let temp: ReturnType<typeof makeTempDir>;
let lockPath: string;
beforeEach(() => {
  temp = makeTempDir();
  lockPath = join(temp.dir, 'locks', 'k.lock');
});
afterEach(() => temp.cleanup());

async function lockedError(
  promise: Promise<unknown>,
): Promise<{ code: string; hint: string; message: string; exitCode: number }> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isDeployError(error)) throw new Error(`expected a DeployError, got ${String(error)}`);
  return { code: error.code, hint: error.hint ?? '', message: error.message, exitCode: error.exitCode };
}

function writeLockFile(content: object | string): void {
  mkdirSync(join(temp.dir, 'locks'), { recursive: true });
  writeFileSync(lockPath, typeof content === 'string' ? content : JSON.stringify(content));
}

describe('acquireLock', () => {
  test('creates a 0600 lock file naming the holder, and release removes it', async () => {
    const lock = await acquireLock(lockPath, holder());
    expect(statSync(lockPath).mode & 0o777).toBe(0o600);
    expect(readLock(lockPath)).toMatchObject(holder({ startedAt: lock.holder.startedAt }));
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
    await lock.release();
  });

  test('a second acquire throws LOCKED naming pid, host, start and run, with exit code 4', async () => {
    const first = await acquireLock(lockPath, holder({ startedAt: '2024-05-01T10:00:00.000Z' }));
    const error = await lockedError(
      acquireLock(lockPath, holder({ runId: 'other' }), { inventory: 'prod.yaml' }),
    );
    expect(error.code).toBe('LOCKED');
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('another run holds the lock for prod.yaml');
    expect(error.hint).toBe(
      `held by pid ${process.pid} on host ${hostname()} since 2024-05-01T10:00:00.000Z (run 20240501-100000-abcd); ` +
        `wait for it, or if that process is gone on another machine, remove ${lockPath}`,
    );
    await first.release();
    const again = await acquireLock(lockPath, holder());
    await again.release();
  });

  test('a lock held by a dead pid on this host is taken over and the stale file kept aside', async () => {
    const pid = await deadPid();
    writeLockFile(holder({ pid, runId: 'crashed' }));
    const lock = await acquireLock(lockPath, holder());
    expect(readLock(lockPath)?.runId).toBe('20240501-100000-abcd');
    const aside = readdirSync(join(temp.dir, 'locks')).filter((name) => name.startsWith('k.lock.stale-'));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(temp.dir, 'locks', aside[0]!), 'utf8'))).toMatchObject({
      runId: 'crashed',
    });
    await lock.release();
  });

  test('a lock from another host is never taken over, even if the pid is dead here', async () => {
    const pid = await deadPid();
    writeLockFile(holder({ pid, host: 'some-other-host' }));
    const error = await lockedError(acquireLock(lockPath, holder()));
    expect(error.hint).toContain(`held by pid ${pid} on host some-other-host`);
  });

  withProc(
    'a live pid whose process start time differs from the recorded one is stale (reused pid)',
    async () => {
      writeLockFile({ ...holder({ runId: 'old' }), procStart: '1' });
      const lock = await acquireLock(lockPath, holder());
      expect(readLock(lockPath)?.runId).toBe('20240501-100000-abcd');
      await lock.release();
    },
  );

  withProc('without a recorded start time, a pid started after the lock was taken is stale', () => {
    const record = holder({ startedAt: '2000-01-01T00:00:00.000Z' });
    expect(staleReason(record)).toContain('was started after the lock was taken');
    expect(staleReason(holder({ startedAt: new Date(Date.now() + 60_000).toISOString() }))).toBeUndefined();
  });

  withProc('a lock recorded before a reboot is stale', () => {
    expect(staleReason({ ...holder(), bootId: 'not-this-boot' })).toBe('the machine has rebooted since');
  });

  test('an unreadable lock file is respected while fresh and taken over after 10 s', async () => {
    writeLockFile('');
    const error = await lockedError(acquireLock(lockPath, holder()));
    expect(error.hint).toContain('the lock file is unreadable');
    const old = new Date(Date.now() - 20_000);
    utimesSync(lockPath, old, old);
    const lock = await acquireLock(lockPath, holder());
    expect(readLock(lockPath)?.pid).toBe(process.pid);
    await lock.release();
  });

  test('two in-process takers racing for one stale lock: exactly one wins', async () => {
    const pid = await deadPid();
    writeLockFile(holder({ pid, runId: 'crashed' }));
    const outcomes = await Promise.allSettled([
      acquireLock(lockPath, holder({ runId: 'A' })),
      acquireLock(lockPath, holder({ runId: 'B' })),
    ]);
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    expect(winners).toHaveLength(1);
    expect(losers.map((outcome): unknown => outcome.reason)).toEqual([
      expect.objectContaining({ code: 'LOCKED' }),
    ]);
    const won = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
    expect(readLock(lockPath)?.runId).toBe(won.holder.runId);
    await won.release();
  });

  test('release does not remove a lock that was taken over by someone else', async () => {
    const lock = await acquireLock(lockPath, holder());
    const { renameSync } = await import('node:fs');
    renameSync(lockPath, `${lockPath}.moved`);
    writeLockFile(holder({ runId: 'usurper' }));
    await lock.release();
    expect(readLock(lockPath)?.runId).toBe('usurper');
  });
});
