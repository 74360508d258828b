/** Customisation backups, scheduled tasks and programs. */
import { defineAction, labSpec } from '../action.js';
import { programRun } from '../scripts/program.js';
import { taskEnsure } from '../scripts/task.js';
import { systemActions } from '../../lab/model/actions/system.js';

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

export const systemModules = [
  defineAction({
    name: 'task.ensure',
    script: taskEnsure,
    lab: labSpec(systemActions, 'task.ensure'),
    applyMs: 1_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'program.run',
    script: programRun,
    lab: labSpec(systemActions, 'program.run'),
    applyMs: 30_000,
  }),
] as const;
