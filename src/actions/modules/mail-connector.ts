/** The MS Mail Connector's repointed registry value and the mail-flow check. */
import { defineAction, labSpec } from '../action.js';
import { mailflowCheck, registryRepointValue } from '../scripts/mail-connector.js';
import { mailConnectorActions } from '../../lab/model/actions/mail-connector.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface MailConnectorParams {
  /** In value `name` of registry key `target`, replace the folder prefix `from` by `to` in every `;`-separated
   * path, keeping the value's type ("verify and correct, if necessary"). Done when no part starts with `from`.
   * Apply refuses to point a part at a file that does not exist under `to`. Probe prints DR:data, DR:stale. */
  'registry.repointValue': { name: string; from: string; to: string };
  /** Mail flow both ways, confirmed by the operator at a gate (apply is refused: a person sends the test
   * messages). Done when the Application log holds, after record `since`, an event from `source` with id
   * `outboundEventId` (to MS Mail) and one with `inboundEventId` (to Exchange). Prints DR:outbound, DR:inbound. */
  'mailflow.check': { source: string; since: string; outboundEventId: number; inboundEventId: number };
}

export const mailConnectorModules = [
  defineAction({
    name: 'registry.repointValue',
    script: registryRepointValue,
    lab: labSpec(mailConnectorActions, 'registry.repointValue'),
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'mailflow.check',
    script: mailflowCheck,
    lab: labSpec(mailConnectorActions, 'mailflow.check'),
    applyMs: 200,
    gate: true,
  }),
] as const;
