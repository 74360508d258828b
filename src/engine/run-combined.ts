/**
 * A step as one `run` command: the host probes, and only if the step is not done applies and
 * verifies, in one script (see `buildScript`), so a step costs one round trip instead of three.
 *
 * Durability is that of three commands: the intent is journalled (fsynced) before the script
 * is sent, because it may apply; the probe's evidence (captures) and the result are journalled
 * from its sections, as one group (the probe's evidence is only known once the apply ran, so
 * nothing gains from writing it first). A dropped or timed-out `run` is journalled as failed
 * and probed on its own before any retry, exactly as a dropped apply, so work that completed on
 * the host is not repeated.
 */
import { GATE_ACTIONS } from '../actions/catalog.js';
import { isDeployError } from '../errors.js';
import type { PlanStep } from '../plan/types.js';
import type { Params, Section } from '../remote/header.js';
import { withRetry } from '../transport/retry.js';
import type { EngineDeps } from './context.js';
import type { Ledger } from './ledger.js';
import { runPhase, type PhaseResult } from './run-phase.js';
import {
  check,
  intentEntry,
  judgeApply,
  readCheck,
  readFailed,
  readVerifySection,
  recordFailedAttempt,
  requireVerified,
  retryOptions,
  type ProbeResult,
} from './step-parts.js';

/**
 * Whether a step may run as one command. Not when the engine itself must act between the probe
 * and the apply:
 * - `supersededBy`: a pending probe is settled by probing other steps first;
 * - `verifyOn`: it is probed and verified on other hosts than the one it applies on;
 * - `package.upload`: the engine transfers the file (SFTP) between probe and apply;
 * - gate actions: the operator does the work, there is no apply script;
 * - an obligation to raise: the duty is journalled once the probe finds work, before the apply
 *   (an obligation already open needs nothing, so such a step may combine).
 * Follow-up steps (`neededAfter`) are decided by the engine before either way is chosen.
 */
export function combinable(step: PlanStep, isObligationOpen: (id: string) => boolean): boolean {
  if (step.supersededBy && step.supersededBy.length > 0) return false;
  if (step.verifyOn && step.verifyOn.length > 0) return false;
  if (step.action === 'package.upload' || GATE_ACTIONS.has(step.action)) return false;
  return (step.raises ?? []).every((obligation) => isObligationOpen(obligation.id));
}

interface Applied {
  outcome: 'ok' | 'alreadyDone' | 'restartPending';
  /** How the step is verified: not at all (its probe found it done), by the run's own verify section, or by a verify command. */
  verify: 'none' | 'command' | Section;
}

/**
 * Runs a combinable step to its outcome, or throws as the three-command way would (PROBE_FAILED,
 * STEP_TRANSIENT/STEP_FAILED from the apply's exit code, VERIFY_FAILED).
 *
 * `first`: the step's first attempt was already sent, its intent journalled (a batch, see
 * `run-batch.ts`); `result` is its share of the outcome, read as its own `run` command's (a
 * rejection is that command failing), `mayHaveApplied` what the journal said before the intent.
 * Retries send the step's own `run`.
 */
export async function runCombined(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  params: Params,
  signal?: AbortSignal,
  first?: { result: Promise<PhaseResult>; mayHaveApplied: boolean },
): Promise<'ok' | 'alreadyDone' | 'restartPending'> {
  // Once an attempt may have applied, a later "already done" is this run's own work (also one
  // of an earlier session's, lost with its command).
  let mayHaveApplied = first ? first.mayHaveApplied : ledger.inFlight(step.id);
  let sent = first?.result;
  const applied = await withRetry<Applied>(
    async () => {
      const taken = sent;
      sent = undefined;
      const attempt = ledger.attempts(step.id) + (taken ? 0 : 1);
      if (!taken) deps.fence?.beforeIntent();
      const intent = taken ? undefined : ledger.record(intentEntry(step, attempt));
      let sections: Partial<Record<'probe' | 'apply' | 'verify', Section>>;
      let exitCode: number;
      let stderr: string;
      try {
        const result = await (taken ??
          runPhase(deps, step, 'run', params, {
            after: intent,
            ...(signal ? { signal } : {}),
          }));
        sections = result.sections ?? {};
        exitCode = result.exitCode;
        stderr = result.stderr;
      } catch (error) {
        await recordFailedAttempt(ledger, step, attempt, error);
        if (isDeployError(error) && error.retryable) {
          mayHaveApplied = true;
          // Did it complete on the host before we lost it? Then it is done, not sent again.
          const again = await check(deps, step, params, 'probe', signal).catch(() => undefined);
          if (again?.done) return { outcome: 'ok', verify: 'command' };
        }
        throw error;
      }

      const probe = sections.probe;
      if (!probe || probe.exitCode !== 0) {
        const error = readFailed(
          step,
          step.host,
          'probe',
          probe?.exitCode ?? exitCode,
          (probe?.stderr ?? stderr).trim() || (probe?.output ?? '').trim(),
        );
        await recordFailedAttempt(ledger, step, attempt, error);
        throw error;
      }
      const found = readCheck(probe.output);
      // Durable with whatever this step journals next (its result, or its failure): one fsync.
      ledger.defer({
        type: 'step.probe',
        stepId: step.id,
        host: step.host,
        done: found.done,
        evidence: found.evidence,
      });
      if (found.done) return { outcome: mayHaveApplied ? 'ok' : 'alreadyDone', verify: 'none' };

      mayHaveApplied = true;
      // No apply section after a pending probe: the script stopped in between (its sentinel says how).
      const apply = sections.apply ?? { output: '', stderr, exitCode };
      const outcome = await judgeApply(
        ledger,
        step,
        params,
        attempt,
        apply.exitCode,
        apply.output + apply.stderr,
      );
      return { outcome, verify: sections.verify ?? 'command' };
    },
    retryOptions(deps, step, signal),
  );
  if (applied.verify === 'none') return applied.outcome;
  await requireVerified(ledger, step, await verifiedBy(applied.verify));
  return applied.outcome;

  async function verifiedBy(section: 'command' | Section): Promise<ProbeResult> {
    if (section === 'command') {
      return withRetry(() => check(deps, step, params, 'verify', signal), retryOptions(deps, step, signal));
    }
    return readVerifySection(step, section);
  }
}
