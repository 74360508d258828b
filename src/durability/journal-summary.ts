/**
 * Folds a journal into "where does this run stand": per step, the open obligations, the gates,
 * the decisions. Pure: resume, `status` and the report all read the journal through this.
 */
import {
  isDoneOutcome,
  type DecisionEntry,
  type EntryOf,
  type JournalEntry,
  type JsonValue,
  type StepOutcome,
} from './journal-types.js';

/** Where one step on one host stands. */
export interface StepState {
  stepId: string;
  host: string;
  /**
   * `inFlight`: an intent with no result after it (the side effect may or may not have
   * happened: probe before re-running). `done`: the latest result is ok/alreadyDone/
   * restartPending/skipped. `failed`: the latest result is `failed`. `pending`: only probed.
   */
  state: 'done' | 'inFlight' | 'failed' | 'pending';
  /** The attempt number of the latest intent (or result, if it has no intent). */
  attempt: number;
  /** How many intents were written for it. */
  attempts: number;
  /** The latest result's outcome, if any. */
  outcome?: StepOutcome;
  exitCode?: number;
  message?: string;
  /** The latest probe, if any. */
  probe?: { done: boolean; evidence?: Record<string, string>; seq: number };
  /** Seq of the latest intent or result. */
  seq: number;
}

/** Where one operator gate stands. */
export interface GateState {
  gateId: string;
  /**
   * `waiting`: shown to the operator, not confirmed. `confirmed`: confirmed, not yet verified.
   * `verified`: confirmed and the verification passed. `rejected`: the verification found
   * something missing; the gate waits for the operator again.
   */
  state: 'waiting' | 'confirmed' | 'verified' | 'rejected';
  confirmedBy?: string;
  how?: string;
  missing: string[];
}

export interface OpenObligation {
  id: string;
  description: string;
  host?: string;
  /** Seq of the entry that raised it. */
  seq: number;
}

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

/** The key of a step in {@link JournalSummary.steps}: step ids repeat across hosts. */
export function stepKey(stepId: string, host: string): string {
  return `${stepId}@${host}`;
}

function stepFor(steps: Record<string, StepState>, stepId: string, host: string, seq: number): StepState {
  const key = stepKey(stepId, host);
  steps[key] ??= { stepId, host, state: 'pending', attempt: 0, attempts: 0, seq };
  return steps[key];
}

function gateFor(gates: Record<string, GateState>, gateId: string): GateState {
  gates[gateId] ??= { gateId, state: 'waiting', missing: [] };
  return gates[gateId];
}

/**
 * Folds entries (in seq order) into a {@link JournalSummary}. A step's state follows its latest
 * intent or result, so a step re-attempted after a result counts as in flight again.
 */
export function summarizeJournal(entries: readonly JournalEntry[]): JournalSummary {
  const summary: JournalSummary = {
    status: entries.length === 0 ? 'empty' : 'running',
    ended: false,
    steps: {},
    inFlight: [],
    failed: [],
    openObligations: [],
    dischargedObligations: [],
    gates: {},
    waitingGates: [],
    confirmedGates: [],
    decisions: [],
    facts: {},
    backups: [],
    lastSeq: entries.at(-1)?.seq ?? 0,
  };
  const open = new Map<string, OpenObligation>();

  for (const entry of entries) {
    switch (entry.type) {
      case 'run.start':
        summary.run = entry;
        break;
      case 'step.intent': {
        const step = stepFor(summary.steps, entry.stepId, entry.host, entry.seq);
        Object.assign(step, {
          state: 'inFlight',
          attempt: entry.attempt,
          attempts: step.attempts + 1,
          seq: entry.seq,
        });
        delete step.outcome;
        delete step.exitCode;
        delete step.message;
        break;
      }
      case 'step.result': {
        const step = stepFor(summary.steps, entry.stepId, entry.host, entry.seq);
        step.state = isDoneOutcome(entry.outcome)
          ? 'done'
          : entry.outcome === 'notRun'
            ? 'pending'
            : 'failed';
        step.attempt = entry.attempt;
        step.outcome = entry.outcome;
        step.seq = entry.seq;
        if (entry.exitCode === undefined) delete step.exitCode;
        else step.exitCode = entry.exitCode;
        if (entry.message === undefined) delete step.message;
        else step.message = entry.message;
        break;
      }
      case 'step.probe': {
        const step = stepFor(summary.steps, entry.stepId, entry.host, entry.seq);
        step.probe = {
          done: entry.done,
          seq: entry.seq,
          ...(entry.evidence === undefined ? {} : { evidence: entry.evidence }),
        };
        break;
      }
      case 'gate.waiting':
        gateFor(summary.gates, entry.gateId);
        break;
      case 'gate.confirmed':
        Object.assign(gateFor(summary.gates, entry.gateId), {
          state: 'confirmed',
          confirmedBy: entry.by,
          how: entry.how,
        });
        break;
      case 'gate.verified':
        Object.assign(gateFor(summary.gates, entry.gateId), {
          state: entry.ok ? 'verified' : 'rejected',
          missing: [...entry.missing],
        });
        break;
      case 'decision':
        summary.decisions.push(entry);
        break;
      case 'obligation.raised':
        open.delete(entry.id);
        open.set(entry.id, {
          id: entry.id,
          description: entry.description,
          seq: entry.seq,
          ...(entry.host === undefined ? {} : { host: entry.host }),
        });
        break;
      case 'obligation.discharged':
        open.delete(entry.id);
        summary.dischargedObligations.push({ id: entry.id, how: entry.how });
        break;
      case 'fact':
        summary.facts[entry.name] = { value: entry.value, evidence: entry.evidence, source: entry.source };
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
  summary.openObligations = [...open.values()];
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
