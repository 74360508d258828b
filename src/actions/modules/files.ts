/**
 * Files copied aside and back: MSI backups and staging, customisations.
 *
 * File copies: MSIShare backup and staging, and backup/restore of customised files or folders.
 * Hashes use .NET's SHA256 on a FileStream (PowerShell 2.0 has no Get-FileHash), lowercase hex.
 * Paths go to .NET file APIs or to -LiteralPath, never to wildcard-expanding parameters.
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { fileBackupLab, fileRestoreLab, msiBackupLab, msiStageLab } from '../../lab/model/actions/files.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface FileParams {
  /** Copy the existing `source` to `dest` before it is replaced. Done when dest exists (or source does not:
   * DR:absent=true, nothing to back up). */
  'msi.backup': { source: string; dest: string };
  /** Copy the rollup's `source` over `dest` (refused while the provisioning engine runs: file in use).
   * Done when dest has `size` and `sha256`. */
  'msi.stage': { source: string; dest: string; size: number; sha256: string };
  /** Copy file or folder `source` to `dest` (backup of customisations). Done when dest exists. */
  'file.backup': { source: string; dest: string };
  /** Copy `source` back over `dest` after a reinstall (restore customisations). Done when dest matches source. */
  'file.restore': { source: string; dest: string };
}

/** Largest file size accepted in a step (bytes): far above any MSI, below any overflow. */
export const MAX_FILE_SIZE = 2 ** 40;

/** Sets `$ok` when `$dest` has `$size` bytes and hash `$sha256`; prints DR:exists, DR:size, DR:sha256. */
export const DEST_MATCHES = lines(
  '$ok = $false',
  'if (FileExists $dest) {',
  "  DR 'exists' 'true'",
  '  $len = (FileLength $dest)',
  "  DR 'size' $len",
  '  if ($len -eq $size) {',
  '    $hash = FileSha256 $dest',
  "    DR 'sha256' $hash",
  '    $ok = ($hash -eq $sha256)',
  '  }',
  "} else { DR 'exists' 'false' }",
);

/** The sha256 param: 64 hex digits (anything else is an unresolved placeholder or a typo). */
export function sha256Of(value: string, action: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value))
    throw new TypeError(`${action}: param "sha256" must be 64 hex digits, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Copy `$source` to `$dest` once, through `$dest.partial` and a rename, so a copy cut short by a
 * crash never looks like a finished backup. An existing backup is never overwritten: after the
 * reinstall the source holds the new build, and the backup must keep the old one.
 */
const BACKUP_ONCE = lines(
  "$partial = $dest + '.partial'",
  'EnsureDir (ParentDir $dest)',
  'if (DirExists $source) {',
  '  if (DirExists $partial) { DeleteDir $partial }',
  '  Copy-Item -LiteralPath $source -Destination $partial -Recurse -Force',
  '  MoveDir $partial $dest',
  '} else {',
  '  CopyFile $source $partial',
  '  MoveFile $partial $dest',
  '}',
);

const EXISTS = (v: string): string => `((FileExists (${v})) -or (DirExists (${v})))`;

function backup(action: 'msi.backup' | 'file.backup'): FamilyBuilder {
  return (params) => {
    const p = readParams(action, params);
    const vars = declare({
      source: p.str('source', { nonEmpty: true }),
      dest: p.str('dest', { nonEmpty: true }),
    });
    const check = lines(
      vars,
      `$absent = -not ${EXISTS('$source')}`,
      `$have = ${EXISTS('$dest')}`,
      "DR 'absent' (Bool $absent)",
      "DR 'backedUp' (Bool $have)",
      reportState('$have -or $absent'),
    );
    const apply = lines(
      vars,
      `if (${EXISTS('$dest')}) { Write-Output ('backup ' + $dest + ' already exists; keeping it') } elseif (-not ${EXISTS('$source')}) { DR 'absent' 'true' } else {`,
      BACKUP_ONCE.replace(/^/gm, '  '),
      '}',
      '$rc = 0',
    );
    return { probe: check, apply, verify: check };
  };
}

/** Copy an existing MSIShare file aside before staging replaces it; absent source: nothing to back up. */
const msiBackup = backup('msi.backup');
/** Copy a customised file or folder aside before a reinstall replaces it. */
const fileBackup = backup('file.backup');

/** Copy the rollup's MSI over MSIShare's; fails while the engine holds it. Done when size and hash match. */
const msiStage: FamilyBuilder = (params) => {
  const p = readParams('msi.stage', params);
  const vars = declare({
    source: p.str('source', { nonEmpty: true }),
    dest: p.str('dest', { nonEmpty: true }),
    size: p.int('size', 0, MAX_FILE_SIZE),
    sha256: sha256Of(p.str('sha256'), 'msi.stage'),
  });
  const check = lines(vars, DEST_MATCHES, reportState('$ok'));
  const apply = lines(
    vars,
    'EnsureDir (ParentDir $dest)',
    'if (FileExists $dest) { ClearAttributes $dest }',
    'CopyFile $source $dest',
    DEST_MATCHES,
    "if (-not $ok) { throw ('after copying, ' + $dest + ' does not have ' + $size + ' bytes with sha256 ' + $sha256 + '; the package copy in ' + $source + ' is damaged') }",
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};

/** Copy a backup back over the reinstalled file or folder (files the reinstall added are kept). */
const fileRestore: FamilyBuilder = (params) => {
  const p = readParams('file.restore', params);
  const vars = declare({
    source: p.str('source', { nonEmpty: true }),
    dest: p.str('dest', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    `DR 'sourceExists' (Bool ${EXISTS('$source')})`,
    '$same = SameTree $source $dest',
    reportState('$same'),
  );
  const apply = lines(
    vars,
    'if (DirExists $source) {',
    "  $root = $source.TrimEnd('\\')",
    '  foreach ($f in @(ListFiles $root)) {',
    "    $d = $dest.TrimEnd('\\') + $f.Substring($root.Length)",
    '    EnsureDir (ParentDir $d)',
    '    if (FileExists $d) { ClearAttributes $d }',
    '    CopyFile $f $d',
    '  }',
    '} elseif (FileExists $source) {',
    '  EnsureDir (ParentDir $dest)',
    '  if (FileExists $dest) { ClearAttributes $dest }',
    '  CopyFile $source $dest',
    "} else { throw ('the backup ' + $source + ' does not exist; nothing to restore') }",
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};

export const filesModules = [
  defineAction({
    name: 'msi.backup',
    script: msiBackup,
    lab: msiBackupLab,
    applyMs: 2_000,
    backup: (params) => ({ source: params.source, dest: params.dest }),
  }),
  defineAction({
    name: 'msi.stage',
    script: msiStage,
    lab: msiStageLab,
    applyMs: 2_000,
    verify: 'endState',
  }),
  defineAction({
    name: 'file.backup',
    script: fileBackup,
    lab: fileBackupLab,
    applyMs: 1_000,
    backup: (params) => ({ source: params.source, dest: params.dest }),
  }),
  defineAction({
    name: 'file.restore',
    script: fileRestore,
    lab: fileRestoreLab,
    applyMs: 1_000,
  }),
] as const;
