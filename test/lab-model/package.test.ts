import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_VERSIONS, PACKAGE_FILES } from '../../runbooks/kb979704/data.js';
import { readStandinHeader, writeStandinPackage } from '../../src/lab/package/generate.js';
import { Estate } from '../../src/lab/model/estate.js';
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

  test('each file names its product, the UR6 version and itself in a readable header', async () => {
    const agent = readStandinHeader(await readFile(join(dir, 'Categorizeroverrideagent-x64.msi')));
    expect(agent).toEqual({
      product: 'Categorizer Override Agent',
      version: DEFAULT_VERSIONS.ur6,
      file: 'Categorizeroverrideagent-x64.msi',
    });
    const component = readStandinHeader(await readFile(join(dir, 'Exchange2007resourcemanagerns.msi')));
    expect(component?.product).toBe('Exchange 2007 Resource Manager');
    const x86 = readStandinHeader(await readFile(join(dir, 'Categorizeroverrideagent.msi')));
    expect(x86?.product).not.toBe('Categorizer Override Agent');
    expect(readStandinHeader(Buffer.from('MZ\x90\x00 not ours\n'))).toBeUndefined();
  });

  test('is deterministic and carries the version it was asked for', async () => {
    const other = await mkdtemp(join(tmpdir(), 'lab-package-'));
    try {
      const again = await writeStandinPackage(other);
      expect(again).toEqual(written);
      const custom = await writeStandinPackage(other, { ur6: '9.9.9.9' });
      expect(custom[0]!.sha256).not.toBe(written[0]!.sha256);
      expect(readStandinHeader(await readFile(join(other, 'Dnsclient.msi')))?.version).toBe('9.9.9.9');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test('an uploaded package file is recognised by the estate and can be read back byte for byte', async () => {
    const estate = Estate.create(labInventory());
    const bytes = await readFile(join(dir, 'Dnsclient.msi'));
    estate.writeFile('DNS01', 'C:\\temp\\QFERollupPackage\\DNSClient.msi', bytes);
    expect(estate.state.hosts.DNS01!.files['C:\\temp\\QFERollupPackage\\DNSClient.msi']).toMatchObject({
      size: bytes.length,
      product: 'MPS DNS Client',
      version: DEFAULT_VERSIONS.ur6,
    });
    expect(
      estate.state.hosts.DNS01!.files['C:\\temp\\QFERollupPackage\\DNSClient.msi']!.content,
    ).toBeUndefined();
    expect(estate.readFile('DNS01', 'c:\\temp\\qferolluppackage\\dnsclient.msi')?.equals(bytes)).toBe(true);
    expect(estate.isDirectory('DNS01', 'C:\\temp\\QFERollupPackage')).toBe(true);
    expect(estate.readFile('MPS01', 'C:\\MSIShare\\HostedEmail2007NS.msi')?.length).toBe(349_184);
  });
});
