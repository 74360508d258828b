/**
 * When a script of several phases or steps goes on: the one rule the script builder writes as
 * PowerShell (`build-script.ts`) and the simulated estate acts out (`src/lab/model/estate.ts`),
 * so what the lab does with a `run`, `applyVerify` or `batch` command is what the script does.
 *
 * A rule is a list of terms, all of which must hold. What a term reads is what the script has
 * after a phase ({@link FlowState}); {@link goesOn} reads it in TypeScript, {@link goesOnPs}
 * writes the same condition in PowerShell, over the script's own variables.
 */
import { psLiteral } from '../remote/ps-literal.js';
import type { Phase } from '../remote/header.js';
import { successCodes } from './catalog.js';

/** What a script knows after one of a step's phases. */
export interface FlowState {
  /** The step's exit code so far: the probe's, then the apply's (PowerShell `$rc`). */
  rc: number;
  /** The last phase's own exit code (`$DRRun.rc`; after a verify, the verify's). */
  lastRc: number;
  /** The last phase's `DR:state`, '' when it printed none (`$DRRun.state`). */
  state: string;
}

type Term =
  | { kind: 'rcIs'; code: number }
  /** `rc` means the work is done for the step's action (`successCodes`: the engine's reading). */
  | { kind: 'rcSucceeds' }
  | { kind: 'lastRcIs'; code: number }
  | { kind: 'stateIs'; state: string }
  | { kind: 'stateIsNot'; state: string };

export type FlowRule = readonly Term[];

/**
 * After a step's probe, the apply runs only if the probe ran (exit 0) and did not find the step
 * done; after the apply, the verify runs only after an exit code that means success (a failed
 * apply is not verified, as with separate scripts); in a batch, the next step runs only after
 * one that ended done (its probe found it done, or its apply succeeded and the verify then
 * exited 0 finding it done). Anything else ends the step there, or the batch at that step.
 */
export const STEP_FLOW = {
  applyAfterProbe: [
    { kind: 'rcIs', code: 0 },
    { kind: 'stateIsNot', state: 'done' },
  ],
  verifyAfterApply: [{ kind: 'rcSucceeds' }],
  nextStepAfter: [{ kind: 'rcSucceeds' }, { kind: 'lastRcIs', code: 0 }, { kind: 'stateIs', state: 'done' }],
} as const satisfies Record<string, FlowRule>;

/** The rule after each phase of a step for the next phase of the same step (none after the verify). */
export const AFTER_PHASE: Readonly<Record<Phase, FlowRule | undefined>> = {
  probe: STEP_FLOW.applyAfterProbe,
  apply: STEP_FLOW.verifyAfterApply,
  verify: undefined,
};

function holds(term: Term, action: string, at: FlowState): boolean {
  switch (term.kind) {
    case 'rcIs':
      return at.rc === term.code;
    case 'rcSucceeds':
      return successCodes(action).includes(at.rc);
    case 'lastRcIs':
      return at.lastRc === term.code;
    case 'stateIs':
      return at.state === term.state;
    case 'stateIsNot':
      return at.state !== term.state;
  }
}

/** Whether a step of `action` goes on after a phase that left `at` (the simulated estate's reading). */
export function goesOn(rule: FlowRule, action: string, at: FlowState): boolean {
  return rule.every((term) => holds(term, action, at));
}

function termPs(term: Term, action: string, alone: boolean): string {
  switch (term.kind) {
    case 'rcIs':
      return `$rc -eq ${term.code}`;
    case 'rcSucceeds': {
      const test = `@(${successCodes(action).join(', ')}) -contains $rc`;
      return alone ? test : `(${test})`;
    }
    case 'lastRcIs':
      return `$DRRun.rc -eq ${term.code}`;
    case 'stateIs':
      return `$DRRun.state -eq ${psLiteral(term.state)}`;
    case 'stateIsNot':
      return `$DRRun.state -ne ${psLiteral(term.state)}`;
  }
}

/**
 * The same rule as a PowerShell condition (without the parentheses of the `if` or assignment
 * around it), over `$rc` and the phase runner's `$DRRun` (see `build-script.ts`).
 *
 * @example goesOnPs(STEP_FLOW.applyAfterProbe, 'service.restart') === "$rc -eq 0 -and $DRRun.state -ne 'done'"
 */
export function goesOnPs(rule: FlowRule, action: string): string {
  return rule.map((term) => termPs(term, action, rule.length === 1)).join(' -and ');
}
