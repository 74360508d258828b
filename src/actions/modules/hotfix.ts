/** Hotfix packages and the read-only assertions a runbook makes before it starts. */
import { defineAction, labSpec } from '../action.js';
import type { ExitClass } from '../exit-class.js';
import { fileCheckVersion, hotfixInstall, registryCheckKey } from '../scripts/hotfix.js';
import { hotfixActions } from '../../lab/model/actions/hotfix.js';

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

export const hotfixModules = [
  defineAction({
    name: 'hotfix.install',
    script: hotfixInstall,
    lab: labSpec(hotfixActions, 'hotfix.install'),
    applyMs: 45_000,
    exit: hotfixExit,
    verify: 'endState',
  }),
  defineAction({
    name: 'file.checkVersion',
    script: fileCheckVersion,
    lab: labSpec(hotfixActions, 'file.checkVersion'),
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.checkKey',
    script: registryCheckKey,
    lab: labSpec(hotfixActions, 'registry.checkKey'),
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
