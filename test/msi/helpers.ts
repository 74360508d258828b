/** msitools as the oracle for the MSI reader and writer, plus fixtures built with wixl. */
import { test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { MsiSpec } from '../../src/msi/write-msi.js';

export function hasMsitools(): boolean {
  try {
    execFileSync('msiinfo', ['--version'], { stdio: 'ignore' });
    execFileSync('wixl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CI installs msitools; a developer machine without it skips the oracle tests rather than fails. */
export const oracleTest = hasMsitools() || process.env.CI ? test : test.skip;

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'msi-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The Property table as `msiinfo export` prints it: three header lines, then name TAB value. */
export async function msiinfoProperties(file: string): Promise<Record<string, string>> {
  const { stdout } = await execa('msiinfo', ['export', file, 'Property'], { stripFinalNewline: false });
  const rows = stdout.split('\r\n').slice(3, -1);
  return Object.fromEntries(
    rows.map((row) => [row.slice(0, row.indexOf('\t')), row.slice(row.indexOf('\t') + 1)]),
  );
}

export async function msiinfo(...args: string[]): Promise<string> {
  return (await execa('msiinfo', args)).stdout;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Builds an MSI with wixl from a minimal product plus extra Property rows. */
export async function wixlMsi(dir: string, name: string, extra: Record<string, string>): Promise<string> {
  const properties = Object.entries(extra)
    .map(([id, value]) => `    <Property Id="${id}" Value="${escapeXml(value)}" />`)
    .join('\n');
  const wxs = `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="0B6D5F1C-6C35-4F2C-9D0B-1A2B3C4D5E6F" Name="HMC Rollup &amp; Test" Language="1033"
           Version="4.5.602.6" Manufacturer="Contoso Ltd" UpgradeCode="9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D">
    <Package InstallerVersion="200" Compressed="yes" Comments="fixture" />
${properties}
    <Directory Id="TARGETDIR" Name="SourceDir" />
    <Feature Id="Main" Level="1" />
  </Product>
</Wix>
`;
  const source = join(dir, `${name}.wxs`);
  const out = join(dir, `${name}.msi`);
  writeFileSync(source, wxs);
  await execa('wixl', ['-o', out, source]);
  return out;
}

export const SPEC: MsiSpec = {
  properties: {
    ProductCode: '{3C1F0E6A-1B2C-4D3E-8F40-5A6B7C8D9E0F}',
    ProductName: 'Hosted Messaging and Collaboration 4.5 Update Rollup 6',
    ProductVersion: '4.5.602.6',
    Manufacturer: 'Microsoft Corporation',
    UpgradeCode: '{7D2E1F0A-9B8C-4A6D-B5E4-3C2B1A0F9E8D}',
    ProductLanguage: '1033',
    ALLUSERS: '1',
  },
  summary: {
    title: 'Installation Database',
    subject: 'HMC 4.5 Update Rollup 6',
    author: 'Microsoft Corporation',
    revisionNumber: '{A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D}',
    template: 'x64;1033',
    comments: 'KB979704',
  },
};

/**
 * Milliseconds of CPU this process has used since `since` (from {@link cpuNow}): the work a read
 * or write did, which a busy machine does not inflate the way it inflates the wall clock (a test
 * that compared wall-clock time failed when the other core was busy).
 */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** The process's CPU usage now, for {@link cpuMsSince}. */
export function cpuNow(): NodeJS.CpuUsage {
  return process.cpuUsage();
}
