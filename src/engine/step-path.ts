/**
 * The one path of a step's attempts: journal the intent, send the command that carries the
 * step's sections, judge the sections, retry what is transient, and verify. Every form a step is
 * sent in comes through here; a form only says which command carries which sections
 * (`step-forms.ts`: a `run` carries the probe, apply and verify; after a probe of its own, an
 * `applyVerify` the apply and verify, or an `apply` the apply alone; a batch carries several
 * steps' `run`s, and each step's share comes here as its own `run`'s would, see `run-batch.ts`).
 *
 * Durability is that of three commands: the intent is journalled (fsynced) before the command is
 * sent, because it may apply; a probe section's evidence and the result are journalled from the
 * sections, as one group. A dropped or timed-out command is journalled as failed and probed on
 * its own before any retry, so work that completed on the host is not repeated.
 */
import { isDeployError } from '../errors.js';
import type { PlanStep } from '../plan/types.js';
import type { Params, Phase, Section } from '../remote/header.js';
import { withRetry } from '../transport/retry.js';
import type { EngineDeps } from './context.js';
import type { Ledger } from './ledger.js';
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

/** What one command of a step brought back: its sections, and the command's exit code and stderr. */
export interface Carried {
  sections: Partial<Record<Phase, Section>>;
  /** The sentinel's exit code (a section the script never reached reads as this). */
  exitCode: number;
  stderr: string;
}

/** How a step's attempts are carried to the host (a form, see `step-forms.ts`). */
export interface Carrier {
  /** The command carries the probe: its section is judged here. Else the step was probed, pending, already. */
  probes: boolean;
  /** Sends one attempt's command, once `intent` (the attempt's journal entry) is on disk. */
  send(intent: Promise<unknown>): Promise<Carried>;
}

/** A first attempt sent already, its intent journalled (a batch's share, see `run-batch.ts`). */
export interface SentFirst {
  carried: Promise<Carried>;
  /** Whether the journal said, before that intent, that an earlier attempt may have applied. */
  mayHaveApplied: boolean;
}

export type Outcome = 'ok' | 'alreadyDone' | 'restartPending';

interface Judged {
  outcome: Outcome;
  /** How the step is verified: not at all (its probe found it done), by a verify section, or by a verify command. */
  verify: 'none' | 'command' | Section;
}

/**
 * Runs a step's attempts to its outcome, or throws a DeployError: PROBE_FAILED (a probe section
 * that could not read the host), STEP_TRANSIENT/STEP_FAILED (the apply's exit code, journalled),
 * VERIFY_FAILED, or the last lost command's error once retries are spent. Retries send the
 * carrier's command again (a batch's step: its own `run`).
 */
export async function performStep(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  params: Params,
  carrier: Carrier,
  signal?: AbortSignal,
  first?: SentFirst,
): Promise<Outcome> {
  // Once an attempt may have applied, a later "already done" is this run's own work (also one
  // of an earlier session's, lost with its command).
  let mayHaveApplied = first ? first.mayHaveApplied : ledger.inFlight(step.id);
  let sent = first?.carried;
  const judged = await withRetry<Judged>(
    async () => {
      const taken = sent;
      sent = undefined;
      const attempt = ledger.attempts(step.id) + (taken ? 0 : 1);
      let carried: Carried | { found: ProbeResult };
      if (taken) carried = await taken.catch((error: unknown) => lost(attempt, error));
      else {
        deps.fence?.beforeIntent();
        const intent = ledger.record(intentEntry(step, attempt));
        carried = await carrier.send(intent).catch((error: unknown) => lost(attempt, error));
      }
      if ('found' in carried) return { outcome: 'ok', verify: 'command' };
      return judge(carried, attempt);
    },
    retryOptions(deps, step, signal),
  );
  if (judged.verify === 'none') return judged.outcome;
  const verified =
    judged.verify === 'command'
      ? await withRetry(() => check(deps, step, params, 'verify', signal), retryOptions(deps, step, signal))
      : readVerifySection(step, judged.verify);
  await requireVerified(ledger, step, verified);
  return judged.outcome;

  /**
   * A command that failed to come back (dropped, timed out, refused by the fence): journalled.
   * One that may have completed on the host is probed on its own: found done, it is done (this
   * run's work), not sent again. Otherwise the error stands.
   */
  async function lost(attempt: number, error: unknown): Promise<{ found: ProbeResult }> {
    await recordFailedAttempt(ledger, step, attempt, error);
    if (isDeployError(error) && error.retryable) {
      mayHaveApplied = true;
      const again = await check(deps, step, params, 'probe', signal).catch(() => undefined);
      if (again?.done) return { found: again };
    }
    throw error;
  }

  /** The one reading of a step's sections: the probe's (if carried), the apply's exit code, the verify's. */
  async function judge({ sections, exitCode, stderr }: Carried, attempt: number): Promise<Judged> {
    if (carrier.probes) {
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
    }
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
  }
}
