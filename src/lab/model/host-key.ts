/** Each simulated host's SSH host key: a fresh ed25519 pair, kept in the state file. */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';

/** `SHA256:` + unpadded base64 of sha256(public key blob): what `ssh-keygen -lf` prints. */
export function fingerprintOfPublicKey(publicLine: string): string {
  const blob = Buffer.from(publicLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function generateHostKey(): { privatePem: string; fingerprint: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  return { privatePem: pair.private, fingerprint: fingerprintOfPublicKey(pair.public) };
}
