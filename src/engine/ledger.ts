/**
 * The engine's view of a run, rebuilt from the journal on start and kept current as entries
 * are appended: which steps are done, values steps noted, open obligations, gate states.
 * Every append is durable before `record` resolves (a step's result: written, see `flush`).
 */
import { isDoneOutcome, type JournalInput } from '../durability/journal-types.js';
import type { OpenObligation as JournalObligation } from '../durability/journal-summary.js';
import type { JournalWriter } from './journal-port.js';

type Entry = JournalInput;

/** An obligation still open, as the engine needs it (the journal's summary has the rest). */
export type OpenObligation = Pick<JournalObligation, 'id' | 'description'>;

/** The engine's working view of a gate (the journal summary's `GateState` is the operator's). */
interface GateProgress {
  confirmed?: { by: string; how: string };
  verified?: boolean;
  /** Confirmed at some point of this run, even if a failed verification withdrew it since. */
  everConfirmed?: boolean;
}

export class Ledger {
  private readonly done = new Map<string, string>();
  private readonly intents = new Map<string, number>();
  private readonly unanswered = new Set<string>();
  readonly captures: Record<string, Record<string, string>> = {};
  private readonly obligations = new Map<string, OpenObligation>();
  private readonly gates = new Map<string, GateProgress>();

  constructor(private readonly journal: JournalWriter) {
    for (const entry of journal.readAll()) this.apply(entry);
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
    for (const e of batch) this.apply(e);
  }

  private apply(entry: Entry): void {
    const stepId = 'stepId' in entry ? entry.stepId : '';
    switch (entry.type) {
      case 'step.intent':
        this.intents.set(stepId, Number(entry.attempt ?? 1));
        this.unanswered.add(stepId);
        break;
      case 'step.result':
        // A failed attempt that may have run on the host (dropped, timed out) stays uncertain.
        if (entry.uncertain !== true) this.unanswered.delete(stepId);
        if (isDoneOutcome(entry.outcome)) this.done.set(stepId, entry.outcome);
        break;
      case 'step.probe':
        if (entry.evidence && typeof entry.evidence === 'object') this.captures[stepId] = entry.evidence;
        break;
      case 'obligation.raised':
        this.obligations.set(String(entry.id), {
          id: String(entry.id),
          description: String(entry.description),
        });
        break;
      case 'obligation.discharged':
        this.obligations.delete(String(entry.id));
        break;
      case 'gate.confirmed':
        this.gateState(String(entry.gateId)).confirmed = { by: String(entry.by), how: String(entry.how) };
        this.gateState(String(entry.gateId)).everConfirmed = true;
        break;
      case 'gate.verified': {
        const gate = this.gateState(String(entry.gateId));
        gate.verified = entry.ok === true;
        // A failed verification needs a fresh confirmation once the operator has fixed it.
        if (!gate.verified) delete gate.confirmed;
        break;
      }
    }
  }

  private gateState(id: string): GateProgress {
    let gate = this.gates.get(id);
    if (!gate) {
      gate = {};
      this.gates.set(id, gate);
    }
    return gate;
  }

  isDone(stepId: string): boolean {
    return this.done.has(stepId);
  }

  /** Whether the step changed something in this run (applied, not found already done or skipped). */
  changed(stepId: string): boolean {
    const outcome = this.done.get(stepId);
    return outcome === 'ok' || outcome === 'restartPending';
  }

  attempts(stepId: string): number {
    return this.intents.get(stepId) ?? 0;
  }

  /**
   * Whether the step's last attempt may have applied without the journal saying so: an intent
   * with no result (the run stopped, or crashed, while its command was out) or a failed attempt
   * whose command was lost (`uncertain`). Finding it done is then this run's work.
   */
  inFlight(stepId: string): boolean {
    return this.unanswered.has(stepId);
  }

  isObligationOpen(id: string): boolean {
    return this.obligations.has(id);
  }

  openObligations(): OpenObligation[] {
    return [...this.obligations.values()];
  }

  gateConfirmed(id: string): { by: string; how: string } | undefined {
    return this.gates.get(id)?.confirmed;
  }

  /** Whether the operator was asked to work at this gate in this run (so its items changed). */
  gateEverConfirmed(id: string): boolean {
    return this.gates.get(id)?.everConfirmed === true;
  }

  gateVerified(id: string): boolean {
    return this.gates.get(id)?.verified === true;
  }
}
