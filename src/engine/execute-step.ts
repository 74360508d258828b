/**
 * One step, safe to run again: probe ("already done?"), journal the intent, apply, journal the
 * result, verify. Transient failures are retried with backoff; a dropped or timed-out apply is
 * probed again before it is retried, so a command that completed on the host is not repeated.
 *
 * Here the engine decides what it must before any command (a step done already, a follow-up
 * with nothing to follow up), the step's form (`step-forms.ts`: which command carries which of
 * its sections) and, for a step whose probe it must act on, that probe and what follows from it
 * (settling it, raising duties). The attempts themselves, their sections and their judgement are
 * the one path in `step-path.ts`, whatever the form.
 */
import type { DoneOutcome } from '../durability/journal-types.js';
import type { ObligationSpec, PlanStep } from '../plan/types.js';
import { withRetry } from '../transport/retry.js';
import type { EngineDeps } from './context.js';
import type { Ledger } from './ledger.js';
import { resolveParams } from './params.js';
import type { PhaseResult } from './run-phase.js';
import type { RunEvent } from '../log/events.js';
import { applyCarrier, carriedBy, runCarrier, stepCommands } from './step-forms.js';
import { check, retryOptions, type ProbeResult } from './step-parts.js';
import { performStep } from './step-path.js';

export function stepStart(step: PlanStep): RunEvent {
  return {
    type: 'step.start',
    stage: step.stage,
    stepId: step.id,
    host: step.host,
    action: step.action,
    target: step.target,
  };
}

/** How a step's execution ended: done (the journal's outcomes), or `journal` (recorded already). */
export type Executed = DoneOutcome | 'journal';

/** A follow-up step (`neededAfter`) with nothing it follows changed in this run: done, decided without the host. */
export function nothingToFollowUp(ledger: Ledger, step: PlanStep): boolean {
  return (
    !!step.neededAfter && step.neededAfter.length > 0 && !step.neededAfter.some((id) => ledger.changed(id))
  );
}

/**
 * A pending probe is not the last word for a step that only prepares for, or follows up, other
 * work: with nothing left to prepare (its end state already probes done) or nothing to follow up
 * (no step it follows changed anything in this run), it is already done. Without this, a second
 * run over a finished estate would stop engines and restart services for nothing.
 */
async function settle(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  probe: ProbeResult,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  if (probe.done) return probe;
  if (nothingToFollowUp(ledger, step)) {
    return {
      done: true,
      evidence: { ...probe.evidence, reason: 'nothing it follows up changed in this run' },
    };
  }
  if (step.supersededBy && step.supersededBy.length > 0) {
    for (const end of step.supersededBy) {
      if (!(await probeStep(deps, ledger, end, signal)).done) return probe;
    }
    return {
      done: true,
      evidence: { ...probe.evidence, reason: 'the end state it prepares for is already reached' },
    };
  }
  return probe;
}

export async function probeStep(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const params = resolveParams(
    step.params,
    { captures: ledger.captures, packageHashes: deps.packageHashes, package: deps.package },
    step.id,
  );
  const probe = await withRetry(
    () => check(deps, step, params, 'probe', signal),
    retryOptions(deps, step, signal),
  );
  return settle(deps, ledger, step, probe, signal);
}

/**
 * Defers (into the group with the step's probe and intent or result) the step's duties that
 * `which` picks and are not open yet. The duty exists from the moment the change may have
 * started (or is found made), so it is recorded before the apply.
 */
function raiseObligations(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  which: (obligation: ObligationSpec) => boolean,
): void {
  for (const obligation of (step.raises ?? []).filter(which)) {
    if (ledger.isObligationOpen(obligation.id)) continue;
    ledger.defer({
      type: 'obligation.raised',
      id: obligation.id,
      description: obligation.description,
      host: step.host,
    });
    deps.emit({
      type: 'obligation',
      id: obligation.id,
      status: 'raised',
      description: obligation.description,
    });
  }
}

/** A step whose first attempt went out in a batch (see `run-batch.ts`). */
export interface Batched {
  /** Its share of the batch's outcome, judged as its own `run` command's (`performStep`, `step-path.ts`). */
  first: Promise<PhaseResult>;
  /** Whether the journal said, before the batch's intents, that an earlier attempt may have applied. */
  mayHaveApplied: boolean;
  /** When it started (announced by the batch), for the batch's first step; else now. */
  startedAt?: number;
}

/** Runs one step to completion, or throws a permanent DeployError. */
export async function executeStep(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  signal?: AbortSignal,
  batched?: Batched,
): Promise<Executed> {
  try {
    return await runStep(deps, ledger, step, signal, batched);
  } finally {
    // Whatever the step deferred is on disk before the step is over, however it ended.
    await ledger.flush();
  }
}

async function runStep(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  signal?: AbortSignal,
  batched?: Batched,
): Promise<Executed> {
  if (ledger.isDone(step.id)) return 'journal';
  const started = batched?.startedAt ?? deps.now();
  if (batched?.startedAt === undefined) deps.emit(stepStart(step));
  const params = resolveParams(
    step.params,
    { captures: ledger.captures, packageHashes: deps.packageHashes, package: deps.package },
    step.id,
  );
  const finish = async (
    outcome: Exclude<Executed, 'journal'>,
    extra: Record<string, unknown> = {},
  ): Promise<Executed> => {
    const durationMs = deps.now() - started;
    const discharged = (step.discharges ?? []).filter((id) => ledger.isObligationOpen(id));
    ledger.defer({
      type: 'step.result',
      stepId: step.id,
      host: step.host,
      outcome,
      attempt: ledger.attempts(step.id),
      durationMs,
      ...extra,
    });
    for (const id of discharged) ledger.defer({ type: 'obligation.discharged', id, how: `step ${step.id}` });
    // The next command waits for its intent's fsync, which takes this group to disk too.
    await ledger.flush({ sync: false });
    for (const id of discharged) deps.emit({ type: 'obligation', id, status: 'discharged', description: id });
    deps.emit({
      type: 'step.done',
      stage: step.stage,
      stepId: step.id,
      host: step.host,
      action: step.action,
      target: step.target,
      outcome,
      durationMs,
      attempts: ledger.attempts(step.id),
    });
    return outcome;
  };

  // Sent already: it went as its own `run` would have (a batch takes only combinable steps).
  if (batched) {
    const carried = batched.first.then((result) => carriedBy(result, 'run'));
    carried.catch(() => undefined);
    return finish(
      await performStep(deps, ledger, step, params, runCarrier(deps, step, params, signal), signal, {
        carried,
        mayHaveApplied: batched.mayHaveApplied,
      }),
    );
  }
  if (nothingToFollowUp(ledger, step)) {
    // Decided here, with no command: whatever the host would say, there is nothing to follow up.
    ledger.defer({
      type: 'step.probe',
      stepId: step.id,
      host: step.host,
      done: true,
      evidence: { reason: 'nothing it follows up changed in this run' },
    });
    return finish('alreadyDone');
  }
  const [, then] = stepCommands(step, (id) => ledger.isObligationOpen(id));
  // One command, the `run`, carries the probe, the apply and the verify.
  if (!then)
    return finish(
      await performStep(deps, ledger, step, params, runCarrier(deps, step, params, signal), signal),
    );

  // The probe is a command of its own: the engine acts on what it says before any apply.
  const own = await withRetry(
    () => check(deps, step, params, 'probe', signal),
    retryOptions(deps, step, signal),
  );
  const probe = await settle(deps, ledger, step, own, signal);
  // The probe, any duty it raises and the intent are one group: durable before the apply.
  ledger.defer({
    type: 'step.probe',
    stepId: step.id,
    host: step.host,
    done: probe.done,
    evidence: probe.evidence,
  });
  if (probe.done) {
    // Its effect found on the host (its own probe, not a settled one) carries the duty too.
    if (own.done) raiseObligations(deps, ledger, step, (o) => o.raisedWhenFoundDone === true);
    return finish(ledger.inFlight(step.id) ? 'ok' : 'alreadyDone');
  }
  // Nothing new once the run is halting: not even the duty, for a change that will not start.
  deps.fence?.beforeIntent();
  raiseObligations(deps, ledger, step, () => true);
  return finish(
    await performStep(
      deps,
      ledger,
      step,
      params,
      applyCarrier(deps, step, params, then.phase, signal),
      signal,
    ),
  );
}
