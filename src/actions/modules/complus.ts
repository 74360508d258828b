/** COM+ applications (the Provisioning Engine). */
import { defineAction, labSpec } from '../action.js';
import { complusDisable, complusEnable, complusShutdown, complusStart } from '../scripts/complus.js';
import { complusActions } from '../../lab/model/actions/complus.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ComplusParams {
  /** COM+ application `target` (e.g. Provisioning Engine). disable: IsEnabled=false + SaveChanges.
   * shutdown: ShutdownApplication, wait until no instances. enable: IsEnabled=true. start: StartApplication
   * (fails, exit 1, while disabled). Probe/verify print DR:enabled, DR:running. */
  'complus.disable': Record<string, never>;
  'complus.shutdown': Record<string, never>;
  'complus.enable': Record<string, never>;
  'complus.start': Record<string, never>;
}

export const complusModules = [
  defineAction({
    name: 'complus.disable',
    script: complusDisable,
    lab: labSpec(complusActions, 'complus.disable'),
    applyMs: 3_000,
  }),
  defineAction({
    name: 'complus.shutdown',
    script: complusShutdown,
    lab: labSpec(complusActions, 'complus.shutdown'),
    applyMs: 3_000,
  }),
  defineAction({
    name: 'complus.enable',
    script: complusEnable,
    lab: labSpec(complusActions, 'complus.enable'),
    applyMs: 3_000,
    verify: 'endState',
  }),
  defineAction({
    name: 'complus.start',
    script: complusStart,
    lab: labSpec(complusActions, 'complus.start'),
    applyMs: 3_000,
    verify: 'endState',
  }),
] as const;
