/**
 * Network shares and folder trees (moving the MS Mail Connector's data).
 *
 * Network shares (`share.remove`, `share.ensure`): read through WMI `Win32_Share` (present on
 * Windows 2000 and later), changed with the KB's own tool, `net share`, run through RunProcess
 * so its stderr and exit code are kept. The share name is matched exactly (hidden `$` shares
 * included).
 *
 * Folder trees (`tree.copy`, `tree.remove`): the KB's "copy the directory tree" and "delete the
 * folder". Done with .NET file APIs rather than `Copy-Item -Recurse`, whose PowerShell 2.0
 * behaviour depends on whether the destination exists (it copies *into* an existing folder).
 * Both refuse trees of more than 20000 files (bounded work; such a postoffice is moved by hand).
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { shareEnsureLab, shareRemoveLab } from '../../lab/model/actions/shares.js';
import { treeCopyLab, treeRemoveLab } from '../../lab/model/actions/trees.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ShareParams {
  /** Network share `target` (e.g. `Maildat$`). remove: `net share <name> /delete` (absent: nothing to do).
   * ensure: shares the existing folder `path` as `target` with `net share <name>=<path>`, first removing a share
   * of that name that points elsewhere; refused (exit 1) when the folder does not exist, as `net share` refuses.
   * Probe/verify read WMI Win32_Share: DR:exists, DR:path; ensure is done when the share exists at `path`. */
  'share.remove': Record<string, never>;
  'share.ensure': { path: string };
  /** Copy every file under folder `source` to the same relative path under `dest`, overwriting (the KB's "copy
   * the directory tree"; .NET File.Copy, not xcopy). Fails, as Windows does, with a sharing violation while a
   * running service holds a file of either tree. Done when every source file has an identical copy under
   * `dest` (SHA-256). Prints DR:sourceExists, DR:destExists; apply DR:copied. */
  'tree.copy': { source: string; dest: string };
  /** Delete folder `target` and everything under it (Remove-Item -Recurse -Force). Done when it does not exist.
   * Fails while a running service holds a file in it or a share points into it. */
  'tree.remove': Record<string, never>;
}

const READ = lines(
  '$share = @(Get-WmiObject -Class Win32_Share | Where-Object { $_.Name -eq $target })',
  '$exists = $share.Count -gt 0',
  "$have = ''",
  'if ($exists) { $have = [string]$share[0].Path }',
  "DR 'exists' (Bool $exists)",
  "DR 'path' $have",
);

const UNSHARE = lines(
  "RunProcess 'net.exe' ('share ' + (QArg $target) + ' /delete') '' $true",
  "if ($script:ProcRc -ne 0) { throw ('net share ' + $target + ' /delete failed with exit code ' + $script:ProcRc) }",
);

const shareRemove: FamilyBuilder = (_params, target) => {
  requireTarget('share.remove', target);
  const check = lines(READ, reportState('-not $exists'));
  return {
    probe: check,
    apply: lines(READ, 'if ($exists) {', UNSHARE, '}', '$rc = 0'),
    verify: check,
  };
};

const shareEnsure: FamilyBuilder = (params, target) => {
  requireTarget('share.ensure', target);
  const vars = declare({ path: readParams('share.ensure', params).str('path', { nonEmpty: true }) });
  const same = "$exists -and ($have.TrimEnd('\\') -eq $path.TrimEnd('\\'))";
  return {
    probe: lines(vars, READ, reportState(same)),
    apply: lines(
      vars,
      READ,
      `if (-not (${same})) {`,
      "  if (-not (DirExists $path)) { throw ('cannot share ' + $path + ' as ' + $target + ': the folder does not exist') }",
      '  if ($exists) {',
      UNSHARE,
      '  }',
      "  RunProcess 'net.exe' ('share ' + (QArg ($target + '=' + $path))) '' $true",
      "  if ($script:ProcRc -ne 0) { throw ('net share ' + $target + '=' + $path + ' failed with exit code ' + $script:ProcRc) }",
      '}',
      '$rc = 0',
    ),
    verify: lines(vars, READ, reportState(same)),
  };
};

const LIST = lines(
  '$all = @(ListFiles $source)',
  "if ($all.Length -gt 20000) { throw ($source + ' holds more than 20000 files; copy it by hand') }",
);

const treeCopy: FamilyBuilder = (params) => {
  const read = readParams('tree.copy', params);
  const vars = declare({
    source: read.str('source', { nonEmpty: true }),
    dest: read.str('dest', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    "DR 'sourceExists' (Bool (DirExists $source))",
    "DR 'destExists' (Bool (DirExists $dest))",
    reportState('SameTree $source $dest'),
  );
  return {
    probe: check,
    apply: lines(
      vars,
      "if (-not (DirExists $source)) { throw ('cannot copy ' + $source + ': the folder does not exist') }",
      LIST,
      "$root = $source.TrimEnd('\\')",
      '$n = 0',
      'foreach ($f in $all) {',
      "  $d = $dest.TrimEnd('\\') + $f.Substring($root.Length)",
      '  EnsureDir (ParentDir $d)',
      // A copy cut short left read-only files (File.Copy keeps attributes): overwriting one fails.
      '  if (FileExists $d) { ClearAttributes $d }',
      '  CopyFile $f $d',
      '  $n++',
      '}',
      "DR 'copied' ([string]$n)",
      '$rc = 0',
    ),
    verify: check,
  };
};

const treeRemove: FamilyBuilder = (_params, target) => {
  requireTarget('tree.remove', target);
  const check = lines(
    '$exists = DirExists $target',
    "DR 'exists' (Bool $exists)",
    reportState('-not $exists'),
  );
  return {
    probe: check,
    apply: lines(
      '$exists = DirExists $target',
      'if ($exists) { Remove-Item -LiteralPath $target -Recurse -Force }',
      '$rc = 0',
    ),
    verify: check,
  };
};

export const sharesModules = [
  defineAction({
    name: 'share.remove',
    script: shareRemove,
    lab: shareRemoveLab,
    applyMs: 1_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'share.ensure',
    script: shareEnsure,
    lab: shareEnsureLab,
    applyMs: 1_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'tree.copy',
    script: treeCopy,
    lab: treeCopyLab,
    applyMs: 60_000,
  }),
  defineAction({
    name: 'tree.remove',
    script: treeRemove,
    lab: treeRemoveLab,
    applyMs: 10_000,
  }),
] as const;
