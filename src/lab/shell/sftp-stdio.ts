/**
 * SFTP over the forced command's stdin/stdout. sshd's `ForceCommand` captures the sftp
 * subsystem too, so the forced command must speak SFTP itself. Rather than run the system's
 * `sftp-server` against real directories and import them later, this reuses ssh2's own SFTP
 * protocol engine in server mode and the same request handler as the ssh2 front: uploads land
 * in the host model directly, under the same path rules.
 *
 * ssh2's engine expects a channel; it needs only `channelData`/`channelClose` and the peer's
 * identification string from its owner, which this file supplies (checked against ssh2 1.17,
 * `lib/protocol/SFTP.js`; the version is pinned in package.json).
 */

import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { serveSftp, type SftpBackend } from '../server/sftp-handler.js';

type SftpConstructor = new (
  client: unknown,
  chanInfo: unknown,
  cfg: { server: boolean },
) => SFTPWrapper & { push(data: Buffer | null): void };

const require = createRequire(import.meta.url);
const { SFTP } = require('ssh2/lib/protocol/SFTP.js') as { SFTP: SftpConstructor };

/** Serves SFTP on a byte stream pair until the input ends. */
export function serveSftpOverStdio(
  input: Readable,
  output: Writable,
  backend: SftpBackend,
  log?: (line: string) => void,
): Promise<void> {
  const owner = {
    _protocol: {
      // Packet limits are chosen by the peer's name; sshd is the peer's transport here.
      _remoteIdentRaw: 'SSH-2.0-OpenSSH_9',
      channelData: (_id: number, data: Buffer) => output.write(data),
      channelClose: () => output.end(),
    },
  };
  const endless = {
    id: 0,
    window: Number.POSITIVE_INFINITY,
    packetSize: Number.POSITIVE_INFINITY,
    state: 'open',
  };
  const sftp = new SFTP(
    owner,
    { type: 'session', incoming: { ...endless }, outgoing: { ...endless } },
    { server: true },
  );
  serveSftp(sftp, backend, log);
  return new Promise((resolve) => {
    sftp.on('error', (error: Error) => log?.(`sftp: ${error.message}`));
    input.on('data', (chunk: Buffer) => sftp.push(chunk));
    input.once('end', () => {
      sftp.push(null);
      resolve();
    });
    input.once('error', () => resolve());
  });
}
