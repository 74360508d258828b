/**
 * The whole script a host receives for one phase of one step:
 *
 *     # deploy-rollup/1 run=… step=… action=… phase=… host=… target=… params=…   (line 1, the header)
 *     $ErrorActionPreference = 'Stop'
 *     $rc = 1
 *     trap { … '__RC__=1'; exit 1 }           (safety net; also what a PowerShell 1.0 host reaches)
 *     function DR($k, $v) { … }               (result lines, value percent-encoded)
 *     …helpers the body calls…
 *     try { $target = '…'; <body sets $rc> } catch { <message to stderr>; $rc = 1 }
 *     Write-Output ('__RC__=' + $rc)         (the last output line: the sentinel)
 *     exit $rc
 *
 * Every value from the plan enters as a single-quoted literal (psLiteral), once.
 *
 * `phase: 'run'` composes the action's three bodies into one script, `phase: 'applyVerify'` its
 * apply and verify (see {@link buildScript}).
 */
import {
  formatHeader,
  formatSentinel,
  SCRIPT_PHASES,
  SECTION_PREFIX,
  SECTION_RC_PREFIX,
  SENTINEL_PREFIX,
  STEP_PREFIX,
  STEP_RC_PREFIX,
  type BatchStep,
  type Params,
  type Phase,
  type ScriptPhase,
} from '../remote/header.js';
import { psLiteral } from '../remote/ps-literal.js';
import { scriptFor } from './registry.js';
import { helpersFor, lines, type FamilyBuilder } from './scripts/helpers.js';
import { goesOnPs, STEP_FLOW } from './step-flow.js';

export interface ScriptInput {
  run: string;
  step: string;
  action: string;
  phase: ScriptPhase;
  host: string;
  target: string;
  params: Params;
  /** The bodies of an action that is not in the catalog (the lab's simulated operator); else the catalog's. */
  builder?: FamilyBuilder;
}

const RESULT_HELPER =
  "function DR($k, $v) { Write-Output ('DR:' + $k + '=' + [Uri]::EscapeDataString([string]$v)) }";

/**
 * A terminating error outside try/catch (or any error on PowerShell 1.0, where `try` is not a
 * keyword and the first `try {` is an unknown command) still ends with the sentinel.
 */
const TRAP = `trap { if (-not $PSVersionTable) { Write-Output 'DR:psVersion=1.0' }; [Console]::Error.WriteLine([string]$_); Write-Output ${psLiteral(formatSentinel(1))}; exit 1 }`;

/** A 32-bit PowerShell on 64-bit Windows (WOW64) refuses with this exit code before doing anything. */
export const WOW64_EXIT = 6432;

export const WOW64_MESSAGE =
  'deploy-rollup: 32-bit PowerShell on 64-bit Windows (WOW64): the Exchange snap-in and HKLM would be the 32-bit views. Make sshd start the 64-bit %SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe (a 64-bit OpenSSH), then resume.';

/**
 * A 32-bit sshd on Server 2003 x64 starts SysWOW64's PowerShell. Refused rather than relaunched
 * through sysnative (absent on 2003 x64 without KB942589; a relaunch would pass the script and
 * relay its output and sentinel a second time): the host's sshd is what needs fixing.
 */
export const WOW64_GUARD = `if ([IntPtr]::Size -eq 4 -and $env:PROCESSOR_ARCHITEW6432) { [Console]::Error.WriteLine(${psLiteral(WOW64_MESSAGE)}); Write-Output ${psLiteral(formatSentinel(WOW64_EXIT))}; exit ${WOW64_EXIT} }`;

const CATCH = lines(
  '} catch {',
  "  [Console]::Error.WriteLine($_.Exception.Message + ' (script line ' + $_.InvocationInfo.ScriptLineNumber + ')')",
  '  $rc = 1',
  '}',
);

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

/**
 * Builds the script for one phase of one step. Throws TypeError for an unknown action, invalid
 * params, or a value that cannot be a literal (line breaks, NUL).
 *
 * @example buildScript({ run, step: 'resetIis/PROV01/iis-reset', action: 'iis.reset', phase: 'verify', host: 'PROV01', target: '', params: {} })
 */
export function buildScript(input: ScriptInput): string {
  return scriptsFor(input)(input.host);
}

/**
 * {@link buildScript} for the same phase of one step on several hosts (a check that spans
 * hosts): everything but the header line is built once. Throws as buildScript does, at once.
 */
export function scriptsFor(input: Omit<ScriptInput, 'host'>): (host: string) => string {
  const body = bodyOf(input);
  return (host) => `${formatHeader({ ...input, host })}\n${body}`;
}

/** One phase's body: from the input's own builder (an action outside the catalog), else the catalog's. */
function phaseBody(
  input: Pick<ScriptInput, 'action' | 'target' | 'params' | 'builder'>,
  phase: Phase,
): string {
  return input.builder
    ? input.builder(input.params, input.target)[phase]
    : scriptFor(input.action, phase, input.target, input.params);
}

/** Everything after the header line. */
function bodyOf(input: Omit<ScriptInput, 'host'>): string {
  if (!SCRIPT_PHASES.includes(input.phase))
    throw new TypeError(
      `phase must be one of ${SCRIPT_PHASES.join(', ')}, got ${JSON.stringify(input.phase)}`,
    );
  if (input.phase === 'run' || input.phase === 'applyVerify')
    return runBody({ ...input, phase: input.phase });
  const body = phaseBody(input, input.phase);
  const main = lines(`$target = ${psLiteral(input.target)}`, body);
  return (
    lines(
      `# ${input.action} ${input.phase}, written by deploy-rollup. Its last output line is the exit-code sentinel.`,
      "$ErrorActionPreference = 'Stop'",
      '$rc = 1',
      TRAP,
      WOW64_GUARD,
      RESULT_HELPER,
      helpersFor(main),
      'try {',
      indent(main),
      CATCH,
      'if ($rc -eq $null) { $rc = 1 }',
      `Write-Output (${psLiteral(SENTINEL_PREFIX)} + $rc)`,
      'exit $rc',
    ) + '\n'
  );
}

/** `DR` for a `run` script: also notes the state a phase reported, so the script can stop when the probe says done. */
const RUN_RESULT_HELPER =
  "function DR($k, $v) { if ($k -eq 'state') { $DRRun.state = [string]$v }; Write-Output ('DR:' + $k + '=' + [Uri]::EscapeDataString([string]$v)) }";

/**
 * Runs one phase of a `run` script: its marker on both streams, then its body exactly as the
 * phase's own script runs it (`$rc` starting at 1, the same catch). The body is dot-sourced
 * into this function's scope, fresh for each phase, so the probe's variables cannot leak into
 * the apply; the exit code leaves through `$DRRun.rc`.
 */
const PHASE_RUNNER = lines(
  'function DRPhase([string]$DRName, [scriptblock]$DRBody) {',
  `  Write-Output (${psLiteral(SECTION_PREFIX)} + $DRName)`,
  `  [Console]::Error.WriteLine(${psLiteral(SECTION_PREFIX)} + $DRName)`,
  "  $DRRun.state = ''",
  '  $rc = 1',
  '  try {',
  '    . $DRBody',
  indent(CATCH),
  '  if ($rc -eq $null) { $rc = 1 }',
  '  $DRRun.rc = $rc',
  `  Write-Output (${psLiteral(SECTION_RC_PREFIX)} + $rc)`,
  '}',
);

function block(name: string, body: string): string {
  return lines(`$${name} = {`, indent(body), '}');
}

/**
 * The `run` script of a step, after its header line: the action's probe, apply and verify
 * bodies, unchanged, in one PowerShell process. The probe runs first; a failed probe, or one that reports
 * `DR:state=done`, ends the script there. Otherwise the apply runs, and the verify runs after
 * an apply whose exit code means success for this action (the rules of `step-flow.ts`, which the
 * simulated estate acts out too: a failed apply is not verified, as with separate scripts). Each phase's
 * output is a section (`__PHASE__=`, `__PHASE_RC__=`, see `src/remote/header.ts`); the script
 * exits with the apply's exit code, or the probe's when nothing was applied.
 *
 * The `applyVerify` script is the same without the probe (the engine probed already): the
 * apply, and the verify after an apply that succeeded.
 */
function runBody(input: Omit<ScriptInput, 'host'> & { phase: 'run' | 'applyVerify' }): string {
  const withProbe = input.phase === 'run';
  const step = stepRun(input, withProbe);
  return sectionedScript(
    withProbe
      ? `${input.action}: probe; if not done, apply, then verify.`
      : `${input.action}: apply, then verify.`,
    step.bodies,
    step.code,
  );
}

/**
 * A script of phases run through `DRPhase` (a `run`, an `applyVerify`, a `batch`), after its
 * header line: `what` it does in its first comment, the error handling and helpers its phase
 * `bodies` need, then `code`, which leaves the exit code in `$rc`, and the sentinel.
 */
function sectionedScript(what: string, bodies: string, code: string): string {
  return (
    lines(
      `# ${what} Written by deploy-rollup; the last output line is the exit-code sentinel.`,
      "$ErrorActionPreference = 'Stop'",
      '$rc = 1',
      TRAP,
      WOW64_GUARD,
      RUN_RESULT_HELPER,
      PHASE_RUNNER,
      helpersFor(bodies),
      code,
      `Write-Output (${psLiteral(SENTINEL_PREFIX)} + $rc)`,
      'exit $rc',
    ) + '\n'
  );
}

/**
 * The part of a `run` (or `applyVerify`) script that is the step's own: its target, its phase
 * blocks and the calls that run them, leaving the exit code in `$rc`. `bodies` is every phase
 * body, for the helpers they call.
 */
function stepRun(
  input: Pick<ScriptInput, 'action' | 'target' | 'params' | 'builder'>,
  withProbe: boolean,
): { code: string; bodies: string } {
  const body = (phase: Phase): string => phaseBody(input, phase);
  const [probe, apply, verify] = [withProbe ? body('probe') : '', body('apply'), body('verify')];
  // Most actions verify with their probe: one block then serves both, keeping the script short
  // enough for -EncodedCommand.
  const verifyBlock = withProbe && verify === probe ? '$DRProbe' : '$DRVerify';
  const applyThenVerify = lines(
    "DRPhase 'apply' $DRApply",
    '$rc = $DRRun.rc',
    `if (${goesOnPs(STEP_FLOW.verifyAfterApply, input.action)}) { DRPhase 'verify' ${verifyBlock} }`,
  );
  return {
    bodies: lines(probe, apply, verify),
    code: lines(
      "$DRRun = @{ state = ''; rc = 1 }",
      `$target = ${psLiteral(input.target)}`,
      withProbe ? block('DRProbe', probe) : '',
      block('DRApply', apply),
      verifyBlock === '$DRProbe' ? '' : block('DRVerify', verify),
      withProbe
        ? lines(
            "DRPhase 'probe' $DRProbe",
            '$rc = $DRRun.rc',
            `if (${goesOnPs(STEP_FLOW.applyAfterProbe, input.action)}) {`,
            indent(applyThenVerify),
            '}',
          )
        : applyThenVerify,
    ),
  };
}

export interface BatchInput {
  run: string;
  host: string;
  /** Consecutive steps of one host, in order (at least one). */
  steps: BatchStep[];
}

/**
 * The `batch` script of several consecutive steps of one host (see `src/remote/header.ts`): each
 * step's `run`, unchanged, framed by step markers, in one PowerShell process. The next step runs
 * only after one that ended done: its probe found it done, or its apply exited with a success
 * code for its action and the verify then exited 0 finding it done (`STEP_FLOW.nextStepAfter`,
 * which the simulated estate acts out too). Anything else (a failed probe, a failed apply, a verify that finds it not done) ends
 * the batch there, for the engine to judge that step as its own `run` and go on from it.
 * Throws as {@link buildScript} does.
 */
export function buildBatchScript(input: BatchInput): string {
  if (input.steps.length === 0) throw new TypeError('a batch needs at least one step');
  const runs = input.steps.map((step) => ({ step, run: stepRun(step, true) }));
  const header = formatHeader({
    run: input.run,
    step: input.steps[0]?.step ?? '',
    action: 'batch',
    phase: 'batch',
    host: input.host,
    target: String(input.steps.length),
    params: { steps: input.steps.map((s) => ({ ...s })) },
  });
  const stepCode = ({ step, run }: (typeof runs)[number]): string =>
    lines(
      `# ${step.action} ${step.target}`,
      'if ($DRGo) {',
      indent(
        lines(
          `Write-Output (${psLiteral(STEP_PREFIX + step.step)})`,
          `[Console]::Error.WriteLine(${psLiteral(STEP_PREFIX + step.step)})`,
          run.code,
          `Write-Output (${psLiteral(STEP_RC_PREFIX)} + $rc)`,
          `$DRGo = (${goesOnPs(STEP_FLOW.nextStepAfter, step.action)})`,
        ),
      ),
      '}',
    );
  const body = sectionedScript(
    `${input.steps.length} steps, each: probe; if not done, apply, then verify. The batch stops after a step that did not end done.`,
    lines(...runs.map((r) => r.run.bodies)),
    lines('$DRGo = $true', ...runs.map(stepCode)),
  );
  return `${header}\n${body}`;
}
