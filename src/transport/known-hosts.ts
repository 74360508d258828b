/**
 * Reading and appending OpenSSH `known_hosts` files, the format operators already know and can
 * edit with ssh-keygen -R. Only what the host-key policy needs: plain and hashed (`|1|`) host
 * patterns with `*`/`?` wildcards and `!` negation. A `@revoked` line's key is refused for the
 * hosts it names (as OpenSSH does), never taken as a known or a new key; `@cert-authority` lines
 * are skipped, since we do not trust CAs. The file is never read or written through a symbolic
 * link (see file-trust.ts).
 */

import { createHash, createHmac } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { APPEND_NOFOLLOW, checkKnownHostsFile } from './file-trust.js';

export interface KnownHostEntry {
  /** 1-based line number in the file, for "remove line N" advice. */
  line: number;
  keyType: string;
  key: Buffer;
}

/** The host field OpenSSH writes: `addr` on port 22, `[addr]:port` otherwise. */
export function toKnownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** `SHA256:` + unpadded base64 of the key blob's SHA-256, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('ascii');
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  const regex = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return regex.test(name);
}

function hostFieldMatches(field: string, name: string): boolean {
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (matchesPattern(pattern.slice(1), name)) return false;
    } else if (matchesPattern(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

function readLines(file: string): string[] {
  checkKnownHostsFile(file);
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function entriesFor(file: string, name: string, marker: '' | '@revoked'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  readLines(file).forEach((raw, index) => {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (marker === '' ? line.startsWith('@') : !line.startsWith(`${marker} `)) return;
    if (marker !== '') line = line.slice(marker.length).trim();
    const [hosts, keyType, keyBase64] = line.split(/\s+/);
    if (!hosts || !keyType || !keyBase64) return;
    if (!hostFieldMatches(hosts, name)) return;
    entries.push({ line: index + 1, keyType, key: Buffer.from(keyBase64, 'base64') });
  });
  return entries;
}

/** Every entry for `name` (as {@link toKnownHostsName} spells it); a missing file has none. */
export function readKnownHosts(file: string, name: string): KnownHostEntry[] {
  return entriesFor(file, name, '');
}

/** The `@revoked` entries whose host field matches `name`: keys to refuse, whatever else says. */
export function readRevokedKeys(file: string, name: string): KnownHostEntry[] {
  return entriesFor(file, name, '@revoked');
}

/**
 * Appends one entry durably: the file is created 0600 (its parent 0700), the line is fsynced,
 * and a new file's directory entry is fsynced too, so a recorded key survives a crash that
 * follows the first contact.
 */
export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  checkKnownHostsFile(file);
  let existing = '';
  let created = false;
  try {
    existing = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    created = true;
  }
  const prefix = existing === '' || existing.endsWith('\n') ? '' : '\n';
  const fd = openSync(file, APPEND_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${prefix}${name} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDirectory(dirname(file));
}

function fsyncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
