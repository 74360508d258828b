/**
 * The run lock's key and folder (one estate, however it is named), and a holder's re-check of
 * its lock file (removed, replaced, or rewritten by itself with the run id).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isDeployError } from '../../src/errors.js';
import { estateKey, estateLockPath, LOCK_DIR_ENV, lockRoot } from '../../src/durability/estate-lock.js';
import { acquireLock, thisProcess } from '../../src/durability/lock.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

const hosts = [
  { address: '10.0.0.2', port: 22 },
  { address: '10.0.0.1', port: 22 },
];

describe('the estate key and the lock folder', () => {
  test('one inventory has one key through a symlink, and the key changes with its hosts', () => {
    const file = join(temp.dir, 'prod.yaml');
    writeFileSync(file, 'hosts: {}\n');
    const link = join(temp.dir, 'link.yaml');
    symlinkSync(file, link);
    expect(estateKey(link, hosts)).toBe(estateKey(file, [...hosts].reverse()));
    expect(estateKey(file, hosts)).not.toBe(estateKey(file, [{ address: '10.0.0.3', port: 22 }]));
    expect(estateKey(file, hosts)).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the folder is per user and moved only by DEPLOY_ROLLUP_LOCK_DIR, never by a state folder', () => {
    expect(lockRoot({ [LOCK_DIR_ENV]: temp.dir })).toBe(temp.dir);
    expect(lockRoot({ XDG_STATE_HOME: '/xdg' }, 'linux')).toBe('/xdg/deploy-rollup/locks');
    expect(lockRoot({ LOCALAPPDATA: 'C:\\Users\\op\\AppData\\Local' }, 'win32')).toContain('deploy-rollup');
    expect(estateLockPath('abc', { [LOCK_DIR_ENV]: temp.dir })).toBe(join(temp.dir, 'estate-abc.lock'));
  });
});

describe('a holder re-checks its lock', () => {
  const code = (fn: () => void): string => {
    try {
      fn();
    } catch (error) {
      return isDeployError(error) ? `${error.code} ${error.exitCode}` : String(error);
    }
    return 'none';
  };

  test('verify passes while the file is ours, and update keeps the token', async () => {
    const path = join(temp.dir, 'estate-k.lock');
    const lock = await acquireLock(path, thisProcess('pending'));
    expect(code(() => lock.verify())).toBe('none');
    await lock.update('20260101-000000-abcd');
    expect(code(() => lock.verify())).toBe('none');
    const record = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ runId: '20260101-000000-abcd', host: hostname(), token: lock.token });
    await lock.release();
  });

  test('a removed lock file stops its holder (LOCK_LOST, exit 4)', async () => {
    const path = join(temp.dir, 'estate-k.lock');
    const lock = await acquireLock(path, thisProcess('r'));
    rmSync(path);
    expect(code(() => lock.verify())).toBe('LOCK_LOST 4');
  });

  test('a lock file replaced by another holder stops the first, and its release leaves the new one', async () => {
    const path = join(temp.dir, 'estate-k.lock');
    const first = await acquireLock(path, thisProcess('a'));
    rmSync(path);
    const second = await acquireLock(path, thisProcess('b'));
    expect(code(() => first.verify())).toBe('LOCK_LOST 4');
    expect(code(() => second.verify())).toBe('none');
    await first.release();
    expect(code(() => second.verify())).toBe('none');
    await second.release();
  });
});
