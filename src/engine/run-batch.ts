/**
 * Consecutive steps of one host's lane as one `batch` command: each step's `run` (probe; if not
 * done, apply, then verify) in one script, going on to the next only after a step that ended
 * done (`STEP_FLOW.nextStepAfter`, see `buildBatchScript`). A batch is not a way of running a
 * step of its own: it multiplexes several steps' `run`s into one command and demultiplexes the
 * output into each step's share, which then takes the one path every step takes. A rolling hub's lane is 17 steps: sent one by one they are 19
 * round trips, each paying the journal's fsync and a wake-up of both ends; batched, 7.
 *
 * Durability is that of the steps sent one by one: every step's intent is journalled (one
 * fsynced group) before the batch is sent, because any of them may apply. Each step's share of
 * the output is then judged exactly as its own `run` command's would be (`performStep` in
 * `step-path.ts`, with the share as its first attempt), in lane order, with its own result in the journal. A step the
 * batch did not reach (the script ended the batch at an earlier step) is journalled `notRun`
 * (still to do), and runs on its own. A batch that did not finish (dropped, timed
 * out, cancelled) keeps the steps whose share closed before the loss (judged as above); the step
 * it cut into and those after it have a failed attempt: each is probed on its own before any
 * retry, and one found done is this run's work (it may have applied), as after a lost `run`.
 */
import { buildBatchScript } from '../actions/build-script.js';
import { OWN_PROCESS_ACTIONS } from '../actions/catalog.js';
import { DeployError } from '../errors.js';
import type { PlanStep } from '../plan/types.js';
import {
  PHASES,
  readBatch,
  readSections,
  STEP_PREFIX,
  STEP_RC_PREFIX,
  type BatchShare,
  type Params,
} from '../remote/header.js';
import type { EngineDeps } from './context.js';
import { nothingToFollowUp, stepStart, type Batched } from './execute-step.js';
import type { Ledger } from './ledger.js';
import { resolveParams } from './params.js';
import { combinable } from './run-combined.js';
import { commandEvent, scriptName, sendScript, type PhaseResult } from './run-phase.js';
import { intentEntry } from './step-parts.js';

/** The most steps one batch takes. */
export const MAX_BATCH_STEPS = 12;

interface Member {
  step: PlanStep;
  params: Params;
}

/**
 * The steps from `from` on that go in one batch with it, or none when fewer than two would. A
 * batch takes consecutive steps the engine has nothing to decide for between probe and apply
 * (`combinable`), and ends before a step that:
 * - is done already;
 * - follows up others (`neededAfter`) and is not known to be needed yet: nothing it follows has
 *   changed, or a step it follows is in this batch (judged only after the batch);
 * - takes a value a step of the batch notes (`{{capture:…}}`, journalled only after it);
 * - has params that cannot be resolved now (it then fails on its own, as it would unbatched).
 * It ends after a step that discharges an obligation, or runs in a powershell.exe of its own
 * (`OWN_PROCESS_ACTIONS`: the batch then runs in one, which ends with it).
 */
function batchFrom(deps: EngineDeps, ledger: Ledger, steps: readonly PlanStep[], from: number): Member[] {
  const members: Member[] = [];
  for (const step of steps.slice(from, from + MAX_BATCH_STEPS)) {
    if (ledger.isDone(step.id)) break;
    // A follow-up goes in only when it is needed for steps judged already: one it follows in this
    // batch is judged only after it, and one with nothing to follow up is decided without a command.
    if (nothingToFollowUp(ledger, step)) break;
    if (members.some((m) => step.neededAfter?.includes(m.step.id))) break;
    if (!combinable(step, (id) => ledger.isObligationOpen(id))) break;
    const text = JSON.stringify(step.params);
    if (members.some((m) => text.includes(`{{capture:${m.step.id}:`))) break;
    let params: Params;
    try {
      params = resolveParams(
        step.params,
        { captures: ledger.captures, packageHashes: deps.packageHashes, package: deps.package },
        step.id,
      );
    } catch {
      break;
    }
    members.push({ step, params });
    if (OWN_PROCESS_ACTIONS.has(step.action) || (step.discharges && step.discharges.length > 0)) break;
  }
  return members.length > 1 ? members : [];
}

/**
 * Sends the batch that starts at `steps[from]`, if one does; resolves with the steps it sent,
 * each with its share of the outcome for {@link executeStep}. Empty when no batch starts there
 * (the step then runs on its own). Never rejects for what the command did.
 */
export async function runBatch(
  deps: EngineDeps,
  ledger: Ledger,
  steps: readonly PlanStep[],
  from: number,
): Promise<Map<string, Batched>> {
  const sent = new Map<string, Batched>();
  const members = batchFrom(deps, ledger, steps, from);
  const first = members[0]?.step;
  if (!first) return sent;
  // Halting, or no longer holding the lock: nothing is journalled or sent; each step meets the
  // fence again on its own and stops there.
  try {
    deps.fence?.beforeIntent();
  } catch {
    return sent;
  }
  const host = first.host;
  const startedAt = deps.now();
  deps.emit(stepStart(first));
  const attempts = new Map(members.map(({ step }) => [step.id, ledger.attempts(step.id) + 1]));
  const uncertain = new Set(
    members.filter(({ step }) => ledger.inFlight(step.id)).map(({ step }) => step.id),
  );
  const intent = (step: PlanStep) => intentEntry(step, attempts.get(step.id) ?? 1);
  // An attempt that never started on the host (journalled with whatever is written next).
  const notRun = (step: PlanStep, message: string): void =>
    ledger.defer({
      type: 'step.result',
      stepId: step.id,
      host: step.host,
      outcome: 'notRun',
      attempt: attempts.get(step.id) ?? 1,
      message,
    });
  for (const { step } of members.slice(0, -1)) ledger.defer(intent(step));
  // Intents that cannot be written: nothing was sent, and each step meets that on its own.
  const written = ledger.record(intent(members[members.length - 1]?.step ?? first)).then(
    () => true,
    () => false,
  );
  // Built while the intents are fsynced; sent only once they are on disk.
  let script: string | undefined;
  try {
    script = buildBatchScript({
      run: deps.runId,
      host,
      steps: members.map(({ step, params }) => ({
        step: step.id,
        action: step.action,
        target: step.target,
        params,
      })),
    });
  } catch {
    script = undefined;
  }
  if (!(await written)) return sent;
  if (script === undefined) {
    // Nothing was sent: each step runs on its own, and the one whose script cannot be built fails.
    for (const { step } of members) notRun(step, "not run: its batch's script could not be built");
    return sent;
  }
  const fenced = await deps.fence?.beforeApply(host).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  if (fenced !== undefined) {
    // Journalled, never sent: each step's attempt did not start (the next write takes these).
    const why = fenced.message;
    for (const { step } of members) notRun(step, `not sent: ${why}`);
    await ledger.flush().catch(() => undefined);
    return sent;
  }
  const batched = (step: PlanStep, outcome: Promise<PhaseResult>): Batched => ({
    first: outcome,
    mayHaveApplied: uncertain.has(step.id),
    ...(step === first ? { startedAt } : {}),
  });
  const allLost = (error: unknown): Map<string, Batched> => {
    for (const { step } of members) sent.set(step.id, batched(step, rejected(error)));
    return sent;
  };

  const batch = { first: first.id, steps: members.length };
  const where = `a batch of ${members.length} steps from ${first.action} ${first.target} on ${host}`;
  const result = await sendScript(deps, host, script, where, {
    // Each step has a step's deadline: it starts again as the host starts each (its marker).
    timeoutMs: deps.options.stepTimeoutMs,
    rearmOn: STEP_PREFIX,
    scriptName: scriptName(deps.runId, first.id, 'batch', host),
    ...(members.some((m) => OWN_PROCESS_ACTIONS.has(m.step.action)) ? { ownProcess: true } : {}),
  }).catch((error: unknown) => ({ thrown: error }));
  if ('thrown' in result) return allLost(result.thrown);
  const { raw, sentinel, failure } = result;
  const lost =
    failure ??
    (raw.truncatedBytes
      ? new DeployError('remote', `${where}: its output was cut short, so no step's share can be read`, {
          code: 'OUTPUT_TRUNCATED',
          retryable: true,
          hint: 'each step is probed again to see whether it completed before it is retried',
        })
      : undefined);
  if (lost || !sentinel) {
    // What finished before the loss is kept: a step whose share closed with its `__STEP_RC__`
    // (and the next step's marker, or nothing after it) is judged as its own `run` would be, so
    // a step the host completed is journalled done, not uncertain, and is not sent again. The
    // step the loss cut into, and any after it, may or may not have run: each is judged as
    // after a lost `run` of its own.
    const kept = lost && !raw.truncatedBytes ? finishedShares(raw.stdout, raw.stderr, members) : [];
    deps.emit(
      commandEvent(first, host, 'batch', {
        durationMs: raw.durationMs,
        exitCode: sentinel?.exitCode ?? null,
        output: raw.stdout,
        stderr: raw.stderr,
        batch,
      }),
    );
    for (const [i, share] of kept.entries()) {
      const step = members[i]?.step;
      if (step) sent.set(step.id, batched(step, Promise.resolve(ownResult(share, share.exitCode))));
    }
    for (const { step } of members.slice(kept.length))
      sent.set(step.id, batched(step, rejected(lost ?? new Error(`${where}: no sentinel`))));
    return sent;
  }

  const shares = readBatch(
    sentinel.output,
    raw.stderr,
    members.map((m) => m.step.id),
  );
  for (const [i, { step }] of members.entries()) {
    const share = shares[i];
    if (!share) {
      // The script ended the batch before this step: it never started on the host.
      notRun(
        step,
        `not run: the batch it was sent in ended at ${members[shares.length - 1]?.step.id ?? first.id}`,
      );
      continue;
    }
    // A step the script left inside (the trap) takes the batch's exit code, as a `run` would.
    const exitCode = share.exitCode ?? sentinel.exitCode;
    const sections = readSections(share.output, share.stderr, exitCode, PHASES);
    deps.emit(
      commandEvent(step, host, 'run', {
        durationMs: raw.durationMs,
        exitCode,
        output: share.output,
        stderr: share.stderr,
        sections,
        batch,
      }),
    );
    sent.set(step.id, batched(step, Promise.resolve(ownResult(share, exitCode, sections))));
  }
  return sent;

  function ownResult(
    share: BatchShare,
    exitCode: number,
    sections = readSections(share.output, share.stderr, exitCode, PHASES),
  ): PhaseResult {
    return {
      exitCode,
      output: share.output,
      stderr: share.stderr,
      results: {},
      durationMs: raw.durationMs,
      sections,
    };
  }
}

/**
 * The shares of a lost batch's partial output that closed before the loss: each with its exit
 * code, in order, stopping at the first that did not close. A step's share is whole once its
 * `__STEP_RC__` line arrived (the script prints it after the step's verify), so what it printed
 * is what its own `run` would have; only a step that ended done lets the next start.
 */
export function finishedShares(
  stdout: string,
  stderr: string,
  members: readonly { step: PlanStep }[],
): (BatchShare & { exitCode: number })[] {
  if (!stdout.includes(STEP_RC_PREFIX)) return [];
  const shares = readBatch(
    stdout,
    stderr,
    members.map((m) => m.step.id),
  );
  const kept: (BatchShare & { exitCode: number })[] = [];
  for (const share of shares) {
    if (share.exitCode === undefined) break;
    kept.push({ ...share, exitCode: share.exitCode });
  }
  return kept;
}

/** A rejection read later (or never, by a step the lane does not reach): handled now. */
function rejected(error: unknown): Promise<PhaseResult> {
  const promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  promise.catch(() => undefined);
  return promise;
}
