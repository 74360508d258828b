/**
 * The stand-in Update Rollup 6 package: the KB's 33 files at their exact sizes, each starting
 * with a one-line text header naming the product and version the lab simulator reads when the
 * file lands on a simulated host. The rest is deterministic filler, so the same inputs always
 * give the same bytes (and sha256).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_VERSIONS } from '../../../runbooks/kb979704/data.js';
import { packageProducts } from './products.js';

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

/**
 * Writes the 33 files of the KB's table into `outDir` at their exact sizes.
 * `versions.ur6` is the version every file carries (default from the runbook data).
 */
export async function writeStandinPackage(
  outDir: string,
  versions?: Record<string, string>,
): Promise<{ file: string; size: number; sha256: string }[]> {
  const version = versions?.ur6 ?? DEFAULT_VERSIONS.ur6 ?? '';
  await mkdir(outDir, { recursive: true });
  const written: { file: string; size: number; sha256: string }[] = [];
  for (const entry of packageProducts()) {
    const bytes = standinBytes({ product: entry.product, version, file: entry.file }, entry.size);
    await writeFile(join(outDir, entry.file), bytes);
    written.push({
      file: entry.file,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return written;
}
