/**
 * Pending reboots, as the journal records them: a step whose latest result is `restartPending`
 * (msiexec or a hotfix said 3010 / 1641: installed, a restart finishes it). Nothing else records
 * them; `status`, the report and the end-of-run summary read them with {@link pendingReboots}.
 */
import type { JournalEntry } from './journal-types.js';

export interface PendingReboot {
  host: string;
  stepId: string;
  /** When the step reported it. */
  at: string;
}

export function pendingReboots(entries: readonly JournalEntry[]): PendingReboot[] {
  const latest = new Map<string, JournalEntry & { type: 'step.result' }>();
  for (const entry of entries)
    if (entry.type === 'step.result') latest.set(`${entry.host}\u0000${entry.stepId}`, entry);
  return [...latest.values()]
    .filter((e) => e.outcome === 'restartPending')
    .map((e) => ({ host: e.host, stepId: e.stepId, at: e.at }));
}
