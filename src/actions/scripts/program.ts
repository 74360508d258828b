/**
 * `program.run`: a tool the runbook runs once, through RunProcess with the arguments quoted by
 * QArg, its output kept. (InstallUtil has its own actions: installutil.ts.)
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
  const exists = "DR 'exists' (Bool (FileExists $path))";
  return {
    probe: lines(vars, exists, reportState('$false')),
    apply: lines(
      vars,
      "if (-not (FileExists $path)) { throw ('the program ' + $path + ' does not exist') }",
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
