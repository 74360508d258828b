/**
 * The one fold of a journal: entry by entry, where each step, gate, obligation and fact stands.
 * The engine's ledger keeps one current as it appends (src/engine/ledger.ts); `summarizeJournal`
 * folds a whole journal with it for resume, `status` and the report; session reads the run's
 * facts from it. Each view reads the fields it needs; none folds the journal a second time.
 */
import { isDoneOutcome, type JournalInput, type JsonValue, type StepOutcome } from './journal-types.js';

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
  /**
   * The engine's reading. `doneOutcome`: the latest done outcome any result gave (a later
   * failed attempt does not undo it); `unanswered`: an intent with no result, or a failed attempt
   * whose command was lost (`uncertain`), so it may have applied; `intentAttempt`: the attempt
   * number of the latest intent (0: none).
   */
  doneOutcome?: StepOutcome;
  unanswered: boolean;
  intentAttempt: number;
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
  /**
   * The engine's reading. `confirmation`: the standing confirmation (a failed verification
   * withdraws it until the operator confirms again); `everConfirmed`: confirmed at some point of
   * this run; `verifiedOk`: the latest verification passed.
   */
  confirmation?: { by: string; how: string };
  everConfirmed: boolean;
  verifiedOk: boolean;
}

export interface OpenObligation {
  id: string;
  description: string;
  host?: string;
  /** Seq of the entry that raised it. */
  seq: number;
}

/** The folded state of the entries so far (see {@link foldEntry}). */
export interface JournalFold {
  /** Keyed by {@link stepKey}. */
  steps: Record<string, StepState>;
  /** The latest step of each step id (ids carry their host: `stage/host/key`). */
  byStepId: Map<string, StepState>;
  /** The latest probe evidence of each step id (what `{{capture:STEP:key}}` reads). */
  captures: Record<string, Record<string, string>>;
  gates: Record<string, GateState>;
  /**
   * Raised and not discharged, in the order first raised since last opened; `raised` orders them
   * by their latest raise instead (the order `status` and the report list them in).
   */
  open: Map<string, { obligation: OpenObligation; raised: number }>;
  raises: number;
  dischargedObligations: { id: string; how: string }[];
  /** The latest value of each fact. */
  facts: Record<string, { value: JsonValue; evidence: string; source: string }>;
}

/** The key of a step in {@link JournalFold.steps}: step ids repeat across hosts. */
export function stepKey(stepId: string, host: string): string {
  return `${stepId}@${host}`;
}

export function emptyFold(): JournalFold {
  return {
    steps: {},
    byStepId: new Map(),
    captures: {},
    gates: {},
    open: new Map(),
    raises: 0,
    dischargedObligations: [],
    facts: {},
  };
}

function stepFor(fold: JournalFold, stepId: string, host: string, seq: number): StepState {
  const key = stepKey(stepId, host);
  const step = (fold.steps[key] ??= {
    stepId,
    host,
    state: 'pending',
    attempt: 0,
    attempts: 0,
    seq,
    unanswered: false,
    intentAttempt: 0,
  });
  fold.byStepId.set(stepId, step);
  return step;
}

function gateFor(fold: JournalFold, gateId: string): GateState {
  return (fold.gates[gateId] ??= {
    gateId,
    state: 'waiting',
    missing: [],
    everConfirmed: false,
    verifiedOk: false,
  });
}

/**
 * Folds one entry into `fold`. A step's state follows its latest intent or result, so a step
 * re-attempted after a result counts as in flight again. `seq`: the entry's place in the journal
 * (0 for an entry the engine has just appended: its reading needs none).
 */
export function foldEntry(fold: JournalFold, entry: JournalInput, seq = 0): void {
  switch (entry.type) {
    case 'step.intent': {
      const step = stepFor(fold, entry.stepId, entry.host, seq);
      Object.assign(step, {
        state: 'inFlight',
        attempt: entry.attempt,
        attempts: step.attempts + 1,
        seq,
        unanswered: true,
        intentAttempt: Number(entry.attempt ?? 1),
      });
      delete step.outcome;
      delete step.exitCode;
      delete step.message;
      break;
    }
    case 'step.result': {
      const step = stepFor(fold, entry.stepId, entry.host, seq);
      step.state = isDoneOutcome(entry.outcome) ? 'done' : entry.outcome === 'notRun' ? 'pending' : 'failed';
      step.attempt = entry.attempt;
      step.outcome = entry.outcome;
      step.seq = seq;
      if (entry.exitCode === undefined) delete step.exitCode;
      else step.exitCode = entry.exitCode;
      if (entry.message === undefined) delete step.message;
      else step.message = entry.message;
      // A failed attempt that may have run on the host (dropped, timed out) stays uncertain.
      if (entry.uncertain !== true) step.unanswered = false;
      if (isDoneOutcome(entry.outcome)) step.doneOutcome = entry.outcome;
      break;
    }
    case 'step.probe': {
      const step = stepFor(fold, entry.stepId, entry.host, seq);
      step.probe = {
        done: entry.done,
        seq,
        ...(entry.evidence === undefined ? {} : { evidence: entry.evidence }),
      };
      if (entry.evidence && typeof entry.evidence === 'object') fold.captures[entry.stepId] = entry.evidence;
      break;
    }
    case 'gate.waiting':
      gateFor(fold, entry.gateId);
      break;
    case 'gate.confirmed': {
      const gate = gateFor(fold, entry.gateId);
      Object.assign(gate, { state: 'confirmed', confirmedBy: entry.by, how: entry.how });
      gate.confirmation = { by: entry.by, how: entry.how };
      gate.everConfirmed = true;
      break;
    }
    case 'gate.verified': {
      const gate = gateFor(fold, entry.gateId);
      Object.assign(gate, { state: entry.ok ? 'verified' : 'rejected', missing: [...entry.missing] });
      gate.verifiedOk = entry.ok === true;
      // A failed verification needs a fresh confirmation once the operator has fixed it.
      if (!gate.verifiedOk) delete gate.confirmation;
      break;
    }
    case 'obligation.raised': {
      const obligation = {
        id: entry.id,
        description: entry.description,
        seq,
        ...(entry.host === undefined ? {} : { host: entry.host }),
      };
      // Raised again while open: it keeps its place, with the latest words.
      fold.open.set(entry.id, { obligation, raised: ++fold.raises });
      break;
    }
    case 'obligation.discharged':
      fold.open.delete(entry.id);
      fold.dischargedObligations.push({ id: entry.id, how: entry.how });
      break;
    case 'fact':
      fold.facts[entry.name] = { value: entry.value, evidence: entry.evidence, source: entry.source };
      break;
  }
}

/** Folds `entries` (in seq order) from nothing. */
export function foldJournal(entries: readonly (JournalInput & { seq: number })[]): JournalFold {
  const fold = emptyFold();
  for (const entry of entries) foldEntry(fold, entry, entry.seq);
  return fold;
}

/** The facts the journal decided, each `true` or `false` (absent: none recorded yet). */
export function foldedFacts(fold: JournalFold): Record<string, boolean> | undefined {
  const facts = Object.fromEntries(Object.entries(fold.facts).map(([name, f]) => [name, f.value === true]));
  return Object.keys(facts).length === 0 ? undefined : facts;
}
