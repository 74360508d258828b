/** The package check preflight runs: exact sizes, hashes, and no folder needed when nothing ships. */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackage } from '../../src/engine/package-check.js';

describe('checkPackage', () => {
  test('a runbook that ships no files needs no package folder', async () => {
    expect(await checkPackage('/nonexistent/deploy-rollup/package', [])).toEqual({
      hashes: {},
      problems: [],
    });
  });

  test('a missing folder is a problem when files are expected; a right-size file is hashed', async () => {
    expect(
      (await checkPackage('/nonexistent/deploy-rollup/package', [{ file: 'a.msi', size: 3 }])).problems,
    ).toEqual([expect.stringContaining('does not exist')]);
    const dir = mkdtempSync(join(tmpdir(), 'dr-pkg-'));
    try {
      writeFileSync(join(dir, 'A.msi'), 'abc');
      const checked = await checkPackage(dir, [{ file: 'a.msi', size: 3 }]);
      expect(checked.problems).toEqual([]);
      expect(checked.hashes['a.msi']).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
