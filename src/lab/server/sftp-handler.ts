/**
 * The server side of SFTP for a simulated Windows host, shared by both fronts (the ssh2 server
 * and the forced command behind real sshd). Paths arrive as Win32-OpenSSH writes them
 * (`/C:/MSIShare/x.msi`) and are stored in the host model under their Windows form.
 *
 * Enough of the protocol for uploads (`fastPut`, what node-ssh's `putFile` uses), downloads,
 * stat and mkdir. The model keeps files, not folders: MKDIR always succeeds, and a folder
 * exists when it is a drive root, this session created it, or the model holds files in it.
 */

import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, SFTPWrapper } from 'ssh2';
import { fromSftpPath } from '../../remote/deliver.js';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

/** Where the bytes go. Async so the forced command can lock the shared state file per call. */
export interface SftpBackend {
  writeFile(windowsPath: string, content: Buffer): Promise<void>;
  readFile(windowsPath: string): Promise<Buffer | undefined>;
  statFile(windowsPath: string): Promise<{ size: number } | undefined>;
  isDirectory?(windowsPath: string): Promise<boolean>;
}

type Handle =
  | { kind: 'write'; path: string; data: Buffer; size: number }
  | { kind: 'read'; path: string; data: Buffer }
  | { kind: 'dir'; path: string; listed: boolean };

const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;

/** Wires request handlers onto an accepted server-side SFTP stream. */
export function serveSftp(sftp: SFTPWrapper, backend: SftpBackend, log?: (line: string) => void): void {
  const handles = new Map<string, Handle>();
  const directories = new Set<string>();
  let nextHandle = 0;

  const open = (handle: Handle): Buffer => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(nextHandle++ % 0xffffffff);
    handles.set(id.toString('hex'), handle);
    return id;
  };
  const lookup = (id: Buffer): Handle | undefined => handles.get(id.toString('hex'));
  const isDirectory = async (path: string): Promise<boolean> =>
    /^\/?([A-Za-z]:)?\/?$/.test(path) ||
    directories.has(normalize(path)) ||
    ((await backend.isDirectory?.(fromSftpPath(normalize(path)))) ?? false);
  // One failing backend call must answer its own request, never take the session down.
  const guard = (reqId: number, work: () => Promise<void>): void => {
    work().catch((error: unknown) => {
      log?.(`sftp: ${error instanceof Error ? error.message : String(error)}`);
      sftp.status(reqId, STATUS_CODE.FAILURE, error instanceof Error ? error.message : 'failure');
    });
  };

  sftp.on('OPEN', (reqId, filename, flags) => {
    guard(reqId, async () => {
      const path = fromSftpPath(normalize(filename));
      if (flags & OPEN_MODE.WRITE) {
        const existing = flags & OPEN_MODE.TRUNC ? undefined : await backend.readFile(path);
        const data = existing ? Buffer.from(existing) : Buffer.alloc(0);
        sftp.handle(reqId, open({ kind: 'write', path, data, size: data.length }));
        return;
      }
      const data = await backend.readFile(path);
      if (!data) return void sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'No such file');
      sftp.handle(reqId, open({ kind: 'read', path, data }));
    });
  });

  sftp.on('WRITE', (reqId, id, offset, data) => {
    const handle = lookup(id);
    if (handle?.kind !== 'write') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    const end = offset + data.length;
    if (end > handle.data.length) {
      // Grow geometrically: fastPut writes many 32 KiB chunks.
      const grown = Buffer.alloc(Math.max(end, handle.data.length * 2));
      handle.data.copy(grown, 0, 0, handle.size);
      handle.data = grown;
    }
    data.copy(handle.data, offset);
    handle.size = Math.max(handle.size, end);
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on('READ', (reqId, id, offset, length) => {
    const handle = lookup(id);
    if (handle?.kind !== 'read') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    if (offset >= handle.data.length) return void sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, handle.data.subarray(offset, Math.min(offset + length, handle.data.length)));
  });

  sftp.on('FSTAT', (reqId, id) => {
    const handle = lookup(id);
    if (!handle) return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    if (handle.kind === 'dir') return void sftp.attrs(reqId, attrs(DIR_MODE, 0));
    sftp.attrs(reqId, attrs(FILE_MODE, handle.kind === 'write' ? handle.size : handle.data.length));
  });

  sftp.on('CLOSE', (reqId, id) => {
    const handle = lookup(id);
    if (!handle) return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    handles.delete(id.toString('hex'));
    if (handle.kind !== 'write') return void sftp.status(reqId, STATUS_CODE.OK);
    guard(reqId, async () => {
      await backend.writeFile(handle.path, handle.data.subarray(0, handle.size));
      sftp.status(reqId, STATUS_CODE.OK);
    });
  });

  const stat = (reqId: number, filename: string): void => {
    guard(reqId, async () => {
      const found = await backend.statFile(fromSftpPath(normalize(filename)));
      if (found) return void sftp.attrs(reqId, attrs(FILE_MODE, found.size));
      if (await isDirectory(filename)) return void sftp.attrs(reqId, attrs(DIR_MODE, 0));
      sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    });
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);

  sftp.on('REALPATH', (reqId, filename) => {
    const path = normalize(filename);
    sftp.name(reqId, [{ filename: path, longname: path, attrs: attrs(DIR_MODE, 0) }]);
  });

  sftp.on('MKDIR', (reqId, filename) => {
    directories.add(normalize(filename));
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on('OPENDIR', (reqId, filename) => {
    guard(reqId, async () => {
      if (!(await isDirectory(filename)))
        return void sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'No such file');
      sftp.handle(reqId, open({ kind: 'dir', path: normalize(filename), listed: false }));
    });
  });

  // The model cannot enumerate a folder, so a listing holds only the dot entries.
  sftp.on('READDIR', (reqId, id) => {
    const handle = lookup(id);
    if (handle?.kind !== 'dir') return void sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
    if (handle.listed) return void sftp.status(reqId, STATUS_CODE.EOF);
    handle.listed = true;
    sftp.name(
      reqId,
      ['.', '..'].map((filename) => ({ filename, longname: filename, attrs: attrs(DIR_MODE, 0) })),
    );
  });

  const ok = (reqId: number): void => void sftp.status(reqId, STATUS_CODE.OK);
  sftp.on('SETSTAT', ok);
  sftp.on('FSETSTAT', ok);
}

function normalize(path: string): string {
  const absolute = posix.normalize(path.startsWith('/') ? path : `/${path}`);
  return absolute.length > 1 ? absolute.replace(/\/+$/, '') : absolute;
}

function attrs(mode: number, size: number): Attributes {
  const now = Math.floor(Date.now() / 1000);
  return { mode, size, uid: 0, gid: 0, atime: now, mtime: now };
}
