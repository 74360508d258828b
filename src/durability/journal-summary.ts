/**
 * Folds a journal into "where does this run stand": per step, the open obligations, the gates,
 * the decisions. Pure: resume, `status` and the report all read the journal through this, and
 * it reads steps, gates, obligations and facts through the fold the engine's ledger keeps
 * (journal-fold.ts).
 */
import { foldJournal, type GateState, type OpenObligation, type StepState } from './journal-fold.js';
import type { DecisionEntry, EntryOf, JournalEntry, JsonValue } from './journal-types.js';

export { stepKey, type GateState, type OpenObligation, type StepState } from './journal-fold.js';

/** The folded state of a journal. */
export interface JournalSummary {
  run?: EntryOf<'run.start'>;
  /**
   * `finished`/`abandoned` once such an entry exists; `halted` when the last entry is a halt
   * (anything after it means the run was resumed); otherwise `running` (or `empty`).
   */
  status: 'empty' | 'running' | 'halted' | 'finished' | 'abandoned';
  /** Finished or abandoned: nothing left to resume. */
  ended: boolean;
  halted?: EntryOf<'run.halted'>;
  finished?: EntryOf<'run.finished'>;
  abandoned?: EntryOf<'run.abandoned'>;
  /** The operator controls of each invocation that gave any (`--limit`, `--window`, …), in order. */
  controls?: EntryOf<'run.controls'>[];
  /** Keyed by {@link stepKey}. */
  steps: Record<string, StepState>;
  /** Keys of steps whose intent has no result: probe these before anything else on resume. */
  inFlight: string[];
  /** Keys of steps whose latest result is `failed`. */
  failed: string[];
  /** Raised and not discharged, in the order raised. */
  openObligations: OpenObligation[];
  dischargedObligations: { id: string; how: string }[];
  gates: Record<string, GateState>;
  /** Gates in `waiting` or `rejected` state. */
  waitingGates: string[];
  /** Gates in `confirmed` or `verified` state. */
  confirmedGates: string[];
  decisions: DecisionEntry[];
  /** The latest value of each fact. */
  facts: Record<string, { value: JsonValue; evidence: string; source: string }>;
  backups: EntryOf<'backup'>[];
  lastSeq: number;
}

/**
 * Folds entries (in seq order) into a {@link JournalSummary}: the steps, gates, obligations and
 * facts as {@link foldEntry} (the engine's own fold) reads them, plus the run's milestones.
 */
export function summarizeJournal(entries: readonly JournalEntry[]): JournalSummary {
  const fold = foldJournal(entries);
  const summary: JournalSummary = {
    status: entries.length === 0 ? 'empty' : 'running',
    ended: false,
    steps: fold.steps,
    inFlight: [],
    failed: [],
    openObligations: [...fold.open.values()].sort((a, b) => a.raised - b.raised).map((o) => o.obligation),
    dischargedObligations: fold.dischargedObligations,
    gates: fold.gates,
    waitingGates: [],
    confirmedGates: [],
    decisions: [],
    facts: fold.facts,
    backups: [],
    lastSeq: entries.at(-1)?.seq ?? 0,
  };

  for (const entry of entries) {
    switch (entry.type) {
      case 'run.start':
        summary.run = entry;
        break;
      case 'decision':
        summary.decisions.push(entry);
        break;
      case 'backup':
        summary.backups.push(entry);
        break;
      case 'run.halted':
        summary.halted = entry;
        break;
      case 'run.finished':
        summary.finished = entry;
        summary.status = 'finished';
        summary.ended = true;
        break;
      case 'run.controls':
        (summary.controls ??= []).push(entry);
        break;
      case 'run.abandoned':
        summary.abandoned = entry;
        summary.status = 'abandoned';
        summary.ended = true;
        break;
    }
  }

  if (!summary.ended && entries.at(-1)?.type === 'run.halted') summary.status = 'halted';
  for (const [key, step] of Object.entries(summary.steps)) {
    if (step.state === 'inFlight') summary.inFlight.push(key);
    if (step.state === 'failed') summary.failed.push(key);
  }
  for (const gate of Object.values(summary.gates)) {
    if (gate.state === 'waiting' || gate.state === 'rejected') summary.waitingGates.push(gate.gateId);
    else summary.confirmedGates.push(gate.gateId);
  }
  return summary;
}
