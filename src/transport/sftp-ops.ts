/**
 * The few SFTP operations the transport needs, as promises over an open SFTP session. Paths are
 * SFTP paths as Win32-OpenSSH spells them (`/C:/MSIShare/x.msi`, see `toSftpPath`).
 */

import type { SFTPWrapper, Stats } from 'ssh2';

function stat(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
  return new Promise((resolve) => {
    sftp.stat(path, (error, stats) => resolve(error ? undefined : stats));
  });
}

function mkdir(sftp: SFTPWrapper, path: string): Promise<Error | undefined> {
  return new Promise((resolve) => {
    sftp.mkdir(path, (error) => resolve(error ?? undefined));
  });
}

/**
 * Creates `dir` and its missing parents. Win32-OpenSSH answers a plain "Failure" for a folder
 * that already exists, so a failed mkdir counts as success when the folder is then there.
 */
export async function makeDirectories(sftp: SFTPWrapper, dir: string): Promise<void> {
  // The common cases (parent exists; folder exists) cost one or two round trips.
  if ((await mkdir(sftp, dir)) === undefined || (await stat(sftp, dir))?.isDirectory()) return;
  const parts = dir.split('/').filter((part) => part !== '');
  // `/C:` is a drive, not a folder one can create.
  const first = /^[A-Za-z]:$/.test(parts[0] ?? '') ? 2 : 1;
  for (let i = first; i <= parts.length; i++) {
    const path = '/' + parts.slice(0, i).join('/');
    const error = await mkdir(sftp, path);
    if (error && !(await stat(sftp, path))?.isDirectory()) {
      throw new Error(`cannot create folder ${path}: ${error.message}`);
    }
  }
}

/** The parent SFTP folder of an SFTP path. */
export function parentOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/'))) || '/';
}

/**
 * Ends the SFTP session and waits (bounded) until the server has closed its channel, so the
 * channel slot it used is really free before the next command opens one.
 */
export function endSftp(sftp: SFTPWrapper, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, graceMs);
    sftp.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      sftp.end();
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
