/**
 * Files arriving over SFTP and read back over SFTP. An uploaded MSI is read as Windows Installer
 * would read it (its Property table, with the reader preflight uses), so the simulated msiexec
 * installs whatever identity the file carries; hotfix packages are recognised by their stand-in
 * header; small text files keep their content.
 */
import { MsiFormatError, msiIdentity, readMsi } from '../../msi/read-msi.js';
import { readStandinHeader } from '../package/generate.js';
import type { FileState, HostState } from './state.js';
import { MAX_CONTENT_BYTES, getFile, pathExists, putFile, sha256Hex } from './files.js';
import { rebuildMsiBytes } from './msi-files.js';
import { normalizePath } from './names.js';
import { engineRunning, inEngineShare } from './actions/context.js';
import type { LabKnowledge } from './lab-profile.js';

/** An upload Windows would refuse (file locked or read-only); the SFTP front reports it as a failure. */
export class LabFileError extends Error {
  constructor(
    message: string,
    readonly code: 'EBUSY' | 'EACCES',
  ) {
    super(message);
    this.name = 'LabFileError';
  }
}

function isText(content: Buffer): boolean {
  if (content.includes(0)) return false;
  return Buffer.from(content.toString('utf8'), 'utf8').equals(content);
}

export class HostFiles {
  constructor(
    private readonly lab: LabKnowledge,
    private readonly changed: () => void,
  ) {}

  write(host: HostState, windowsPath: string, content: Buffer): void {
    const path = normalizePath(windowsPath);
    const existing = getFile(host, path);
    if (existing?.readOnly) throw new LabFileError(`Access to the path '${path}' is denied.`, 'EACCES');
    if (inEngineShare(this.lab, path) && engineRunning(host)) {
      throw new LabFileError(
        `The process cannot access the file '${path}' because it is being used by another process.`,
        'EBUSY',
      );
    }
    const record: FileState = { size: content.length, sha256: sha256Hex(content) };
    if (/\.msi$/i.test(path)) {
      try {
        record.msi = msiIdentity(readMsi(content, path), path);
      } catch (error) {
        // Not a package msiexec can open: the record stays, and msiexec answers 1620.
        if (!(error instanceof MsiFormatError)) throw error;
      }
    } else if (/\.exe$/i.test(path)) {
      const header = readStandinHeader(content);
      if (header) {
        record.product = header.product;
        record.version = header.version;
      }
    } else if (content.length <= MAX_CONTENT_BYTES && isText(content)) {
      record.content = content.toString('utf8');
    }
    putFile(host, path, record);
    this.changed();
  }

  /** The bytes, when the lab knows them: text content, or a stand-in MSI it can rebuild. */
  read(host: HostState, windowsPath: string): Buffer | undefined {
    const file = getFile(host, windowsPath);
    if (!file) return undefined;
    if (file.content !== undefined) return Buffer.from(file.content, 'utf8');
    return rebuildMsiBytes(normalizePath(windowsPath), file);
  }

  stat(host: HostState, windowsPath: string): { size: number } | undefined {
    const file = getFile(host, windowsPath);
    return file ? { size: file.size } : undefined;
  }

  isDirectory(host: HostState, windowsPath: string): boolean {
    return !getFile(host, windowsPath) && pathExists(host, windowsPath);
  }
}
