/**
 * The parts of a step's path (`step-path.ts`) and of its probe as a command of its own: probing
 * or verifying, reading `DR:` lines as evidence, judging an apply's exit code, and the journal
 * entries and errors failures become.
 */
import type { StepIntentEntry } from '../durability/journal-types.js';
import { scriptsFor } from '../actions/build-script.js';
import { interpretApply } from '../actions/exit-codes.js';
import { DeployError, isDeployError } from '../errors.js';
import type { PlanStep } from '../plan/types.js';
import { readResultLines, type Params, type Section } from '../remote/header.js';
import { HOST_CONCURRENCY, mapBounded } from './bounded.js';
import type { EngineDeps } from './context.js';
import { isFenceError } from './fence.js';
import type { Ledger } from './ledger.js';
import { runPhase } from './run-phase.js';

export interface ProbeResult {
  done: boolean;
  evidence: Record<string, string>;
}

/** A probe or verify that could not read the host (non-zero exit): not retried, the host needs a look. */
export function readFailed(
  step: PlanStep,
  host: string,
  phase: 'probe' | 'verify',
  exitCode: number,
  text: string,
): DeployError {
  return new DeployError(
    'remote',
    `${step.action} ${step.target} (${phase}) on ${host} failed with exit code ${exitCode}: ${text}`,
    {
      code: 'PROBE_FAILED',
      hint: `run "${step.action}" by hand on ${host} to see why it cannot be read`,
    },
  );
}

/** What one host's probe or verify output says: done or not, and its evidence lines. */
export function readCheck(output: string): ProbeResult {
  const results = readResultLines(output);
  const { state, ...evidence } = results;
  return { done: state === 'done', evidence };
}

/**
 * Probe (or verify) on the step's host, or on every host its effect lives on (all at once, up
 * to {@link HOST_CONCURRENCY}; evidence in host order, the first host that cannot be read in
 * host order is the error).
 */
export async function check(
  deps: EngineDeps,
  step: PlanStep,
  params: Params,
  phase: 'probe' | 'verify',
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const hosts = step.verifyOn ?? [step.host];
  // One body for every host: only the header line (which names the host) differs.
  const scripts = scriptsFor({
    run: deps.runId,
    step: step.id,
    action: step.action,
    phase,
    target: step.target,
    params,
  });
  const results = await mapBounded(hosts, HOST_CONCURRENCY, async (host) => {
    const result = await runPhase(deps, step, phase, params, {
      host,
      script: scripts(host),
      ...(signal ? { signal } : {}),
    });
    if (result.exitCode !== 0) {
      throw readFailed(step, host, phase, result.exitCode, result.stderr.trim() || result.output.trim());
    }
    return result.results;
  });
  const evidence: Record<string, string> = {};
  let done = true;
  for (const [i, host] of hosts.entries()) {
    const found = results[i] ?? {};
    if (found.state !== 'done') done = false;
    for (const [key, value] of Object.entries(found)) {
      if (key === 'state') continue;
      evidence[hosts.length > 1 ? `${host}.${key}` : key] = value;
    }
    if (hosts.length > 1) evidence[`${host}.state`] = found.state ?? 'unknown';
  }
  return { done, evidence };
}

export function retryOptions(deps: EngineDeps, step: PlanStep, signal?: AbortSignal) {
  return {
    retries: deps.options.retries,
    minTimeoutMs: deps.options.retryMinMs,
    maxTimeoutMs: deps.options.retryMaxMs,
    ...(signal ? { signal } : {}),
    onRetry: ({ attempt, error }: { attempt: number; error: unknown }) =>
      deps.emit({
        type: 'step.retry',
        stepId: step.id,
        host: step.host,
        attempt,
        reason: error instanceof Error ? error.message : String(error),
      }),
  };
}

/** A verify that ran as a section of a script of several phases, read as its own command would be. */
export function readVerifySection(step: PlanStep, section: Section): ProbeResult {
  if (section.exitCode !== 0)
    throw readFailed(
      step,
      step.host,
      'verify',
      section.exitCode,
      section.stderr.trim() || section.output.trim(),
    );
  return readCheck(section.output);
}

/** After a successful apply: a verification that finds the step not done fails it (journalled), naming what it saw. */
export async function requireVerified(ledger: Ledger, step: PlanStep, verified: ProbeResult): Promise<void> {
  if (verified.done) return;
  await ledger.record({
    type: 'step.result',
    stepId: step.id,
    host: step.host,
    outcome: 'failed',
    attempt: ledger.attempts(step.id),
    message: 'verification failed',
  });
  const seen = Object.entries(verified.evidence)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  throw new DeployError(
    'remote',
    `${step.action} ${step.target} on ${step.host} reported success, but verification finds it not done (${seen || 'no evidence'})`,
    {
      code: 'VERIFY_FAILED',
      hint: `inspect ${step.host} by hand; resume runs the step again after its probe`,
    },
  );
}

/**
 * Reads an apply's exit code (`interpretApply`). A transient or permanent failure is journalled
 * and thrown (retryable when transient); otherwise the outcome is returned.
 */
export async function judgeApply(
  ledger: Ledger,
  step: PlanStep,
  params: Params,
  attempt: number,
  exitCode: number,
  output: string,
): Promise<'ok' | 'alreadyDone' | 'restartPending'> {
  const verdict = interpretApply(step.action, exitCode, output, params);
  if (verdict.outcome !== 'transient' && verdict.outcome !== 'permanent') return verdict.outcome;
  await ledger.record({
    type: 'step.result',
    stepId: step.id,
    host: step.host,
    outcome: 'failed',
    attempt,
    exitCode,
    message: verdict.message,
  });
  throw new DeployError('remote', `${step.action} ${step.target} on ${step.host}: ${verdict.message}`, {
    code: verdict.outcome === 'transient' ? 'STEP_TRANSIENT' : 'STEP_FAILED',
    retryable: verdict.outcome === 'transient',
    hint: `step ${step.id}; fix the cause on ${step.host}, then resume`,
  });
}

/** The journal entry written, and fsynced, before an attempt of `step` may change its host. */
export function intentEntry(step: PlanStep, attempt: number): StepIntentEntry {
  return {
    type: 'step.intent',
    stepId: step.id,
    host: step.host,
    action: step.action,
    target: step.target,
    attempt,
  };
}

/**
 * Journals an attempt that ended in an error (a dropped or timed-out command, a failed read).
 * A retryable error is a command that may have completed on the host: `uncertain`.
 */
export async function recordFailedAttempt(
  ledger: Ledger,
  step: PlanStep,
  attempt: number,
  error: unknown,
): Promise<void> {
  if (isFenceError(error)) {
    // Refused by the fence after its intent: the command was never sent.
    await ledger.record({
      type: 'step.result',
      stepId: step.id,
      host: step.host,
      outcome: 'notRun',
      attempt,
      message: `not sent: ${error.message}`,
    });
    return;
  }
  await ledger.record({
    type: 'step.result',
    stepId: step.id,
    host: step.host,
    outcome: 'failed',
    attempt,
    message: String((error as Error).message),
    ...(isDeployError(error) && error.retryable ? { uncertain: true } : {}),
  });
}
