/** Each simulated host's SSH host key: a fresh ed25519 pair, kept in the state file. */
import ssh2 from 'ssh2';
import { fingerprintOf } from '../../transport/known-hosts.js';

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as `ssh-keygen -lf` prints it. */
export function fingerprintOfPublicKey(publicLine: string): string {
  return fingerprintOf(Buffer.from(publicLine.trim().split(/\s+/)[1] ?? '', 'base64'));
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
