/**
 * A run is declared finished only when its plan is: every step of every stage the statechart
 * walks with the run's facts is done in the journal (applied, found done, or skipped with a
 * recorded reason) and no obligation is open. A statechart that reaches its final state while
 * the journal says otherwise (a checkpoint that skipped stages, a step left out) does not end
 * the run; the run halts saying what is missing.
 */
import type { Stage } from '../plan/types.js';
import type { Ledger } from './ledger.js';

/** How many missing items a message lists before it says "and N more". */
const LISTED = 8;

export interface Unfinished {
  /** Steps of the plan the journal does not show done: `stepId (action target)`. */
  steps: string[];
  /** Open obligations' descriptions. */
  obligations: string[];
}

/** What keeps the run from being finished; both lists empty when it is. */
export function whatIsUnfinished(stages: readonly Stage[], ledger: Ledger): Unfinished {
  const steps: string[] = [];
  for (const stage of stages)
    for (const lane of stage.lanes)
      for (const step of lane.steps)
        if (!ledger.isDone(step.id)) steps.push(`${step.id} (${step.action} ${step.target})`.trim());
  return { steps, obligations: ledger.openObligations().map((o) => `${o.id}: ${o.description}`) };
}

/** One line saying what is missing, e.g. for a halt's reason. */
export function describeUnfinished(unfinished: Unfinished): string {
  const parts: string[] = [];
  const list = (items: string[]): string =>
    items.slice(0, LISTED).join('; ') + (items.length > LISTED ? `; and ${items.length - LISTED} more` : '');
  if (unfinished.steps.length > 0)
    parts.push(`${unfinished.steps.length} step(s) not done: ${list(unfinished.steps)}`);
  if (unfinished.obligations.length > 0)
    parts.push(`${unfinished.obligations.length} obligation(s) open: ${list(unfinished.obligations)}`);
  return parts.join('; ');
}
