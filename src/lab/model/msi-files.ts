/**
 * MSI file records on simulated hosts. Their bytes are stand-in MSIs (deterministic), so the
 * state keeps only the identity, size and hash, and can rebuild the bytes on demand.
 */
import { standinMsiBytes } from '../package/generate.js';
import type { FileState, MsiFileIdentity } from './state.js';
import { baseName } from './names.js';
import { sha256Hex } from './files.js';

const hashMemo = new Map<string, string>();

/** The record of a stand-in MSI named `file` of `size` bytes carrying `msi`. */
export function standinMsiRecord(file: string, size: number, msi: MsiFileIdentity): FileState {
  const memoKey = JSON.stringify([file.toLowerCase(), size, msi]);
  let sha256 = hashMemo.get(memoKey);
  if (sha256 === undefined) {
    sha256 = sha256Hex(standinMsiBytes(file, size, msi));
    hashMemo.set(memoKey, sha256);
  }
  return { size, sha256, msi };
}

/** Rebuilds the bytes of an MSI record at `path`, when they are a stand-in's (same size and hash). */
export function rebuildMsiBytes(path: string, file: FileState): Buffer | undefined {
  if (file.msi === undefined || file.sha256 === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = standinMsiBytes(baseName(path), file.size, file.msi);
  } catch {
    // Not a size a stand-in can have (too small for its tables): not a stand-in's bytes.
    return undefined;
  }
  return sha256Hex(bytes) === file.sha256.toLowerCase() ? bytes : undefined;
}
