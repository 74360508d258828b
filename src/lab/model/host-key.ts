/** Each simulated host's SSH host key: a fresh ed25519 pair, kept in the state file. */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';

/** `SHA256:` + unpadded base64 of sha256(public key blob): what `ssh-keygen -lf` prints. */
export function fingerprintOfPublicKey(publicLine: string): string {
  const blob = Buffer.from(publicLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * ssh2 1.17's generator drops a leading zero byte of the public key about once in 256 keys,
 * and then cannot parse its own private key; such a key would break one host of a large lab.
 * Generate again (bounded) until ssh2 reads the key back.
 */
export function generateHostKey(): { privatePem: string; fingerprint: string } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) {
      return { privatePem: pair.private, fingerprint: fingerprintOfPublicKey(pair.public) };
    }
  }
  throw new Error('could not generate a readable ed25519 host key in 16 attempts');
}
