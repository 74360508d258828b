/**
 * MSI file records on simulated hosts. Their bytes are the stand-in package's (deterministic),
 * so the state keeps only product, version, size and hash, and can rebuild the bytes on demand.
 */
import { PACKAGE_FILES } from '../../../runbooks/kb979704/data.js';
import { standinBytes } from '../package/generate.js';
import type { FileState } from './state.js';
import { baseName } from './names.js';
import { sha256Hex } from './files.js';

const hashMemo = new Map<string, string>();

function tableName(fileName: string): string | undefined {
  return PACKAGE_FILES.find((f) => f.file.toLowerCase() === fileName.toLowerCase())?.file;
}

/** The record of the stand-in MSI `fileName` (any spelling) carrying `product` at `version`. */
export function standinMsiRecord(fileName: string, product: string, version: string): FileState {
  const name = tableName(fileName);
  const entry = PACKAGE_FILES.find((f) => f.file === name);
  if (name === undefined || entry === undefined)
    throw new Error(`lab: ${fileName} is not in the KB's file table`);
  const memoKey = `${name}\n${product}\n${version}`;
  let sha256 = hashMemo.get(memoKey);
  if (sha256 === undefined) {
    sha256 = sha256Hex(standinBytes({ product, version, file: name }, entry.size));
    hashMemo.set(memoKey, sha256);
  }
  return { size: entry.size, sha256, product, version };
}

/** Rebuilds the bytes of an MSI record at `path`, when they are the stand-in's. */
export function rebuildMsiBytes(path: string, file: FileState): Buffer | undefined {
  if (file.product === undefined || file.version === undefined) return undefined;
  const name = tableName(baseName(path));
  if (name === undefined) return undefined;
  const bytes = standinBytes({ product: file.product, version: file.version, file: name }, file.size);
  return file.sha256 === undefined || sha256Hex(bytes) === file.sha256.toLowerCase() ? bytes : undefined;
}
