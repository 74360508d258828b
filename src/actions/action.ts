/**
 * One action, one module: everything the orchestrator, the script builder, the simulated estate,
 * `verify`, the report and the benchmark know about an action is declared once, in its module under
 * `src/actions/modules/` (its PowerShell in the same file; its simulated behaviour, when long, a
 * named export of `src/lab/model/actions/<family>.ts`), and every list of names (the catalog, gates,
 * own-process actions, durations, end states) is derived from the registered modules
 * (`src/actions/modules/index.ts`). Generic code never tests an action's name: it asks the module
 * (`actionModule(name)` in `catalog.ts`) for one of the properties below.
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
  /** What the simulated estate does for probe, apply and verify, and what the rest of the lab asks of the
   * action (the operator's task at a gate, what the pwsh engine's stand-in programs need): see `ActionSpec`. */
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
  /** Its apply runs msiexec (this verb) with a verbose log to its `log` param: after a failure the engine
   * fetches that log into the run directory, and the lab writes one when it injects a failure. */
  readonly msiexecLog?: 'install' | 'uninstall';
  /** Why every step of it must authenticate beyond its host, for preflight's note on key-based logons, which
   * leave the session no credentials to pass on. (A step whose need depends on what it runs says so itself:
   * `PlanStep.onwardAuth`, from the runbook.) */
  readonly onwardAuth?: string;
  /** It takes a backup: where from and where to (its params as the step has them), for the report's list of
   * backups. A `dest` that is not a string is not listed. */
  readonly backup?: (
    params: Readonly<Record<string, unknown>>,
    target: string,
  ) => { source: unknown; dest: unknown };
  /** Preflight's read-only inspection of a host: the action preflight runs once per host, with the runbook's
   * inspect spec as params (exactly one module has it). */
  readonly inspectsHost?: true;
  /** Its work is a file transfer: the engine uploads the package file `source` to `dest` over SFTP between
   * probe and apply (so its steps never run as one command), and the scripts export lists it. */
  readonly uploads?: true;
}

/** Declares an action module (an identity: the type checks the name against `ActionParams`). */
export function defineAction<N extends ActionName>(module: ActionModule<N>): ActionModule<N> {
  return module;
}
