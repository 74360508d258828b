/**
 * An exclusive lock on the lab state file for the forced command. Every sshd session is its own
 * process, and all of them read, change and write one state file: without the lock two
 * concurrent commands would each save their own copy and one update would be lost.
 *
 * The lock is a sibling file created with O_EXCL that names its holder's pid; a holder that has
 * died is detected and its lock taken over.
 */

import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployError } from '../../errors.js';

export interface StateLockOptions {
  /** Give up after this long (a slow-fault command can hold the lock for a while). */
  timeoutMs?: number;
  /** Bound on attempts, whatever the clock says. */
  maxAttempts?: number;
}

/** Runs `work` while holding `<statePath>.lock`. */
export async function withStateLock<T>(
  statePath: string,
  work: () => Promise<T>,
  options: StateLockOptions = {},
): Promise<T> {
  const lockPath = `${statePath}.lock`;
  await acquire(lockPath, options.timeoutMs ?? 120_000, options.maxAttempts ?? 20_000);
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, timeoutMs: number, maxAttempts: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid} ${hostname()}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stale = await staleContent(lockPath);
    if (stale !== undefined) {
      // Re-read right before removing, so a lock another waiter just took over is left alone.
      if ((await readFile(lockPath, 'utf8').catch(() => '')) === stale)
        await unlink(lockPath).catch(() => undefined);
      continue;
    }
    // Jitter keeps many waiting sessions from retrying in lock step.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
  throw new DeployError('locked', `the lab state is locked: ${lockPath}`, {
    code: 'LAB_STATE_LOCKED',
    retryable: true,
    hint: `another lab command held the lock for over ${Math.round(timeoutMs / 1000)} s; if no lab command is running, delete ${lockPath}`,
  });
}

/**
 * The lock's content when its pid no longer runs on this machine (a stale lock), else undefined.
 * An empty or unreadable lock is still being written by its holder.
 */
async function staleContent(lockPath: string): Promise<string | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const [pidText, host] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname()) return undefined;
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? text : undefined;
  }
}
