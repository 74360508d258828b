/**
 * Small file-system primitives that survive a crash at any instant: a file is either the old
 * version or the new one (never half of each), and an append is on disk before we say it is.
 *
 * Why each step: data is fsynced before the rename so the rename cannot expose an empty file
 * after a power cut (ext4 delayed allocation); the directory is fsynced after the rename so the
 * new name itself is durable. Modes are set with `chmod` after creation because `open`'s mode is
 * filtered by the process umask.
 */
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { chmod, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Error codes from fsync on a directory that mean "this platform cannot do that" (Windows). */
const DIR_FSYNC_UNSUPPORTED = new Set(['EPERM', 'EISDIR', 'EINVAL', 'EACCES', 'EBADF']);

/**
 * Flushes a directory's entries (new names, renames) to disk. A platform that cannot open a
 * directory for fsync (Windows) is tolerated: there, rename is already journalled by NTFS.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!DIR_FSYNC_UNSUPPORTED.has(errorCode(error))) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Creates `path` (and missing parents) with `mode`, then fsyncs the parent of every directory it
 * created so the new tree survives a crash. Existing directories keep their mode: they may be the
 * operator's own (`--state-dir`).
 *
 * @returns the absolute path.
 */
export async function ensureDir(path: string, mode = 0o700): Promise<string> {
  const target = resolve(path);
  const firstCreated = await mkdir(target, { recursive: true, mode });
  if (firstCreated === undefined) return target;
  const created = [target];
  for (let dir = target; dir !== firstCreated && dirname(dir) !== dir;) {
    dir = dirname(dir);
    created.push(dir);
  }
  for (const dir of created) await chmod(dir, mode);
  for (const dir of created.reverse()) await fsyncDir(dirname(dir));
  return target;
}

/**
 * Writes every byte of `data` at the handle's position (or at the end, for an `O_APPEND`
 * handle): a single `write` may be short, and a short write must not look like success.
 */
export async function writeAll(handle: FileHandle, data: string | Buffer): Promise<void> {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    if (bytesWritten <= 0) throw new Error(`short write: ${offset} of ${buffer.length} bytes`);
    offset += bytesWritten;
  }
}

/**
 * {@link writeAll} without leaving the event loop: a small append to the page cache costs
 * microseconds, less than the thread-pool round trip of an asynchronous write.
 */
export function writeAllSync(fd: number, data: string | Buffer): void {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < buffer.length) {
    const written = writeSync(fd, buffer, offset, buffer.length - offset);
    if (written <= 0) throw new Error(`short write: ${offset} of ${buffer.length} bytes`);
    offset += written;
  }
}

/**
 * Replaces `path` atomically: readers see the old content or the new, never a mix or an empty
 * file. Writes a temporary file beside the target (same file system, so `rename` is atomic),
 * fsyncs it, renames it over the target and fsyncs the directory.
 *
 * @example
 * await writeFileAtomic(join(runDir, 'run.json'), JSON.stringify(meta, null, 2) + '\n');
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  let renamed = false;
  try {
    await handle.chmod(mode);
    await writeAll(handle, data);
    await handle.sync();
    await handle.close();
    await rename(temp, target);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }
}

/** The `code` of a Node system error (`ENOENT`, `EEXIST`, …), or `''`. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return '';
}
