/**
 * Hotfix packages and the read-only assertions a runbook makes before it starts.
 *
 * Hotfix packages and the read-only assertions around them: `hotfix.install` runs an
 * update.exe-style package (RunProcess, arguments quoted by QArg) and judges it by the version
 * resource of the file it replaces; `file.checkVersion` and `registry.checkKey` only look, and
 * fail with the operator's next step when what they look for is not there.
 *
 * A version is read as Major.Minor.Build.Private from the version resource's numeric parts
 * (FileVersionInfo), not the FileVersion string, which some builds decorate (`6.0.6448.0 (SP3)`).
 */
import { defineAction } from '../action.js';
import type { ExitClass } from '../exit-class.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import {
  fileCheckVersionLab,
  hotfixInstallLab,
  registryCheckKeyLab,
} from '../../lab/model/actions/hotfix.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface HotfixParams {
  /** Run the hotfix package `path` (an update.exe-style self-extracting package) with `args`, through RunProcess;
   * it replaces `file`. Probe/verify: done when `file`'s version resource is `version` or later (DR:version,
   * empty when the file is absent). Apply exit codes: 0 done, 3010 done but a restart is pending, anything
   * else the installer's failure (files in use, a missing prerequisite such as a service pack). */
  'hotfix.install': { path: string; args: string[]; file: string; version: string };
  /** Read-only assertion: file `path` has a version resource of `minVersion` or later. Probe/verify: DR:version,
   * done when it does. Apply changes nothing: it fails (exit 1) with `remedy`, the operator's next step. */
  'file.checkVersion': { path: string; minVersion: string; remedy: string };
  /** Read-only assertion: registry key `target` (HKLM\, HKCU\ or HKU\…) exists. Probe/verify: DR:exists, done when
   * it does. Apply changes nothing: it fails (exit 1) with `remedy`. */
  'registry.checkKey': { remedy: string };
}

/** update.exe-style hotfix packages say "installed, restart to finish" with 3010, as msiexec does. */
export function hotfixExit(exitCode: number): ExitClass {
  if (exitCode === 3010) return 'restartPending';
  return exitCode === 0 ? 'ok' : 'permanent';
}

/** `$have`: the version of `$file` ('' when absent); `$atLeast`: `$have` is `$want` or later. */
const VERSION = lines(
  "$have = ''",
  'if (FileExists $file) {',
  '  $vi = FileVersion $file',
  "  $have = [string]$vi.FileMajorPart + '.' + [string]$vi.FileMinorPart + '.' + [string]$vi.FileBuildPart + '.' + [string]$vi.FilePrivatePart",
  '}',
  "DR 'version' $have",
  "$atLeast = ($have -ne '') -and (([Version]$have).CompareTo([Version]$want) -ge 0)",
);

const hotfixInstall: FamilyBuilder = (params) => {
  const p = readParams('hotfix.install', params);
  const vars = declare({
    path: p.str('path', { nonEmpty: true }),
    arguments: p.strs('args'),
    file: p.str('file', { nonEmpty: true }),
    want: p.str('version', { nonEmpty: true }),
  });
  const check = lines(vars, VERSION, reportState('$atLeast'));
  return {
    probe: check,
    apply: lines(
      vars,
      "if (-not (FileExists $path)) { throw ('the hotfix package ' + $path + ' does not exist; upload it first') }",
      "$line = ''",
      "foreach ($a in $arguments) { $line = ($line + ' ' + (QArg $a)).TrimStart() }",
      'RunProcess $path $line (ParentDir $path) $true',
      '$rc = $script:ProcRc',
    ),
    verify: check,
  };
};

const fileCheckVersion: FamilyBuilder = (params) => {
  const p = readParams('file.checkVersion', params);
  const vars = declare({
    file: p.str('path', { nonEmpty: true }),
    want: p.str('minVersion', { nonEmpty: true }),
    remedy: p.str('remedy', { nonEmpty: true }),
  });
  const check = lines(vars, VERSION, reportState('$atLeast'));
  return {
    probe: check,
    apply: lines(
      vars,
      VERSION,
      "if ($have -eq '') { $seen = 'missing' } else { $seen = 'at ' + $have }",
      "if (-not $atLeast) { [Console]::Error.WriteLine($file + ' is ' + $seen + ', not ' + $want + ' or later: ' + $remedy); $rc = 1 } else { $rc = 0 }",
    ),
    verify: check,
  };
};

const registryCheckKey: FamilyBuilder = (params, target) => {
  requireTarget('registry.checkKey', target);
  const vars = declare({ remedy: readParams('registry.checkKey', params).str('remedy', { nonEmpty: true }) });
  const read = lines('$exists = Test-Path -LiteralPath (RegPath $target)', "DR 'exists' (Bool $exists)");
  const check = lines(vars, read, reportState('$exists'));
  return {
    probe: check,
    apply: lines(
      vars,
      read,
      "if (-not $exists) { [Console]::Error.WriteLine('registry key ' + $target + ' does not exist: ' + $remedy); $rc = 1 } else { $rc = 0 }",
    ),
    verify: check,
  };
};

export const hotfixModules = [
  defineAction({
    name: 'hotfix.install',
    script: hotfixInstall,
    lab: hotfixInstallLab,
    applyMs: 45_000,
    exit: hotfixExit,
    verify: 'endState',
  }),
  defineAction({
    name: 'file.checkVersion',
    script: fileCheckVersion,
    lab: fileCheckVersionLab,
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.checkKey',
    script: registryCheckKey,
    lab: registryCheckKeyLab,
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
