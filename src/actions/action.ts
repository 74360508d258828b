/**
 * One action, one module: everything the orchestrator, the script builder, the simulated estate,
 * `verify` and the benchmark know about an action is declared once, in its module under
 * `src/actions/modules/`, and every list of names (the catalog, gates, own-process actions,
 * durations, end states) is derived from the registered modules (`src/actions/modules/index.ts`).
 *
 * A module's params type is declared beside it (an interface keyed by the action's name, merged
 * into `ActionParams` in `catalog.ts`), so a builder's `readParams` is checked at compile time.
 */
import type { ActionName } from './catalog.js';
import type { ExitClass } from './exit-class.js';
import type { ApplyContext, ApplyVerdict } from './exit-class.js';
import type { Params } from '../remote/header.js';
import type { FamilyBuilder } from './scripts/helpers.js';
import type { ActionSpec } from '../lab/model/actions/context.js';

export interface ActionModule<N extends ActionName = ActionName> {
  /** The name runbooks give the action. */
  readonly name: N;
  /** The PowerShell bodies of probe, apply and verify. */
  readonly script: FamilyBuilder;
  /** What the simulated estate does for probe, apply and verify. */
  readonly lab: ActionSpec;
  /** Nominal duration of an apply on a real server, in ms (the lab's waits, the benchmark's estimate). */
  readonly applyMs: number;
  /** How an apply's exit code is read; without it, 0 is ok and anything else permanent. */
  readonly exit?: (exitCode: number) => ExitClass;
  /** What an apply's exit code tells the operator, where the generic wording would not do (the module's own table). */
  readonly describeExit?: (exitCode: number, params: Params, context?: ApplyContext) => ApplyVerdict;
  /** Performed by the operator at a gate (Deployment Tool work, a person's test): no apply script runs. */
  readonly gate?: true;
  /** Leaves something in its powershell.exe that later scripts must not inherit: runs in a process of its own. */
  readonly ownProcess?: true;
  /** What `verify` does with it: `endState`, its "done" is part of the finished estate; `note`, its evidence
   * is taken first for later end-state checks (`{{capture:…}}`). Events (restarts, runs) are neither. */
  readonly verify?: 'endState' | 'note';
  /** Its apply script first reads what its probe reads, printing the same evidence: the lab's apply does too. */
  readonly applyReadsFirst?: true;
  /** Its apply takes Windows Installer's mutex. */
  readonly installer?: true;
}

/** Declares an action module (an identity: the type checks the name against `ActionParams`). */
export function defineAction<N extends ActionName>(module: ActionModule<N>): ActionModule<N> {
  return module;
}
