/**
 * Files the SSH layer trusts, checked the way OpenSSH checks them: a private key others can read
 * is refused ("UNPROTECTED PRIVATE KEY FILE"), and known_hosts is never a symbolic link (whoever
 * can write the folder it sits in could point it at a file of their choosing, and a chmod would
 * follow it).
 */
import { constants, lstatSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { DeployError } from '../errors.js';

function lstatOrUndefined(path: string, follow = false): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Refuses a private key file that its group or others may read or write (POSIX only; Windows
 * has no such mode bits). A missing file is left to the SSH client's own error.
 */
export function checkKeyFile(path: string, host: string): void {
  if (process.platform === 'win32') return;
  // Followed, as OpenSSH does: the key is what the link points at.
  const stat = lstatOrUndefined(path, true);
  if (stat === undefined) return;
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) === 0) return;
  const who = mode & 0o007 ? 'every local user' : 'its group';
  throw new DeployError(
    'preflight',
    `the private key ${path} (keyFile of ${host}) has mode 0${mode.toString(8)}: ${who} can read it, so it is refused, as OpenSSH refuses it`,
    {
      code: 'KEY_FILE_UNPROTECTED',
      hint: `chmod 600 ${path} (and check who has read it), then run again`,
    },
  );
}

/**
 * Refuses a known_hosts path that is a symbolic link or not a regular file. Run before every
 * read and before an append (which also opens with O_NOFOLLOW, so a link made in between fails).
 */
export function checkKnownHostsFile(path: string): void {
  const stat = lstatOrUndefined(path);
  if (stat === undefined) return;
  const folder = dirname(path);
  const open = lstatOrUndefined(folder);
  const shared =
    open !== undefined && (open.mode & 0o022) !== 0 ? ` (and ${folder} is writable by others)` : '';
  if (stat.isSymbolicLink()) {
    throw new DeployError(
      'preflight',
      `${path} is a symbolic link${shared}: it is neither followed nor changed`,
      {
        code: 'KNOWN_HOSTS_SYMLINK',
        hint: `check where it points; replace it with a regular file (cp --remove-destination "$(readlink -f ${path})" ${path}), keep the state folder private (chmod 700 ${folder}), then run again`,
      },
    );
  }
  if (!stat.isFile()) {
    throw new DeployError('preflight', `${path} is not a regular file`, {
      code: 'KNOWN_HOSTS_NOT_FILE',
      hint: `remove it or point --state-dir elsewhere, then run again`,
    });
  }
}

/** Flags for opening known_hosts to append: never through a symbolic link. */
export const APPEND_NOFOLLOW =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
