/**
 * MSI file records on simulated hosts. Their bytes are the stand-in package's (deterministic),
 * so the state keeps only the identity, size and hash, and can rebuild the bytes on demand.
 */
import { standinIdentity, standinMsiBytes } from '../package/generate.js';
import { standinProduct, type Era } from '../package/products.js';
import type { FileState } from './state.js';
import { baseName } from './names.js';
import { sha256Hex } from './files.js';

const hashMemo = new Map<string, string>();

/** The record of the stand-in MSI `fileName` (any spelling) as it was in `era`. */
export function standinMsiRecord(fileName: string, era: Era): FileState {
  const product = standinProduct(fileName);
  const msi = standinIdentity(product, era);
  const memoKey = `${product.file}\n${era}`;
  let sha256 = hashMemo.get(memoKey);
  if (sha256 === undefined) {
    sha256 = sha256Hex(standinMsiBytes(product.file, msi));
    hashMemo.set(memoKey, sha256);
  }
  return { size: product.size, sha256, msi };
}

/** Rebuilds the bytes of an MSI record at `path`, when they are a stand-in's. */
export function rebuildMsiBytes(path: string, file: FileState): Buffer | undefined {
  if (file.msi === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = standinMsiBytes(baseName(path), file.msi);
  } catch {
    return undefined;
  }
  return bytes.length === file.size &&
    (file.sha256 === undefined || sha256Hex(bytes) === file.sha256.toLowerCase())
    ? bytes
    : undefined;
}
