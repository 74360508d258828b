/** IIS and Windows services, one at a time. */
import { defineAction, labSpec } from '../action.js';
import { iisReset } from '../scripts/iis.js';
import { serviceRestart, serviceStart, serviceStop } from '../scripts/service.js';
import { serviceActions } from '../../lab/model/actions/services.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ServiceParams {
  /** iisreset /restart. Probe is always pending (a restart is an event, not a state); verify: W3SVC Running. */
  'iis.reset': Record<string, never>;
  /** Restart-Service `target` and wait up to `timeoutSeconds` for Running. Probe always pending; verify Running. */
  'service.restart': { timeoutSeconds: number };
  /** Stop-Service -Force `target` (its dependent services stop with it) and wait up to `timeoutSeconds` for
   * Stopped. Done when Stopped. Probe/verify print DR:status and DR:dependents (comma-separated, running ones). */
  'service.stop': { timeoutSeconds: number };
  /** Start-Service `target` (a Paused service is resumed) and wait up to `timeoutSeconds` for Running. Done when Running. */
  'service.start': { timeoutSeconds: number };
}

export const serviceModules = [
  defineAction({
    name: 'iis.reset',
    script: iisReset,
    lab: labSpec(serviceActions, 'iis.reset'),
    applyMs: 10_000,
  }),
  defineAction({
    name: 'service.restart',
    script: serviceRestart,
    lab: labSpec(serviceActions, 'service.restart'),
    applyMs: 15_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'service.stop',
    script: serviceStop,
    lab: labSpec(serviceActions, 'service.stop'),
    applyMs: 8_000,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'service.start',
    script: serviceStart,
    lab: labSpec(serviceActions, 'service.start'),
    applyMs: 8_000,
    verify: 'endState',
    applyReadsFirst: true,
  }),
] as const;
