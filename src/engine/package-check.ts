/**
 * The rollup package on this machine: every file of the runbook's table present at its exact
 * size, nothing unknown beside them, a sha256 per file recorded for the run (uploads are checked
 * against it on arrival), and the identity each MSI carries in its own Property table
 * (ProductCode, ProductVersion, ProductName, UpgradeCode, Manufacturer), read from the same
 * bytes as the hash. That identity, not a name or version written by hand, is what the steps
 * install, remove and verify.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MsiFormatError, msiIdentity, readMsi } from '../msi/read-msi.js';
import type { PackageContents, PackageFile } from '../plan/types.js';

export interface PackageCheck {
  /** Lower-cased file name → sha256 (hex). */
  hashes: Record<string, string>;
  /** Lower-cased file name → what was read (size, hash, and an MSI's identity). */
  contents: PackageContents;
  problems: string[];
}

/** Reads one package file: its hash, and for an .msi the identity its Property table gives. */
async function readPackageFile(path: string, name: string): Promise<PackageFile | string> {
  const bytes = await readFile(path);
  const file: PackageFile = {
    name,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  if (!name.toLowerCase().endsWith('.msi')) return file;
  try {
    return { ...file, msi: msiIdentity(readMsi(bytes, name), name) };
  } catch (error) {
    if (error instanceof MsiFormatError)
      return `${error.message}; it is not a Windows Installer package we can read, so nothing it installs can be verified — re-extract the rollup from Microsoft's download`;
    throw error;
  }
}

export async function checkPackage(
  dir: string,
  expected: readonly { file: string; size: number }[],
): Promise<PackageCheck> {
  const problems: string[] = [];
  const hashes: Record<string, string> = {};
  const contents: PackageContents = {};
  // A runbook that ships no files (it works with what is on the hosts) needs no package folder.
  if (expected.length === 0) return { hashes, contents, problems };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return {
      hashes,
      contents,
      problems: [
        `package folder ${dir} does not exist or cannot be read; set "package:" in the inventory to the extracted rollup folder (for the lab: deploy-rollup lab package --out ${dir})`,
      ],
    };
  }
  const onDisk = new Map(names.map((n) => [n.toLowerCase(), n]));
  const known = new Set(expected.map((f) => f.file.toLowerCase()));
  for (const file of expected) {
    const actual = onDisk.get(file.file.toLowerCase());
    if (!actual) {
      problems.push(
        `package ${dir}: ${file.file} is missing (the KB's file table lists it at ${file.size} bytes); re-extract the rollup from Microsoft's download`,
      );
      continue;
    }
    const path = join(dir, actual);
    const info = await stat(path);
    if (info.size !== file.size) {
      problems.push(
        `package ${dir}: ${actual} is ${info.size} bytes, the KB's file table says ${file.size}; re-extract the rollup from Microsoft's download`,
      );
      continue;
    }
    const read = await readPackageFile(path, actual);
    if (typeof read === 'string') {
      problems.push(`package ${dir}: ${read}`);
      continue;
    }
    hashes[file.file.toLowerCase()] = read.sha256;
    contents[file.file.toLowerCase()] = read;
  }
  for (const name of names) {
    if (!known.has(name.toLowerCase()))
      problems.push(
        `package ${dir}: ${name} is not part of the rollup's file table; remove it so nothing unexpected is staged`,
      );
  }
  return { hashes, contents, problems };
}
