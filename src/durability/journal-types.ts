/**
 * The write-ahead journal's vocabulary. Each line of `journal.jsonl` is one {@link JournalEntry}.
 *
 * Secrets never enter the journal: no field is meant to carry one. Hosts, step ids, targets,
 * exit codes and operator names are not secret; `message`, `evidence` and `fact.value` must be
 * built without a secret (a bad value is described, never quoted), and the journal redacts every
 * known secret from each entry as a last pass before writing it (src/log/redact.ts).
 */

/** Any value JSON can carry unchanged (no `Date`, `Map`, `undefined`, …). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a step attempt ended. Every outcome except `failed` and `notRun` means the step needs no
 * more work. `notRun`: the attempt never started on the host (the batch it was sent in ended at
 * an earlier step); the step is still to do.
 */
export type StepOutcome = 'ok' | 'alreadyDone' | 'restartPending' | 'failed' | 'skipped' | 'notRun';

/** An outcome that leaves a step done. */
export type DoneOutcome = Exclude<StepOutcome, 'failed' | 'notRun'>;

/** The outcomes that leave a step done (nothing more to apply). */
export const DONE_OUTCOMES: readonly DoneOutcome[] = ['ok', 'alreadyDone', 'restartPending', 'skipped'];

/** Whether `outcome` leaves the step done. */
export function isDoneOutcome(outcome: StepOutcome): outcome is DoneOutcome {
  return (DONE_OUTCOMES as readonly StepOutcome[]).includes(outcome);
}

export interface RunStartEntry {
  type: 'run.start';
  runId: string;
  runbook: string;
  runbookVersion: string;
  inventoryFingerprint: string;
  inventoryFile: string;
}

/** Written and fsynced *before* a side effect starts. */
export interface StepIntentEntry {
  type: 'step.intent';
  stepId: string;
  host: string;
  action: string;
  target: string;
  attempt: number;
}

/** Written after the side effect, whatever its outcome. */
export interface StepResultEntry {
  type: 'step.result';
  stepId: string;
  host: string;
  outcome: StepOutcome;
  exitCode?: number;
  message?: string;
  attempt: number;
  /** How long the command took; absent when none was sent (a step skipped, or refused before sending). */
  durationMs?: number;
  /** A failed attempt whose command was lost (dropped, timed out): it may have completed on the host. */
  uncertain?: boolean;
}

/** A read-only probe's answer (on resume: did the in-flight step complete?). */
export interface StepProbeEntry {
  type: 'step.probe';
  stepId: string;
  host: string;
  done: boolean;
  /** The probe's `DR:` lines, by key (what `{{capture:STEP:key}}` reads). */
  evidence?: Record<string, string>;
}

export interface GateWaitingEntry {
  type: 'gate.waiting';
  gateId: string;
}

export interface GateConfirmedEntry {
  type: 'gate.confirmed';
  gateId: string;
  /** Who confirmed (operator user name), never a credential. */
  by: string;
  /** `prompt`, `--confirm`, `--yes`, … */
  how: string;
}

export interface GateVerifiedEntry {
  type: 'gate.verified';
  gateId: string;
  ok: boolean;
  /** What the verification found missing (empty when `ok`). */
  missing: string[];
}

/** Guided failure: what the operator chose for a step that failed for good. */
export interface DecisionEntry {
  type: 'decision';
  stepId: string;
  host: string;
  choice: 'retry' | 'skip' | 'abort';
  by: string;
  reason: string;
}

export interface ObligationRaisedEntry {
  type: 'obligation.raised';
  id: string;
  description: string;
  host?: string;
}

export interface ObligationDischargedEntry {
  type: 'obligation.discharged';
  id: string;
  how: string;
}

/** A fact that decides a branch, with the evidence for it. */
export interface FactEntry {
  type: 'fact';
  name: string;
  value: JsonValue;
  evidence: string;
  /** `probe`, `inventory`, … */
  source: string;
}

export interface BackupEntry {
  type: 'backup';
  host: string;
  source: string;
  dest: string;
}

export interface RunHaltedEntry {
  type: 'run.halted';
  reason: string;
  exitCode: number;
}

export interface RunFinishedEntry {
  type: 'run.finished';
  status: string;
}

export interface RunAbandonedEntry {
  type: 'run.abandoned';
  by: string;
  /** Whether open obligations were discharged. */
  cleanup: boolean;
}

/**
 * The operator controls one invocation of a run was given (`--window`, `--hub-window`,
 * `--error-budget`, `--limit`, `--exclude`): the rollout settings it overrode and the hosts it
 * left out. Written once per invocation that gives any, before any change.
 */
export interface RunControlsEntry {
  type: 'run.controls';
  by: string;
  rollout: { window?: number; hubWindow?: number; errorBudget?: number };
  excluded: string[];
  /** The flags as given, e.g. `--hub-window 2 --limit exhub-east`. */
  flags: string;
}

/** What a caller appends: one of the entry kinds, without `seq`/`at` (the journal assigns those). */
export type JournalInput =
  | RunStartEntry
  | StepIntentEntry
  | StepResultEntry
  | StepProbeEntry
  | GateWaitingEntry
  | GateConfirmedEntry
  | GateVerifiedEntry
  | DecisionEntry
  | ObligationRaisedEntry
  | ObligationDischargedEntry
  | FactEntry
  | BackupEntry
  | RunHaltedEntry
  | RunFinishedEntry
  | RunAbandonedEntry
  | RunControlsEntry;

export type JournalEntryType = JournalInput['type'];

/** Stamps the journal adds to every entry. */
export interface JournalStamp {
  /** 1, 2, 3, … with no gaps: a gap means damage. */
  seq: number;
  /** ISO 8601 time the entry was appended. */
  at: string;
}

/** A committed entry as read back. Narrow on `type`. */
export type JournalEntry = JournalInput & JournalStamp;

/** The entry of one `type`, e.g. `EntryOf<'step.result'>`. */
export type EntryOf<T extends JournalEntryType> = Extract<JournalEntry, { type: T }>;

export const JOURNAL_ENTRY_TYPES: readonly JournalEntryType[] = [
  'run.start',
  'step.intent',
  'step.result',
  'step.probe',
  'gate.waiting',
  'gate.confirmed',
  'gate.verified',
  'decision',
  'obligation.raised',
  'obligation.discharged',
  'fact',
  'backup',
  'run.halted',
  'run.finished',
  'run.abandoned',
  'run.controls',
];
