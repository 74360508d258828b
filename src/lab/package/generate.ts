/**
 * Stand-in package files for the simulated estate. A stand-in MSI is a genuine Windows Installer
 * database (readable by msitools' `msiinfo`) at a given size whose Property table carries the
 * identity it is given (a runbook's stand-in package decides which: runbooks/kb979704/lab-products.ts);
 * the simulated msiexec reads it with the same reader preflight uses. Bytes are deterministic in
 * their inputs, so a host's record can rebuild them and their sha256 is stable.
 *
 * Hotfix installers of the older runbooks (not MSIs) keep a one-line text header naming their
 * product and version, followed by deterministic filler: `standinBytes`.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeMsi } from '../../msi/write-msi.js';
import { standinGuid } from '../model/products.js';
import type { MsiFileIdentity } from '../model/state.js';

const HEADER_PREFIX = 'DEPLOY-ROLLUP STAND-IN MSI ';

export interface StandinHeader {
  product: string;
  version: string;
  file: string;
}

/** The stand-in bytes of one package file; deterministic in its inputs. */
export function standinBytes(header: StandinHeader, size: number): Buffer {
  const line =
    `${HEADER_PREFIX}product=${encodeURIComponent(header.product)} ` +
    `version=${encodeURIComponent(header.version)} file=${encodeURIComponent(header.file)}\n`;
  const head = Buffer.from(line, 'utf8');
  if (head.length > size) throw new RangeError(`stand-in header for ${header.file} exceeds ${size} bytes`);
  const buf = Buffer.alloc(size);
  head.copy(buf);
  // xorshift32 seeded from the header: cheap, deterministic, and different per file and version.
  let x = createHash('sha256').update(line).digest().readUInt32LE(0) || 0x9e3779b9;
  for (let i = head.length; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

/** Reads the stand-in header at the start of `buf`; undefined for anything else. */
export function readStandinHeader(buf: Buffer): StandinHeader | undefined {
  const end = buf.indexOf(0x0a);
  if (end < 0 || end > 4096) return undefined;
  const line = buf.subarray(0, end).toString('utf8');
  if (!line.startsWith(HEADER_PREFIX)) return undefined;
  const fields = new Map<string, string>();
  for (const part of line.slice(HEADER_PREFIX.length).split(' ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return undefined;
    }
  }
  const product = fields.get('product');
  const version = fields.get('version');
  const file = fields.get('file');
  if (product === undefined || version === undefined || file === undefined) return undefined;
  return { product, version, file };
}

const msiMemo = new Map<string, Buffer>();

/** The bytes of a stand-in MSI named `file` (any spelling) of `size` bytes carrying `identity`. */
export function standinMsiBytes(file: string, size: number, identity: MsiFileIdentity): Buffer {
  const key = JSON.stringify([file.toLowerCase(), size, identity]);
  const memo = msiMemo.get(key);
  if (memo) return memo;
  const bytes = writeMsi({
    properties: {
      ProductCode: identity.productCode,
      ProductName: identity.productName,
      ProductVersion: identity.productVersion,
      ...(identity.upgradeCode ? { UpgradeCode: identity.upgradeCode } : {}),
      Manufacturer: identity.manufacturer,
      ProductLanguage: '1033',
    },
    summary: {
      title: 'Installation Database',
      subject: identity.productName,
      author: identity.manufacturer,
      template: /-x64\.msi$/i.test(file) ? 'x64;1033' : 'Intel;1033',
      revisionNumber: standinGuid(`PackageCode ${file.toLowerCase()} ${identity.productVersion}`),
      comments: 'A stand-in for the simulated estate: deploy-rollup lab package. Installs nothing.',
    },
    size,
  });
  if (msiMemo.size < 256) msiMemo.set(key, bytes);
  return bytes;
}

/** Writes stand-in MSIs into `outDir`, each `file` at its `size` carrying its `identity`. */
export async function writeStandinMsis(
  outDir: string,
  entries: readonly { file: string; size: number; identity: MsiFileIdentity }[],
): Promise<{ file: string; size: number; sha256: string }[]> {
  await mkdir(outDir, { recursive: true });
  const written: { file: string; size: number; sha256: string }[] = [];
  for (const entry of entries) {
    const bytes = standinMsiBytes(entry.file, entry.size, entry.identity);
    await writeFile(join(outDir, entry.file), bytes);
    written.push({
      file: entry.file,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return written;
}
