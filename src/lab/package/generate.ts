/**
 * The stand-in Update Rollup 6 package: the KB's 33 files at their exact sizes, each a genuine
 * Windows Installer database (readable by msitools' `msiinfo`) whose Property table carries its
 * own stand-in ProductCode, UpgradeCode, ProductName and ProductVersion (see products.ts). The
 * simulated msiexec reads them with the same reader preflight uses. Bytes are deterministic in
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
import { standinProduct, standinProducts, type Era, type StandinProduct } from './products.js';

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

/** The identity `product` has in `era` (the package carries `ur6`). */
export function standinIdentity(product: StandinProduct, era: Era): MsiFileIdentity {
  return {
    productCode: product.productCode,
    productName: product.productName,
    productVersion: product.versions[era],
    upgradeCode: product.upgradeCode,
    manufacturer: product.manufacturer,
  };
}

const msiMemo = new Map<string, Buffer>();

/** The bytes of a stand-in MSI of `file` (any spelling) carrying `identity`, at the file's KB size. */
export function standinMsiBytes(file: string, identity: MsiFileIdentity): Buffer {
  const product = standinProduct(file);
  const key = JSON.stringify([product.file, identity]);
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
      template: /-x64\.msi$/i.test(product.file) ? 'x64;1033' : 'Intel;1033',
      revisionNumber: standinGuid(`PackageCode ${product.file.toLowerCase()} ${identity.productVersion}`),
      comments: 'A stand-in for the simulated estate: deploy-rollup lab package. Installs nothing.',
    },
    size: product.size,
  });
  if (msiMemo.size < 256) msiMemo.set(key, bytes);
  return bytes;
}

/** Writes the 33 files of the KB's table into `outDir` at their exact sizes, each carrying its UR6 identity. */
export async function writeStandinPackage(
  outDir: string,
): Promise<{ file: string; size: number; sha256: string }[]> {
  await mkdir(outDir, { recursive: true });
  const written: { file: string; size: number; sha256: string }[] = [];
  for (const product of standinProducts()) {
    const bytes = standinMsiBytes(product.file, standinIdentity(product, 'ur6'));
    await writeFile(join(outDir, product.file), bytes);
    written.push({
      file: product.file,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return written;
}
