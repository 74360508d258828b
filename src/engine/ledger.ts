/**
 * The engine's view of a run, rebuilt from the journal on start and kept current as entries
 * are appended: which steps are done, values steps noted, open obligations, gate states.
 * Every append is durable before `record` resolves (a step's result: written, see `flush`).
 */
import {
  emptyFold,
  foldEntry,
  type OpenObligation as JournalObligation,
} from '../durability/journal-fold.js';
import type { JournalInput } from '../durability/journal-types.js';
import type { JournalWriter } from './journal-port.js';

type Entry = JournalInput;

/** An obligation still open, as the engine needs it (the journal's summary has the rest). */
export type OpenObligation = Pick<JournalObligation, 'id' | 'description'>;

/**
 * The engine's view is the journal's one fold (`foldEntry`, the fold `summarizeJournal` uses for
 * `status` and the report), kept current entry by entry.
 */
export class Ledger {
  private readonly fold = emptyFold();
  /** The latest probe evidence of each step (what `{{capture:STEP:key}}` reads). */
  readonly captures = this.fold.captures;

  constructor(private readonly journal: JournalWriter) {
    for (const entry of journal.readAll()) foldEntry(this.fold, entry, entry.seq);
  }

  /** Entries waiting to go with the next write (see {@link defer}). */
  private deferred: Entry[] = [];

  /** Appends `entry` (and anything deferred before it) as one durable group, then applies it. */
  async record(entry: Entry): Promise<void> {
    this.deferred.push(entry);
    await this.flush();
  }

  /**
   * Holds `entry` back to be written in one group with the next {@link record} (or
   * {@link flush}): for an entry that nothing needs on disk before the next one, such as a
   * combined step's probe evidence, which is journalled together with its result. Until then
   * the engine's view does not show it either, so the view never runs ahead of the disk.
   */
  defer(entry: Entry): void {
    this.deferred.push(entry);
  }

  /**
   * Writes whatever is deferred, as one group. `sync: false` (a step's result): written, and
   * fsynced with the next durable append, which comes before the next command is sent.
   */
  async flush(options: { sync?: boolean } = {}): Promise<void> {
    if (this.deferred.length === 0) return;
    const batch = this.deferred.splice(0);
    await this.journal.appendMany(batch, options);
    for (const e of batch) foldEntry(this.fold, e);
  }

  isDone(stepId: string): boolean {
    return this.fold.byStepId.get(stepId)?.doneOutcome !== undefined;
  }

  /** Whether the step changed something in this run (applied, not found already done or skipped). */
  changed(stepId: string): boolean {
    const outcome = this.fold.byStepId.get(stepId)?.doneOutcome;
    return outcome === 'ok' || outcome === 'restartPending';
  }

  attempts(stepId: string): number {
    return this.fold.byStepId.get(stepId)?.intentAttempt ?? 0;
  }

  /**
   * Whether the step's last attempt may have applied without the journal saying so: an intent
   * with no result (the run stopped, or crashed, while its command was out) or a failed attempt
   * whose command was lost (`uncertain`). Finding it done is then this run's work.
   */
  inFlight(stepId: string): boolean {
    return this.fold.byStepId.get(stepId)?.unanswered === true;
  }

  isObligationOpen(id: string): boolean {
    return this.fold.open.has(id);
  }

  /** Whether the obligation was raised in this run at all (open now, or discharged since). */
  obligationEverRaised(id: string): boolean {
    return this.fold.open.has(id) || this.fold.dischargedObligations.some((d) => d.id === id);
  }

  openObligations(): OpenObligation[] {
    return [...this.fold.open.values()].map(({ obligation }) => ({
      id: obligation.id,
      description: obligation.description,
    }));
  }

  gateConfirmed(id: string): { by: string; how: string } | undefined {
    return this.fold.gates[id]?.confirmation;
  }

  /** Whether the operator was asked to work at this gate in this run (so its items changed). */
  gateEverConfirmed(id: string): boolean {
    return this.fold.gates[id]?.everConfirmed === true;
  }

  gateVerified(id: string): boolean {
    return this.fold.gates[id]?.verifiedOk === true;
  }
}
