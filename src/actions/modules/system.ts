/**
 * Customisation backups, scheduled tasks and programs.
 *
 * `program.run`: a tool the runbook runs once, through RunProcess with the arguments quoted by
 * QArg, its output kept. (InstallUtil has its own actions: installutil.ts.)
 *
 * `task.ensure`: a scheduled task named `$target` exists and runs `$command` (schtasks /query,
 * which Windows Server 2003 has; /query /TN does not exist there, so the CSV list is searched),
 * or is created with /SC MINUTE /MO `minutes` /RU `runAs`. Only accounts that need no password
 * (SYSTEM) can be used: schtasks would prompt for one, which fails under -NonInteractive.
 *
 * A task that runs another program (the x86 build a reinstall removed) is deleted first: Task
 * Scheduler 1.0 (Server 2003) has no /create /F to replace it, but has /delete /F. Its command is
 * the verbose list's "Task To Run" column, found by its English header; where the headers are
 * not English the command reads as unknown, so the task is recreated (harmless, and said so).
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { programRunLab, taskEnsureLab } from '../../lab/model/actions/system.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface SystemParams {
  /** Scheduled task `target` exists and runs `command` (schtasks /query /v: its "Task To Run", compared without
   * quotes, ignoring case; a task list whose columns are not in English reads as not matching). Apply deletes
   * a task of that name that runs anything else (`schtasks /delete /f`: Server 2003's /create has no /f), then
   * creates it with `command` every `minutes`. Probe prints DR:exists, DR:command. */
  'task.ensure': { command: string; minutes: number; runAs: string };
  /** Run program `path` with `args` in `workingDir`; exit 0 is success. Probe always pending. */
  'program.run': { path: string; args: string[]; workingDir: string };
}

/** Runs `path` with `args` in `workingDir`; exit 0 is success. Probe always pending (a run is an event). */
const programRun: FamilyBuilder = (params) => {
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

const taskEnsure: FamilyBuilder = (params, target) => {
  requireTarget('task.ensure', target);
  const p = readParams('task.ensure', params);
  const vars = declare({
    command: p.str('command', { nonEmpty: true }),
    minutes: p.int('minutes', 1, 1439),
    runAs: p.str('runAs', { nonEmpty: true }),
  });
  const read = lines(
    '$exists = TaskExists $target',
    "$taskRun = ''",
    'if ($exists) {',
    "  RunProcess 'schtasks.exe' '/query /fo csv /v' '' $false",
    "  if ($script:ProcRc -ne 0) { throw ('schtasks /query /v failed with exit code ' + $script:ProcRc) }",
    "  $csv = @($script:ProcOut | Where-Object { $_.Trim() -ne '' })",
    '  if ($csv.Count -gt 1) {',
    '    foreach ($r in @($csv | ConvertFrom-Csv)) {',
    "      if ($taskRun -eq '' -and ([string]$r.TaskName).TrimStart('\\') -eq $target) { $taskRun = [string]$r.'Task To Run' }",
    '    }',
    '  }',
    '}',
    "$same = $exists -and ($taskRun.Trim().Trim('\"').Trim() -eq $command)",
    "DR 'exists' (Bool $exists)",
    "DR 'command' $taskRun",
  );
  const check = lines(vars, read, reportState('$same'));
  const apply = lines(
    vars,
    "if ($command.IndexOf('\"') -ge 0) { throw ('the task command cannot contain a double quote: ' + $command) }",
    // A command that names an existing file is quoted inside /TR so spaces in its path survive.
    '$run = $command',
    "if (FileExists $command) { $run = '\\\"' + $command + '\\\"' }",
    read,
    '$rc = 0',
    'if ($exists -and -not $same) {',
    "  Write-Output ('scheduled task ' + $target + ' runs ' + $taskRun + ', not ' + $command + '; recreating it')",
    "  RunProcess 'schtasks.exe' ('/delete /tn ' + (QArg $target) + ' /f') '' $true",
    '  $rc = $script:ProcRc',
    '}',
    'if ($rc -eq 0 -and -not $same) {',
    "  RunProcess 'schtasks.exe' ('/create /tn ' + (QArg $target) + ' /sc MINUTE /mo ' + $minutes + ' /ru ' + (QArg $runAs) + ' /tr \"' + $run + '\"') '' $true",
    '  $rc = $script:ProcRc',
    '}',
  );
  return { probe: check, apply, verify: check };
};

export const systemModules = [
  defineAction({
    name: 'task.ensure',
    script: taskEnsure,
    lab: taskEnsureLab,
    applyMs: 1_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'program.run',
    script: programRun,
    lab: programRunLab,
    applyMs: 30_000,
  }),
] as const;
