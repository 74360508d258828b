/**
 * Programs: `program.run` (a tool the runbook runs once) and `installutil.uninstall`
 * (InstallUtil /u removes an assembly's performance counters and event source). Both run
 * through Start-Process -Wait with the arguments quoted by QArg, and their output is kept.
 */
import { declare, readParams } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

/** Runs `path` with `args` in `workingDir`; exit 0 is success. Probe always pending (a run is an event). */
export const programRun: FamilyBuilder = (params) => {
  const p = readParams('program.run', params);
  const vars = declare({
    path: p.str('path', { nonEmpty: true }),
    arguments: p.strs('args'),
    workingDir: p.str('workingDir'),
  });
  const exists = "DR 'exists' (Bool ([IO.File]::Exists($path)))";
  return {
    probe: lines(vars, exists, reportState('$false')),
    apply: lines(
      vars,
      "if (-not [IO.File]::Exists($path)) { throw ('the program ' + $path + ' does not exist') }",
      "$line = ''",
      "foreach ($a in $arguments) { $line = ($line + ' ' + (QArg $a)).TrimStart() }",
      'RunProcess $path $line $workingDir $true',
      '$rc = $script:ProcRc',
    ),
    verify: lines(
      vars,
      exists,
      '# A run leaves no state to check: its exit code was the verdict.',
      reportState('$true'),
    ),
  };
};

/** InstallUtil /u; done when the counter registry key `counterKey` is gone. */
export const installUtilUninstall: FamilyBuilder = (params) => {
  const p = readParams('installutil.uninstall', params);
  const vars = declare({
    installUtil: p.str('installUtil', { nonEmpty: true }),
    assembly: p.str('assembly', { nonEmpty: true }),
    counterKey: p.str('counterKey', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    '$exists = Test-Path -LiteralPath (RegPath $counterKey)',
    "DR 'exists' (Bool $exists)",
    reportState('-not $exists'),
  );
  return {
    probe: check,
    apply: lines(
      vars,
      "if (-not [IO.File]::Exists($installUtil)) { throw ('InstallUtil.exe is not at ' + $installUtil + '; check the .NET Framework path') }",
      "if (-not [IO.File]::Exists($assembly)) { throw ('the assembly ' + $assembly + ' does not exist; was the product already removed?') }",
      "RunProcess $installUtil ('/u /LogToConsole=false ' + (QArg $assembly)) ([IO.Path]::GetDirectoryName($assembly)) $true",
      '$rc = $script:ProcRc',
    ),
    verify: check,
  };
};
