/** installUtil: performance counters and event sources an assembly registers. */
import { defineAction, labSpec } from '../action.js';
import { installUtilInstall, installUtilUninstall } from '../scripts/installutil.js';
import { oofAgentActions } from '../../lab/model/actions/oof-agent.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface InstallUtilParams {
  /** `installUtil` (environment variables expanded) /u `assembly`, logging to `log`: removes the performance
   * counter category and event source its installers registered. Done when `counterKey` has no Performance
   * subkey. .NET removes the category key itself only when it holds no values of its own (otherwise Linkage
   * and Performance go), so the key may remain: removing it is the registry step's. Exit code passes through.
   * Probe prints DR:exists (the key), DR:performance. */
  'installutil.uninstall': { installUtil: string; assembly: string; counterKey: string; log: string };
  /** `installUtil` `assembly` (install: counters and event source), logging to `log`, run in the assembly's
   * folder. Done when `counterKey`\Performance exists. Refused (before running) when `assembly` is missing. */
  'installutil.install': { installUtil: string; assembly: string; counterKey: string; log: string };
}

export const installutilModules = [
  defineAction({
    name: 'installutil.uninstall',
    script: installUtilUninstall,
    lab: labSpec(oofAgentActions, 'installutil.uninstall'),
    applyMs: 3_000,
  }),
  defineAction({
    name: 'installutil.install',
    script: installUtilInstall,
    lab: labSpec(oofAgentActions, 'installutil.install'),
    applyMs: 3_000,
    verify: 'endState',
  }),
] as const;
