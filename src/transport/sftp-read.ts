/**
 * Reading a file back over SFTP, bounded: at most `maxBytes` (its last bytes when it is larger,
 * where an msiexec log says why it failed), in reads of at most 32 KiB, within `timeoutMs`.
 */
import type { SFTPWrapper } from 'ssh2';

const CHUNK = 32 * 1024;

export interface ReadTail {
  data: Buffer;
  /** The file's whole size (larger than `data` when only its tail was read). */
  size: number;
}

function call<T>(start: (done: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

/** The file's last `maxBytes` bytes; undefined when it does not exist. */
export async function readTail(
  sftp: SFTPWrapper,
  path: string,
  maxBytes: number,
): Promise<ReadTail | undefined> {
  let handle: Buffer;
  try {
    handle = await call<Buffer>((done) => sftp.open(path, 'r', done));
  } catch {
    return undefined;
  }
  try {
    const stats = await call<{ size: number }>((done) => sftp.fstat(handle, done));
    const size = stats.size;
    const from = Math.max(0, size - maxBytes);
    const data = Buffer.alloc(size - from);
    let filled = 0;
    // Bounded: a file that shrinks under us ends the loop at its first empty read.
    for (let reads = 0; filled < data.length && reads < Math.ceil(maxBytes / CHUNK) + 1; reads++) {
      const length = Math.min(CHUNK, data.length - filled);
      const got = await call<number>((done) => sftp.read(handle, data, filled, length, from + filled, done));
      if (!got) break;
      filled += got;
    }
    return { data: data.subarray(0, filled), size };
  } finally {
    await call<undefined>((done) => sftp.close(handle, (error) => done(error, undefined))).catch(
      () => undefined,
    );
  }
}
