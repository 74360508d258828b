/** `npm run bench` checks its prerequisites first and says what installs each missing one. */
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describeMissing, missingPrerequisites } from '../../bench/prerequisites.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('bench prerequisites', () => {
  test('a machine without OpenSSH or root gets every missing piece named with its package', () => {
    const missing = missingPrerequisites({ isRoot: false, exists: () => false, has: () => false });
    const text = describeMissing(missing);
    expect(text).toContain('/usr/sbin/sshd): apt-get install openssh-server');
    expect(text).toContain('ssh-keygen (OpenSSH client): apt-get install openssh-client');
    expect(text).toContain('root (');
    expect(missingPrerequisites({ isRoot: true, exists: () => true, has: () => true })).toEqual([]);
  });

  test('the bench run exits 2 with the list, not a stack trace, when ssh-keygen cannot be found', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [join(ROOT, 'dist/bench/run.js'), '--smoke'],
        { env: { PATH: '/nonexistent' }, timeout: 30_000 },
        (error, _stdout, stderr) =>
          done({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            stderr: String(stderr),
          }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('npm run bench cannot start');
    expect(result.stderr).toContain('ssh-keygen (OpenSSH client): apt-get install openssh-client');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
