/** The stages earlier invocations of a run worked on, for the live view of a resume. */
import { isDoneOutcome, type JournalEntry } from '../durability/journal-types.js';

/**
 * Stage ids (a step id's first segment) with a step finished in the journal: after a resume they
 * show as done until the run enters them again, instead of as pending.
 */
export function stagesDoneEarlier(entries: readonly JournalEntry[]): string[] {
  const stages = new Set<string>();
  for (const entry of entries)
    if (entry.type === 'step.result' && isDoneOutcome(entry.outcome))
      stages.add(entry.stepId.split('/')[0] ?? '');
  stages.delete('');
  return [...stages];
}
