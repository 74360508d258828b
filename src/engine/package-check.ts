/**
 * The rollup package on this machine: every file of the runbook's table present at its exact
 * size, nothing unknown beside them, and a sha256 per file recorded for the run (uploads are
 * checked against it on arrival).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface PackageCheck {
  /** Lower-cased file name → sha256 (hex). */
  hashes: Record<string, string>;
  problems: string[];
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: a few thread-pool round trips per MSI instead of one per 64 KiB.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function checkPackage(
  dir: string,
  expected: readonly { file: string; size: number }[],
): Promise<PackageCheck> {
  const problems: string[] = [];
  const hashes: Record<string, string> = {};
  // A runbook that ships no files (it works with what is on the hosts) needs no package folder.
  if (expected.length === 0) return { hashes, problems };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return {
      hashes,
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
    hashes[file.file.toLowerCase()] = await sha256(path);
  }
  for (const name of names) {
    if (!known.has(name.toLowerCase()))
      problems.push(
        `package ${dir}: ${name} is not part of the rollup's file table; remove it so nothing unexpected is staged`,
      );
  }
  return { hashes, problems };
}
