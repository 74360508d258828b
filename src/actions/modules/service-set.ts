/** Sets of services: the ones a DLL holds, stopped and started together. */
import { defineAction, labSpec } from '../action.js';
import { serviceListRunning, serviceStartList, serviceStopList } from '../scripts/service-set.js';
import { serviceSetActions } from '../../lab/model/actions/service-set.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ServiceSetParams {
  /** The running services whose process has loaded DLL `module` (empty: none), plus the running services named
   * in `services`, plus (transitively) their running dependents: everything that stops when they stop. Replaces
   * `tlist -m <module>` (a Support Tools program that may be absent) with PowerShell 2.0: Win32_Service
   * ProcessId → Get-Process .Modules. Probe/verify print DR:loaders (the services holding `module`) and
   * DR:services (the whole set, comma-separated, in start order: a service after those it depends on), and are
   * always done: the step notes the set (its probe is journalled, so `{{capture:STEP:services}}` is exactly
   * what was running before the run touched anything). Apply does nothing. */
  'service.listRunning': { module: string; services: string[] };
  /** Stop every service of the comma-separated `services` (start order; stopped in reverse, Stop-Service -Force,
   * each waited for up to `timeoutSeconds`). Done when none of them is running (probe/verify print DR:running,
   * those not Stopped). An empty list is done. A listed service that is not installed is an error. */
  'service.stopList': { services: string; timeoutSeconds: number };
  /** Start every service of the comma-separated `services` in the given order (Paused ones are resumed), each
   * waited for up to `timeoutSeconds`. Done when all are Running (probe/verify print DR:notRunning). */
  'service.startList': { services: string; timeoutSeconds: number };
}

export const serviceSetModules = [
  defineAction({
    name: 'service.listRunning',
    script: serviceListRunning,
    lab: labSpec(serviceSetActions, 'service.listRunning'),
    applyMs: 300,
  }),
  defineAction({
    name: 'service.stopList',
    script: serviceStopList,
    lab: labSpec(serviceSetActions, 'service.stopList'),
    /** Exchange 2000's information store can take minutes to stop and start. */
    applyMs: 60_000,
  }),
  defineAction({
    name: 'service.startList',
    script: serviceStartList,
    lab: labSpec(serviceSetActions, 'service.startList'),
    /** Exchange 2000's information store can take minutes to stop and start. */
    applyMs: 60_000,
  }),
] as const;
