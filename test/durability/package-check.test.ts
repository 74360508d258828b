/**
 * The package check preflight runs: exact sizes, hashes, the identity each MSI carries, and no
 * folder needed when nothing ships.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { checkPackage } from '../../src/engine/package-check.js';
import { writeMsi } from '../../src/msi/write-msi.js';

const IDENTITY = {
  ProductCode: '{6B1D5E0A-7F39-4C2E-9A51-3D8E2F4C1B70}',
  ProductName: 'Unfamiliar Product',
  ProductVersion: '31.7.1024.5',
  UpgradeCode: '{0E4F3A2B-1C5D-4E6F-8A9B-7C0D1E2F3A4B}',
  Manufacturer: 'Somebody',
};
const MSI = writeMsi({
  properties: IDENTITY,
  summary: {
    title: 'Installation Database',
    subject: 'x',
    author: 'y',
    revisionNumber: IDENTITY.ProductCode,
  },
  size: 61_440,
});

describe('checkPackage', () => {
  test('a runbook that ships no files needs no package folder', async () => {
    expect(await checkPackage('/nonexistent/deploy-rollup/package', [])).toEqual({
      hashes: {},
      contents: {},
      problems: [],
    });
  });

  test('a missing folder is a problem when files are expected; a right-size file is hashed', async () => {
    expect(
      (await checkPackage('/nonexistent/deploy-rollup/package', [{ file: 'a.msi', size: 3 }])).problems,
    ).toEqual([expect.stringContaining('does not exist')]);
    const dir = mkdtempSync(join(tmpdir(), 'dr-pkg-'));
    try {
      writeFileSync(join(dir, 'A.msi'), MSI);
      writeFileSync(join(dir, 'readme.txt'), 'abc');
      const checked = await checkPackage(dir, [
        { file: 'a.msi', size: MSI.length },
        { file: 'README.TXT', size: 3 },
      ]);
      expect(checked.problems).toEqual([]);
      expect(checked.hashes['a.msi']).toBe(createHash('sha256').update(MSI).digest('hex'));
      expect(checked.contents['a.msi']).toEqual({
        name: 'A.msi',
        size: MSI.length,
        sha256: checked.hashes['a.msi'],
        msi: {
          productCode: IDENTITY.ProductCode,
          productName: IDENTITY.ProductName,
          productVersion: IDENTITY.ProductVersion,
          upgradeCode: IDENTITY.UpgradeCode,
          manufacturer: IDENTITY.Manufacturer,
        },
      });
      // Only MSIs carry an identity; other files are hashed.
      expect(checked.contents['readme.txt']).toEqual({
        name: 'readme.txt',
        size: 3,
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an MSI of the right size that is not a readable database is a problem naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-pkg-'));
    try {
      writeFileSync(
        join(dir, 'A.msi'),
        Buffer.concat([MSI.subarray(0, 4096), Buffer.alloc(MSI.length - 4096)]),
      );
      const checked = await checkPackage(dir, [{ file: 'a.msi', size: MSI.length }]);
      expect(checked.problems).toEqual([
        expect.stringMatching(/^package .*: A\.msi: .*not a Windows Installer package we can read/),
      ]);
      expect(checked.contents).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
