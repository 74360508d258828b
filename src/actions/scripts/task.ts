/**
 * `task.ensure`: a scheduled task named `$target` exists (schtasks /query, which Windows Server
 * 2003 has; /query /TN does not exist there, so the CSV list is searched), or is created with
 * /SC MINUTE /MO `minutes` /RU `runAs`. Only accounts that need no password (SYSTEM) can be
 * used: schtasks would prompt for one, which fails under -NonInteractive.
 */
import { declare, readParams, requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder } from './helpers.js';

export const taskEnsure: FamilyBuilder = (params, target) => {
  requireTarget('task.ensure', target);
  const p = readParams('task.ensure', params);
  const vars = declare({
    command: p.str('command', { nonEmpty: true }),
    minutes: p.int('minutes', 1, 1439),
    runAs: p.str('runAs', { nonEmpty: true }),
  });
  const check = lines(
    vars,
    '$exists = TaskExists $target',
    "DR 'exists' (Bool $exists)",
    reportState('$exists'),
  );
  const apply = lines(
    vars,
    "if ($command.IndexOf('\"') -ge 0) { throw ('the task command cannot contain a double quote: ' + $command) }",
    // A command that names an existing file is quoted inside /TR so spaces in its path survive.
    '$run = $command',
    "if ([IO.File]::Exists($command)) { $run = '\\\"' + $command + '\\\"' }",
    // Task Scheduler 1.0 (Server 2003) has no /F to replace a task, so an existing one is left alone.
    "if (TaskExists $target) { Write-Output ('scheduled task ' + $target + ' already exists') ; $rc = 0 } else {",
    "  RunProcess 'schtasks.exe' ('/create /tn ' + (QArg $target) + ' /sc MINUTE /mo ' + $minutes + ' /ru ' + (QArg $runAs) + ' /tr \"' + $run + '\"') '' $true",
    '  $rc = $script:ProcRc',
    '}',
  );
  return { probe: check, apply, verify: check };
};
