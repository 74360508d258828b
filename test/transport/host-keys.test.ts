import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostKeyPolicy, fingerprintOf, trustExactly } from '../../src/transport/host-keys.js';
import { keyTypeOf, readKnownHosts } from '../../src/transport/known-hosts.js';
import { hubHost } from './helpers/host-spec.js';
import { generateKey } from './helpers/ssh-test-server.js';

const keyA = generateKey().blob;
const keyB = generateKey().blob;

const host = hubHost;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-hostkeys-'));
  file = join(dir, 'known_hosts');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprints', () => {
  test('a fingerprint is SHA256: and unpadded base64, as ssh-keygen -lf prints it', () => {
    const expected = createHash('sha256').update(keyA).digest('base64').replace(/=+$/, '');
    expect(fingerprintOf(keyA)).toBe(`SHA256:${expected}`);
    expect(fingerprintOf(keyA)).not.toContain('=');
  });

  test('the key type is read from the blob', () => {
    expect(keyTypeOf(keyA)).toBe('ssh-ed25519');
  });
});

describe('createHostKeyPolicy', () => {
  test('a pinned fingerprint that matches is accepted without touching known_hosts', () => {
    const policy = createHostKeyPolicy({ knownHostsFile: file, acceptNew: true });
    expect(policy.verify(host({ hostKey: fingerprintOf(keyA) + '=' }), keyA)).toEqual({ ok: true });
    expect(() => statSync(file)).toThrow();
  });

  test('a pinned fingerprint that differs is refused naming host, address and both fingerprints', () => {
    const policy = createHostKeyPolicy({ knownHostsFile: file, acceptNew: true });
    const verdict = policy.verify(host({ hostKey: fingerprintOf(keyB) }), keyA);
    if (verdict.ok) throw new Error('accepted');
    expect(verdict.error.code).toBe('HOST_KEY_MISMATCH');
    for (const part of ['EXHUB01', '10.1.0.41:2222', fingerprintOf(keyA), fingerprintOf(keyB)]) {
      expect(verdict.error.message).toContain(part);
    }
  });

  test('the pinned callback is used for hosts the inventory does not pin', () => {
    const policy = createHostKeyPolicy({
      knownHostsFile: file,
      acceptNew: false,
      pinned: () => fingerprintOf(keyB),
    });
    const verdict = policy.verify(host(), keyA);
    expect(verdict.ok ? 'ok' : verdict.error.code).toBe('HOST_KEY_MISMATCH');
  });

  test('a known key is accepted (port 22 lines have no brackets)', () => {
    writeFileSync(file, `10.1.0.41 ssh-ed25519 ${keyA.toString('base64')}\n`);
    const policy = createHostKeyPolicy({ knownHostsFile: file, acceptNew: false });
    expect(policy.verify(host({ port: 22 }), keyA)).toEqual({ ok: true });
    expect(policy.verify(host(), keyA).ok).toBe(false);
  });

  test('hashed known_hosts entries are matched', () => {
    const salt = Buffer.alloc(20, 3);
    const hash = createHmac('sha1', salt).update('[10.1.0.41]:2222').digest('base64');
    writeFileSync(file, `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${keyA.toString('base64')}\n`);
    expect(readKnownHosts(file, '[10.1.0.41]:2222')).toHaveLength(1);
  });

  test('a changed key is refused even with acceptNew, naming both fingerprints and the line to remove', () => {
    writeFileSync(
      file,
      `# comment\nother ssh-ed25519 ${keyB.toString('base64')}\n[10.1.0.41]:2222 ssh-ed25519 ${keyB.toString('base64')}\n`,
    );
    const before = readFileSync(file, 'utf8');
    const verdict = createHostKeyPolicy({ knownHostsFile: file, acceptNew: true }).verify(host(), keyA);
    if (verdict.ok) throw new Error('accepted');
    expect(verdict.error.code).toBe('HOST_KEY_CHANGED');
    expect(verdict.error.retryable).toBe(false);
    for (const part of ['EXHUB01', '10.1.0.41:2222', fingerprintOf(keyA), fingerprintOf(keyB)]) {
      expect(verdict.error.message).toContain(part);
    }
    expect(verdict.error.hint).toContain('If the host was rebuilt');
    expect(verdict.error.hint).toContain(`remove line 3 of ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  test('an unknown key is refused without acceptNew, with the hint to pin or accept', () => {
    const verdict = createHostKeyPolicy({ knownHostsFile: file, acceptNew: false }).verify(host(), keyA);
    if (verdict.ok) throw new Error('accepted');
    expect(verdict.error.code).toBe('HOST_KEY_UNKNOWN');
    expect(verdict.error.message).toContain('EXHUB01');
    expect(verdict.error.message).toContain(fingerprintOf(keyA));
    expect(verdict.error.hint).toContain('hostKey');
    expect(verdict.error.hint).toContain('--accept-new-host-keys');
  });

  test('an unknown key is recorded with acceptNew, in a 0600 file, and accepted next time', () => {
    writeFileSync(file, 'other ssh-ed25519 AAAA', { mode: 0o644 });
    const policy = createHostKeyPolicy({ knownHostsFile: file, acceptNew: true });
    expect(policy.verify(host(), keyA)).toEqual({ ok: true });
    expect(readFileSync(file, 'utf8')).toBe(
      `other ssh-ed25519 AAAA\n[10.1.0.41]:2222 ssh-ed25519 ${keyA.toString('base64')}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(createHostKeyPolicy({ knownHostsFile: file, acceptNew: false }).verify(host(), keyA)).toEqual({
      ok: true,
    });
  });
});

describe('trustExactly', () => {
  test('the lab’s declared key is accepted and any other refused', () => {
    const policy = trustExactly({ EXHUB01: fingerprintOf(keyA) });
    expect(policy.verify(host(), keyA)).toEqual({ ok: true });
    const wrong = policy.verify(host(), keyB);
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('HOST_KEY_MISMATCH');
    const missing = policy.verify(host({ name: 'OTHER' }), keyA);
    expect(missing.ok ? 'ok' : missing.error.code).toBe('HOST_KEY_UNKNOWN');
  });
});
