import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_FILES } from '../../runbooks/kb979704/data.js';
import { writeStandinPackage } from '../../runbooks/kb979704/lab-products.js';
import { standinProduct, standinProducts } from '../../runbooks/kb979704/lab-products.js';
import { msiIdentity, readMsi } from '../../src/msi/read-msi.js';
import { createEstate } from '../helpers/lab-estate.js';
import { labInventory } from './helpers.js';

let dir: string;
let written: { file: string; size: number; sha256: string }[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-package-'));
  written = await writeStandinPackage(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hasMsiinfo(): boolean {
  try {
    execFileSync('msiinfo', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Property table as msitools' own reader exports it (an independent oracle). */
function msiinfoProperties(path: string): Record<string, string> {
  const text = execFileSync('msiinfo', ['export', path, 'Property'], { encoding: 'utf8' });
  // Header lines: column names, column types, table name; then one row per line.
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .slice(3)
      .filter((line) => line.includes('\t'))
      .map((line) => [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)]),
  );
}

describe('the stand-in Update Rollup 6 package', () => {
  test('has the 33 files of the KB table at their exact sizes and reported hashes', async () => {
    expect((await readdir(dir)).sort()).toEqual(PACKAGE_FILES.map((f) => f.file).sort());
    for (const entry of PACKAGE_FILES) {
      const bytes = await readFile(join(dir, entry.file));
      expect(bytes.length).toBe(entry.size);
      const reported = written.find((w) => w.file === entry.file)!;
      expect(reported.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  test('every file is a Windows Installer database carrying its own identity, distinct from every other', async () => {
    const codes = new Set<string>();
    const versions = new Set<string>();
    for (const product of standinProducts()) {
      const msi = msiIdentity(readMsi(await readFile(join(dir, product.file)), product.file), product.file);
      expect(msi).toEqual({
        productCode: product.productCode,
        productName: product.productName,
        productVersion: product.versions.ur6,
        upgradeCode: product.upgradeCode,
        manufacturer: product.manufacturer,
      });
      codes.add(msi.productCode);
      versions.add(msi.productVersion);
    }
    expect(codes.size).toBe(33);
    expect(versions.size).toBe(33);
  });

  (hasMsiinfo() || process.env.CI ? test : test.skip)(
    "msitools' msiinfo reads all 33 and agrees with our reader on every identity",
    async () => {
      for (const product of standinProducts()) {
        const path = join(dir, product.file);
        const ours = msiIdentity(readMsi(await readFile(path), product.file), product.file);
        const theirs = msiinfoProperties(path);
        expect({ file: product.file, ...theirs }).toMatchObject({
          file: product.file,
          ProductCode: ours.productCode,
          ProductVersion: ours.productVersion,
          ProductName: ours.productName,
          UpgradeCode: ours.upgradeCode,
          Manufacturer: ours.manufacturer,
        });
      }
    },
  );

  test('is deterministic: the same package twice is the same bytes', async () => {
    const other = await mkdtemp(join(tmpdir(), 'lab-package-'));
    try {
      expect(await writeStandinPackage(other)).toEqual(written);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test('an uploaded MSI is read by the estate as msiexec would, and can be read back byte for byte', async () => {
    const estate = createEstate(labInventory());
    const bytes = await readFile(join(dir, 'Dnsclient.msi'));
    const dns = standinProduct('Dnsclient.msi');
    estate.writeFile('DNS01', 'C:\\temp\\QFERollupPackage\\DNSClient.msi', bytes);
    expect(estate.state.hosts.DNS01!.files['C:\\temp\\QFERollupPackage\\DNSClient.msi']).toMatchObject({
      size: bytes.length,
      msi: { productCode: dns.productCode, productVersion: dns.versions.ur6, productName: dns.productName },
    });
    expect(
      estate.state.hosts.DNS01!.files['C:\\temp\\QFERollupPackage\\DNSClient.msi']!.content,
    ).toBeUndefined();
    expect(estate.readFile('DNS01', 'c:\\temp\\qferolluppackage\\dnsclient.msi')?.equals(bytes)).toBe(true);
    expect(estate.isDirectory('DNS01', 'C:\\temp\\QFERollupPackage')).toBe(true);
    expect(estate.readFile('MPS01', 'C:\\MSIShare\\HostedEmail2007NS.msi')?.length).toBe(349_184);
  });

  test('an uploaded file that is not a Windows Installer database carries no identity', () => {
    const estate = createEstate(labInventory());
    estate.writeFile('DNS01', 'C:\\temp\\QFERollupPackage\\DNSClient.msi', Buffer.alloc(682_496, 7));
    expect(estate.state.hosts.DNS01!.files['C:\\temp\\QFERollupPackage\\DNSClient.msi']?.msi).toBeUndefined();
  });
});
