/**
 * Network shares (`share.remove`, `share.ensure`): read through WMI `Win32_Share` (present on
 * Windows 2000 and later), changed with the KB's own tool, `net share`, run through RunProcess
 * so its stderr and exit code are kept. The share name is matched exactly (hidden `$` shares
 * included).
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

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

export const shareRemove: FamilyBuilder = (_params, target) => {
  requireTarget('share.remove', target);
  const check = lines(READ, reportState('-not $exists'));
  return {
    probe: check,
    apply: lines(READ, 'if ($exists) {', UNSHARE, '}', '$rc = 0'),
    verify: check,
  };
};

export const shareEnsure: FamilyBuilder = (params, target) => {
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
