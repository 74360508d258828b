/**
 * What `npm run bench` needs on the machine, checked before anything starts: OpenSSH's server
 * and client (real sshd instances on loopback are the SSH floor), ssh-keygen, and root (it adds
 * the login user the sshd hosts accept). Each missing piece is named with what installs it, as
 * the Ansible baseline says how it installs ansible-core.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Missing {
  what: string;
  install: string;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, command), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every prerequisite that is missing (empty: the bench can run). */
export function missingPrerequisites(
  checks: { isRoot?: boolean; exists?: (path: string) => boolean; has?: (command: string) => boolean } = {},
): Missing[] {
  const exists = checks.exists ?? executable;
  const has = checks.has ?? onPath;
  const isRoot = checks.isRoot ?? process.getuid?.() === 0;
  const missing: Missing[] = [];
  if (!exists('/usr/sbin/sshd'))
    missing.push({ what: 'the OpenSSH server (/usr/sbin/sshd)', install: 'apt-get install openssh-server' });
  if (!exists('/usr/lib/openssh/sftp-server'))
    missing.push({
      what: 'the OpenSSH SFTP server (/usr/lib/openssh/sftp-server)',
      install: 'apt-get install openssh-server',
    });
  for (const command of ['ssh', 'ssh-keygen'])
    if (!has(command))
      missing.push({ what: `${command} (OpenSSH client)`, install: 'apt-get install openssh-client' });
  for (const command of ['useradd', 'usermod'])
    if (!has(command)) missing.push({ what: command, install: 'apt-get install passwd' });
  if (!isRoot)
    missing.push({
      what: 'root (the bench adds a login user and starts sshd instances)',
      install: 'run it as root, e.g. in a disposable VM or container: sudo npm run bench',
    });
  return missing;
}

/** The message for `missing`, one line each, with what installs it. */
export function describeMissing(missing: readonly Missing[]): string {
  return [
    `npm run bench cannot start: ${missing.length} prerequisite(s) missing (nothing was started)`,
    ...missing.map((m) => `  - ${m.what}: ${m.install}`),
  ].join('\n');
}
