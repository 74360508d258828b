/**
 * Faults inside a script of several phases (`run`, `applyVerify`, `batch`) under the pwsh engine.
 * The fault file names a phase, and the model decides each phase's fault as the phase starts;
 * under pwsh the script itself runs its phases (its `DRPhase` function, see build-script.ts), so
 * each pwsh of the engine gets a global alias `DRPhase` (an alias wins over the function the
 * script defines) that asks this side, as a native program would, what the host does with the
 * phase: run it, fail it by injection (the body never runs, or runs and its exit code is replaced
 * by a success code such as 3010, as in the model), sleep first (a `slow` host), or end the script
 * there (a dropped connection, before or after the phase, or a hang). The script's own `DRPhase`
 * then prints the section, so the output is what the script prints. The answers also stamp each
 * phase's start and end for its event. Cmdlets go by their module-qualified names: the shim
 * shadows some (Get-Command among them) with the Windows host's view.
 */
import { classifyExit } from '../../actions/catalog.js';
import type { Phase, ScriptHeader } from '../../remote/header.js';
import { batchSteps } from '../../remote/header.js';
import type { FaultKind } from '../model/state.js';
import { nominalDurationMs } from '../model/durations.js';
import { itemCount } from '../model/run-action.js';
import type { EngineServices, PhaseHeader } from '../model/script-engine.js';
import type { NativeResult } from './natives.js';

/** The pseudo-program the alias starts; no script names it. */
export const HOOK_PROGRAM = 'deploy-rollup-lab-phase';

/** Printed where a drop or hang ends the script: what follows it never reached the client. */
export const CUT_MARKER = '__DEPLOY_ROLLUP_LAB_CUT__';

/** Run once in each pwsh of the engine (global scope, so it outlives the setup script). */
export const HOOK_SETUP = String.raw`
function global:DRLabAsk([string]$DRWhat) {
  $DRProc = ShimStartProcess ([pscustomobject]@{ FileName = '${HOOK_PROGRAM}'; Arguments = $DRWhat; WorkingDirectory = '' })
  return (ConvertFrom-Json $DRProc.StandardOutput.ReadToEnd())
}
function global:DRLabPhase([string]$DRName, [scriptblock]$DRBody) {
  $DRLab = DRLabAsk ('begin ' + $DRName)
  if ($DRLab.sleepMs -gt 0) { [Threading.Thread]::Sleep([int]$DRLab.sleepMs) }
  if ($DRLab.stop -eq 'before') { Write-Output '${CUT_MARKER}'; throw 'deploy-rollup lab: the command ended here (fault file)' }
  $DRLabBody = $DRBody
  $DROwn = Microsoft.PowerShell.Core\Get-Command -Name DRPhase -CommandType Function
  if ($DRLab.fail -eq 'instead') { & $DROwn $DRName { [Console]::Error.WriteLine([string]$DRLab.message); $rc = [int]$DRLab.exitCode } }
  elseif ($DRLab.fail -eq 'after') { & $DROwn $DRName { . $DRLabBody; $rc = [int]$DRLab.exitCode } }
  else { & $DROwn $DRName $DRLabBody }
  [void](DRLabAsk ('end ' + $DRName))
  if ($DRLab.stop -eq 'after') { Write-Output '${CUT_MARKER}'; throw 'deploy-rollup lab: the command ended here (fault file)' }
}
Set-Alias -Name DRPhase -Value DRLabPhase -Scope Global
exit 0
`;

/** One phase the script started, as the alias saw it. */
export interface PhaseMark {
  /** Index into the command's steps (0 but for a batch). */
  step: number;
  phase: Phase;
  start: number;
  end?: number;
  fault?: FaultKind;
  /** The command ended at this phase (a drop or hang), before it ran or after: nothing after it ran. */
  cut?: 'before' | 'after';
}

/** What the alias is told for one phase (every field present: the script runs in strict mode). */
interface Decision {
  sleepMs: number;
  stop: '' | 'before' | 'after';
  fail: '' | 'instead' | 'after';
  exitCode: number;
  message: string;
}

/** The steps a command's phases belong to: a batch's, or the header's own. */
export function stepsOf(header: ScriptHeader): PhaseHeader[] {
  const base = { ...header, phase: 'probe' as Phase };
  if (header.phase !== 'batch') return [base];
  const steps = batchSteps(header);
  if ('error' in steps) return [base];
  return steps.map((s) => ({ ...base, ...s }));
}

/** How long a phase takes on a slow host (the model's nominal duration, scaled); 0 otherwise. */
export function slowMs(services: EngineServices, header: PhaseHeader): number {
  const slow = services.slowFactor();
  if (slow === undefined) return 0;
  const scale = (services.timeScale > 0 ? services.timeScale : 1) * slow;
  return nominalDurationMs(header.action, header.phase, itemCount(header)) * scale;
}

/** Whether the catalog reads `exitCode` of `action` as work done (the model's rule for fail faults). */
export function isSuccessCode(action: string, exitCode: number): boolean {
  const verdict = classifyExit(action, exitCode);
  return verdict !== 'transient' && verdict !== 'permanent';
}

export function injectedMessage(action: string, exitCode: number): string {
  return `${action} failed with exit code ${exitCode} (fault injected by the lab's fault file)`;
}

/** The answers to one command's alias calls; `marks` lists its phases as they ran. */
export class PhaseHook {
  readonly marks: PhaseMark[] = [];
  private step = -1;
  private readonly steps: PhaseHeader[];

  constructor(
    private readonly header: ScriptHeader,
    private readonly services: EngineServices,
  ) {
    this.steps = stepsOf(header);
  }

  /** The step whose phase runs now (a native program the script starts belongs to it). */
  currentStep(): PhaseHeader | undefined {
    const step = this.steps[Math.max(0, Math.min(this.step, this.steps.length - 1))];
    const mark = this.marks.at(-1);
    return step ? { ...step, phase: mark?.phase ?? step.phase } : undefined;
  }

  answer(args: string): NativeResult {
    const [verb, name] = args.split(' ');
    const phase = name as Phase;
    const now = this.services.clock.now();
    if (verb === 'end') {
      const mark = this.marks.at(-1);
      if (mark) mark.end = now;
      return reply({ sleepMs: 0, stop: '', fail: '', exitCode: 0, message: '' });
    }
    // A batch's step starts with its probe; a run's and an applyVerify's phases are one step's.
    if (this.step < 0 || (this.header.phase === 'batch' && phase === 'probe')) this.step += 1;
    const step = this.steps[Math.min(this.step, this.steps.length - 1)] ?? this.steps[0];
    const header: PhaseHeader = { ...(step ?? { ...this.header, phase }), phase };
    const mark: PhaseMark = { step: this.step, phase, start: now };
    this.marks.push(mark);
    const fault = this.services.takeFault(header);
    const decision: Decision = {
      sleepMs: slowMs(this.services, header),
      stop: '',
      fail: '',
      exitCode: 0,
      message: '',
    };
    if (decision.sleepMs > 0) mark.fault = 'slow';
    if (fault?.kind === 'fail') {
      mark.fault = 'fail';
      decision.fail = isSuccessCode(header.action, fault.exitCode) ? 'after' : 'instead';
      decision.exitCode = fault.exitCode;
      decision.message = injectedMessage(header.action, fault.exitCode);
    } else if (fault?.kind === 'hang') {
      Object.assign(mark, { fault: 'hang', cut: 'before' });
      decision.stop = 'before';
      decision.sleepMs = 0;
    } else if (fault?.kind === 'drop') {
      Object.assign(mark, { fault: 'drop', cut: fault.when });
      decision.stop = fault.when;
      if (fault.when === 'before') decision.sleepMs = 0;
    }
    return reply(decision);
  }
}

function reply(decision: Decision): NativeResult {
  return { started: true, exitCode: 0, stdout: JSON.stringify(decision), stderr: '' };
}
