/**
 * Which steps may be sent as one `run` command: the host probes, and only if the step is not
 * done applies and verifies, in one script (see `buildScript`), so a step costs one round trip
 * instead of three. The form is chosen in `step-forms.ts`; its attempts are judged in
 * `step-path.ts`, as every form's are.
 */
import { GATE_ACTIONS, UPLOAD_ACTIONS } from '../actions/catalog.js';
import type { PlanStep } from '../plan/types.js';

/**
 * Whether a step may run as one command. Not when the engine itself must act between the probe
 * and the apply:
 * - `supersededBy`: a pending probe is settled by probing other steps first;
 * - `verifyOn`: it is probed and verified on other hosts than the one it applies on;
 * - an upload (`uploads` in its module): the engine transfers the file (SFTP) between probe and apply;
 * - gate actions: the operator does the work, there is no apply script;
 * - an obligation to raise: the duty is journalled once the probe finds work, before the apply
 *   (an obligation already open needs nothing, so such a step may combine).
 * Follow-up steps (`neededAfter`) are decided by the engine before either way is chosen.
 */
export function combinable(step: PlanStep, isObligationOpen: (id: string) => boolean): boolean {
  if (step.supersededBy && step.supersededBy.length > 0) return false;
  if (step.verifyOn && step.verifyOn.length > 0) return false;
  if (UPLOAD_ACTIONS.has(step.action) || GATE_ACTIONS.has(step.action)) return false;
  return (step.raises ?? []).every((obligation) => isObligationOpen(obligation.id));
}
