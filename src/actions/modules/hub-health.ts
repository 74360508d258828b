/** A hub's health, read-only: what the pause after the first hub of a rolling stage shows. */
import { defineAction, labSpec } from '../action.js';
import { hubHealth } from '../scripts/hub-health.js';
import { hubHealthActions } from '../../lab/model/actions/hub-health.js';

export interface HubHealthParams {
  /**
   * A hub's health, read-only (the pause after the first hub of a rolling stage): DR:transport (the
   * state of the `target` service) and DR:queue (messages in the hub's queues, from Get-Queue; empty
   * when the Exchange shell cannot tell). Always done; apply changes nothing.
   */
  'hub.health': Record<string, never>;
}

export const hubHealthModules = [
  defineAction({
    name: 'hub.health',
    script: hubHealth,
    lab: labSpec(hubHealthActions, 'hub.health'),
    applyMs: 500,
  }),
] as const;
