/**
 * Folder trees (`tree.copy`, `tree.remove`): the KB's "copy the directory tree" and "delete the
 * folder". Done with .NET file APIs rather than `Copy-Item -Recurse`, whose PowerShell 2.0
 * behaviour depends on whether the destination exists (it copies *into* an existing folder).
 * Both refuse trees of more than 20000 files (bounded work; such a postoffice is moved by hand).
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

const LIST = lines(
  '$all = @(ListFiles $source)',
  "if ($all.Length -gt 20000) { throw ($source + ' holds more than 20000 files; copy it by hand') }",
);

export const treeCopy: FamilyBuilder = (params) => {
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

export const treeRemove: FamilyBuilder = (_params, target) => {
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
