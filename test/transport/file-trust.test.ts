/**
 * Files the SSH layer trusts, as OpenSSH treats them: a `@revoked` key is refused (never taken as
 * new), a symlinked known_hosts is neither followed nor chmodded, and a private key its group or
 * others can read is refused with how to fix it. The last one also through the CLI.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeployError } from '../../src/errors.js';
import { checkKeyFile } from '../../src/transport/file-trust.js';
import { createHostKeyPolicy, fingerprintOf } from '../../src/transport/host-keys.js';
import { toCredentials } from '../../src/transport/ssh-config.js';
import { labInventory, removeDir, runCli, sharedPackage, tempDir } from '../hardening/helpers.js';
import { hubHost } from './helpers/host-spec.js';
import { generateKey } from './helpers/ssh-test-server.js';

const keyA = generateKey().blob;
const keyB = generateKey().blob;

const host = hubHost;

const line = (prefix: string, blob: Buffer): string => `${prefix} ssh-ed25519 ${blob.toString('base64')}\n`;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-trust-'));
  file = join(dir, 'known_hosts');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('@revoked in known_hosts', () => {
  test('a revoked key is refused, not recorded as new, even with --accept-new-host-keys', () => {
    writeFileSync(file, `# revoked after the leak\n${line('@revoked *', keyA)}`);
    const before = readFileSync(file, 'utf8');
    const verdict = createHostKeyPolicy({ knownHostsFile: file, acceptNew: true }).verify(host(), keyA);
    if (verdict.ok) throw new Error('a revoked key was accepted');
    expect(verdict.error.code).toBe('HOST_KEY_REVOKED');
    expect(verdict.error.message).toContain('line 2');
    expect(verdict.error.message).toContain(fingerprintOf(keyA));
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  test('a revoked key is refused even when it is also listed as known or pinned', () => {
    writeFileSync(file, line('[10.1.0.41]:2222', keyA) + line('@revoked [10.1.0.41]:2222', keyA));
    const policy = createHostKeyPolicy({ knownHostsFile: file, acceptNew: false });
    for (const h of [host(), host({ hostKey: fingerprintOf(keyA) })]) {
      const verdict = policy.verify(h, keyA);
      expect(verdict.ok ? 'accepted' : verdict.error.code).toBe('HOST_KEY_REVOKED');
    }
  });

  test('a revocation of another key or another host changes nothing', () => {
    writeFileSync(
      file,
      line('@revoked *', keyB) + line('@revoked other.example', keyA) + line('[10.1.0.41]:2222', keyA),
    );
    expect(createHostKeyPolicy({ knownHostsFile: file, acceptNew: false }).verify(host(), keyA)).toEqual({
      ok: true,
    });
  });
});

describe('a symlinked known_hosts', () => {
  test('in a world-writable folder is refused: not followed, not chmodded, not written', () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, '# somebody else’s file\n', { mode: 0o644 });
    chmodSync(target, 0o644);
    // A world-writable state folder holding a link to the target.
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const link = join(shared, 'known_hosts');
    symlinkSync(target, link);
    const verdict = createHostKeyPolicy({ knownHostsFile: link, acceptNew: true }).verify(host(), keyA);
    if (verdict.ok) throw new Error('a symlinked known_hosts was used');
    expect(verdict.error.code).toBe('KNOWN_HOSTS_SYMLINK');
    expect(verdict.error.message).toContain('symbolic link');
    expect(verdict.error.message).toContain('writable by others');
    expect(verdict.error.hint).toContain('regular file');
    expect(readFileSync(target, 'utf8')).toBe('# somebody else’s file\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });
});

describe('a private key file others can read', () => {
  test.each(['644', '640', '604'])('mode 0%s is refused, with chmod 600 as the fix', (octal) => {
    const mode = parseInt(octal, 8);
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, 'not really a key\n');
    chmodSync(key, mode);
    let caught: unknown;
    try {
      toCredentials(host({ auth: { keyFile: key } }), undefined);
    } catch (error) {
      caught = error;
    }
    if (!isDeployError(caught)) throw new Error('an unprotected key file was used');
    expect(caught.code).toBe('KEY_FILE_UNPROTECTED');
    expect(caught.message).toContain(key);
    expect(caught.hint).toContain(`chmod 600 ${key}`);
  });

  test('mode 0600 and 0400 are accepted', () => {
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, 'not really a key\n');
    for (const mode of [0o600, 0o400]) {
      chmodSync(key, mode);
      expect(() => checkKeyFile(key, 'EXHUB01')).not.toThrow();
    }
  });
});

describe('the CLI with a world-readable keyFile', () => {
  let work: string;
  beforeEach(() => {
    work = tempDir('keyfile');
  });
  afterEach(() => removeDir(work));

  test('exits 3 before connecting, naming the file and how to fix it', async () => {
    const key = join(work, 'id_ed25519');
    writeFileSync(key, 'not really a key\n');
    chmodSync(key, 0o644);
    const inventory = labInventory(work, await sharedPackage(work), {
      edit: (yaml) => yaml.replace(/auth: \{ passwordEnv: [A-Z_]+ \}/, `auth: { keyFile: ${key} }`),
    });
    expect(readFileSync(inventory, 'utf8')).toContain('keyFile');
    const result = await runCli(['--inventory', inventory, '--yes'], { cwd: work });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(key);
    expect(result.stderr).toContain('chmod 600');
    expect(result.stderr).not.toMatch(/cannot connect/);
  }, 60_000);
});
