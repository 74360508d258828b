/**
 * One run per inventory at a time: a lock file created with O_CREAT|O_EXCL that names its holder.
 *
 * A lock left by a crashed holder is taken over, but only when this host can prove the holder is
 * gone: same host name, and the pid is dead (ESRCH), or the pid now belongs to another process.
 * "Another process" is decided on Linux from `/proc/<pid>/stat` field 22 (start time in clock
 * ticks since boot): the lock records the holder's own value, and a different value means the pid
 * was reused. A lock written without it (another platform) falls back to comparing the process's
 * wall-clock start (boot time + ticks / 100) with the holder's `startedAt`. The lock also records
 * the kernel boot id, so a lock from before a reboot is stale. Without `/proc`, a live pid is
 * assumed to be the holder. A lock on another host is never taken over automatically.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DeployError } from '../errors.js';
import { ensureDir, errorCode, fsyncDir, writeAll } from './fs-atomic.js';
import { readLockHolder, type LockHolder, type LockRecord } from './lock-record.js';

export type { LockHolder, LockRecord } from './lock-record.js';

/** An unreadable lock file younger than this may still be being written by its holder. */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;
const ATTEMPTS = 3;

export interface Lock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The random token written into the file: what {@link Lock.verify} looks for. */
  readonly token: string;
  /**
   * Throws `LOCK_LOST` (kind `locked`) unless the file is still there with our token: called
   * before each side effect, so a lock file removed or replaced under a running holder stops it
   * instead of letting a second writer in beside it. Synchronous: a stat-sized read.
   */
  verify(): void;
  /** Rewrites the record in place (same file, same token) once the run id is known. */
  update(runId: string): Promise<void>;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** Names what is locked in the error message (the inventory file); defaults to the lock path. */
  inventory?: string;
}

function procStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function bootTimeMs(): number | undefined {
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1000;
  } catch {
    return undefined;
  }
}

/** True when no process has this pid (a process of another user counts as alive). */
export function pidIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return errorCode(error) === 'ESRCH';
  }
}

/** Why the holder is provably gone, or undefined when it may still be running. */
export function staleReason(record: LockRecord, thisHost = hostname()): string | undefined {
  if (record.host !== thisHost) return undefined;
  const currentBoot = bootId();
  if (record.bootId !== undefined && currentBoot !== undefined && record.bootId !== currentBoot) {
    return 'the machine has rebooted since';
  }
  if (pidIsDead(record.pid)) return `pid ${record.pid} is not running`;
  const ticks = procStartTicks(record.pid);
  if (ticks === undefined) return undefined;
  if (record.procStart !== undefined) {
    return ticks === record.procStart ? undefined : `pid ${record.pid} now belongs to another process`;
  }
  const boot = bootTimeMs();
  const startedAt = Date.parse(record.startedAt);
  if (boot === undefined || Number.isNaN(startedAt)) return undefined;
  // btime is whole seconds and drifts with clock adjustments: allow two seconds.
  const started = boot + Number(ticks) * 10;
  return started > startedAt + 2000 ? `pid ${record.pid} was started after the lock was taken` : undefined;
}

function lockedError(path: string, options: AcquireLockOptions, detail: string): DeployError {
  return new DeployError('locked', `another run holds the lock for ${options.inventory ?? path}`, {
    code: 'LOCKED',
    hint: `${detail}; wait for it, or if that process is gone on another machine, remove ${path}`,
  });
}

/** The error a holder meets when its lock file is gone or is someone else's. */
export function lockLost(path: string, what: string): DeployError {
  return new DeployError('locked', `the run lock ${path} was ${what} while this run held it`, {
    code: 'LOCK_LOST',
    hint: 'this run stopped before its next change so that no two runs write at once; make sure no other run is going, then resume',
  });
}

async function create(path: string, holder: LockHolder): Promise<Lock> {
  const token = randomBytes(16).toString('hex');
  const record: LockRecord = { ...holder, token };
  const ticks = holder.pid === process.pid ? procStartTicks(process.pid) : undefined;
  const boot = bootId();
  if (ticks !== undefined) record.procStart = ticks;
  if (boot !== undefined) record.bootId = boot;
  const text = `${JSON.stringify(record, null, 2)}\n`;
  const handle = await open(path, 'wx', 0o600);
  let ino: number;
  try {
    await handle.chmod(0o600);
    await writeAll(handle, text);
    await handle.sync();
    ino = (await handle.stat()).ino;
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await fsyncDir(dirname(path));
  let released = false;
  let current: LockHolder = holder;
  const verify = (): void => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw lockLost(path, 'removed');
    }
    if (readLockHolder(text)?.token !== token) throw lockLost(path, 'replaced');
  };
  return {
    path,
    get holder() {
      return current;
    },
    token,
    verify,
    async update(runId: string) {
      verify();
      current = { ...current, runId };
      const next = `${JSON.stringify({ ...record, runId }, null, 2)}\n`;
      const file = await open(path, 'r+');
      try {
        await file.write(next, 0, 'utf8');
        await file.truncate(Buffer.byteLength(next));
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async release() {
      if (released) return;
      released = true;
      // Only remove the file if it is still ours: another host may have judged us stale. The
      // token decides (an inode number is reused once our file is gone).
      const current = await stat(path).catch(() => undefined);
      if (current?.ino !== ino) return;
      const text = await readFile(path, 'utf8').catch(() => '');
      if (readLockHolder(text)?.token !== token) return;
      await unlink(path).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
      await fsyncDir(dirname(path));
    },
  };
}

/**
 * Moves a stale lock aside so it can be re-created. Two processes may judge the same file stale:
 * the rename lets only one move it; the loser may instead have moved the winner's fresh lock, which
 * it detects (different inode) and puts back with `link` (which never overwrites).
 */
async function moveAside(path: string, judgedIno: number): Promise<boolean> {
  const aside = `${path}.stale-${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  const moved = await stat(aside);
  if (moved.ino === judgedIno) {
    await fsyncDir(dirname(path));
    return true;
  }
  await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return false;
}

/**
 * Takes the lock at `lockPath` for `holder`, or throws `DeployError('locked', …)` with code
 * `LOCKED` and a hint naming the holder (pid, host, start, run). A stale lock (see the module
 * comment) is moved aside to `<lockPath>.stale-<time>-<pid>` — kept for the record — and taken.
 *
 * @example
 * const lock = await acquireLock(estateLockPath(key), { runId, pid: process.pid,
 *   host: hostname(), startedAt: new Date().toISOString(), command: process.argv.join(' ') });
 * try { … } finally { await lock.release(); }
 */
/** The holder record for this process (who to name when someone finds the lock taken). */
export function thisProcess(runId: string): LockHolder {
  return {
    runId,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
}

export async function acquireLock(
  lockPath: string,
  holder: LockHolder,
  options: AcquireLockOptions = {},
): Promise<Lock> {
  await ensureDir(dirname(lockPath));
  let detail = 'held by another process';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await create(lockPath, holder);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const before = await stat(lockPath).catch(() => undefined);
    if (before === undefined) continue;
    const text = await readFile(lockPath, 'utf8').catch(() => '');
    const record = readLockHolder(text);
    if (record === undefined) {
      const ageMs = Date.now() - before.mtimeMs;
      detail = `the lock file is unreadable (written ${Math.round(ageMs / 1000)} s ago; its holder may be writing it)`;
      if (ageMs <= UNREADABLE_LOCK_GRACE_MS) break;
    } else {
      detail = `held by pid ${record.pid} on host ${record.host} since ${record.startedAt} (run ${record.runId})`;
      if (staleReason(record) === undefined) break;
    }
    await moveAside(lockPath, before.ino);
  }
  throw lockedError(lockPath, options, detail);
}

/** Reads the holder of the lock at `lockPath` (for `status`), or undefined if none/unreadable. */
export function readLock(lockPath: string): LockRecord | undefined {
  try {
    if (!statSync(lockPath).isFile()) return undefined;
    return readLockHolder(readFileSync(lockPath, 'utf8'));
  } catch {
    return undefined;
  }
}
