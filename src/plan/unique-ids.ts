/**
 * Step ids are the journal's keys: a step whose id another step also has would be found "done"
 * by the other's result and never run. Runbooks build ids that are distinct by construction
 * (`distinctSlugs` in runbooks/common/steps.ts); this check holds every plan to it, so a
 * collision is refused (exit 2) when the plan is built, before anything runs.
 */
import { DeployError } from '../errors.js';
import type { PlanStep, Stage } from './types.js';

function source(step: PlanStep): string {
  return `${step.action} ${step.target} on ${step.host} ("${step.description}")`;
}

/** Throws `STEP_ID_COLLISION` (badInput, exit 2) naming both steps of every id used twice. */
export function requireUniqueStepIds(stages: readonly Stage[]): void {
  const seen = new Map<string, PlanStep>();
  const problems: string[] = [];
  for (const stage of stages) {
    for (const lane of stage.lanes) {
      for (const step of lane.steps) {
        const first = seen.get(step.id);
        if (first) problems.push(`step id ${step.id} is both ${source(first)} and ${source(step)}`);
        else seen.set(step.id, step);
      }
    }
  }
  if (problems.length === 0) return;
  throw new DeployError(
    'badInput',
    `${problems.length} step id(s) of the plan are not unique, so the journal could not tell the steps apart`,
    {
      code: 'STEP_ID_COLLISION',
      problems,
      hint: 'two inventory values name one thing (a service or database listed twice): remove the duplicate from the inventory',
    },
  );
}
