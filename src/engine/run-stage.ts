/**
 * One stage: per-host lanes of steps in waves of `window` hosts, with an error budget that is
 * never overshot — once it is spent no new host starts. Gates go to `runGate`. A permanent
 * failure asks the operator (retry / skip / abort) in an interactive run, otherwise halts.
 */
import { EXIT, isDeployError } from '../errors.js';
import type { PlanStep, Stage } from '../plan/types.js';
import type { EngineDeps } from './context.js';
import type { RunControl } from './control.js';
import { unlessAborted } from '../abortable.js';
import { executeStep, type Batched } from './execute-step.js';
import { isFenceError } from './fence.js';
import { runBatch } from './run-batch.js';
import { runGate } from './gate.js';
import { afterStage, selectLanes } from './limit.js';
import { pauseAfterFirstHost } from './first-host-pause.js';
import { fetchMsiLog } from './msi-log.js';
import type { Ledger } from './ledger.js';

async function guided(
  deps: EngineDeps,
  ledger: Ledger,
  step: PlanStep,
  control: RunControl,
  batched?: Batched,
): Promise<void> {
  for (let round = 0; round < 20; round++) {
    try {
      // Sent in a batch: the first round judges its share; a retry sends the step on its own.
      await executeStep(deps, ledger, step, undefined, round === 0 ? batched : undefined);
      return;
    } catch (error) {
      // Refused by the fence (halting, lock or lease lost): not a failure of the step, nothing was sent.
      if (isFenceError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await fetchMsiLog(deps, ledger, step);
      deps.emit({
        type: 'step.failed',
        stepId: step.id,
        host: step.host,
        action: step.action,
        target: step.target,
        message,
      });
      if (!deps.options.interactive || !deps.prompt || control.halted) throw error;
      const choices = step.skippable ? 'retry, skip or abort' : 'retry or abort';
      const answer = (
        await deps.prompt.ask(`${step.host}: ${step.action} ${step.target} failed. ${choices}? `)
      ).toLowerCase();
      const choice = answer === 'retry' || (answer === 'skip' && step.skippable) ? answer : 'abort';
      const reason = choice === 'skip' ? await deps.prompt.ask('Why skip it? ') : answer;
      await ledger.record({
        type: 'decision',
        stepId: step.id,
        host: step.host,
        choice,
        by: deps.options.operator,
        reason,
      });
      if (choice === 'abort') throw error;
      if (choice === 'skip') {
        await ledger.record({
          type: 'step.result',
          stepId: step.id,
          host: step.host,
          outcome: 'skipped',
          attempt: ledger.attempts(step.id),
          message: reason,
        });
        return;
      }
    }
  }
}

/** True once every host was reached (at once when the session is not still connecting them). */
async function allReachable(deps: EngineDeps, control: RunControl): Promise<boolean> {
  if (!deps.ready) return true;
  return (await unlessAborted(deps.ready(), control.signal)) === true;
}

export async function runStage(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  control: RunControl,
): Promise<void> {
  // `--limit` / `--exclude`: the lanes this invocation may run (see limit.ts).
  const selected = selectLanes(deps, ledger, stage, control);
  if (!selected) return;
  // `--pause-after-first-hub`: the first host alone, then a gate showing its health.
  const rest = await pauseAfterFirstHost(deps, ledger, selected, control, (s) =>
    runLanes(deps, ledger, s, control),
  );
  if (!rest) return;
  await runLanes(deps, ledger, rest, control);
  afterStage(deps, ledger, stage, control);
}

async function runLanes(deps: EngineDeps, ledger: Ledger, stage: Stage, control: RunControl): Promise<void> {
  deps.emit({ type: 'stage.start', stage: stage.id, title: stage.title, hosts: stage.lanes.length });
  if (stage.kind === 'gate') {
    // A gate's checks span hosts: it waits until every host has been tried.
    if (await allReachable(deps, control)) await runGate(deps, ledger, stage, control);
    if (!control.halted) deps.emit({ type: 'stage.done', stage: stage.id });
    return;
  }
  const queue = [...stage.lanes];
  const failures: { host: string; error: unknown }[] = [];
  const budgetLeft = (): boolean => failures.length <= stage.errorBudget;
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && !control.halted && budgetLeft()) {
      const lane = queue.shift();
      if (!lane) return;
      try {
        // A lane whose steps are all journalled done needs nothing from its host.
        const work = lane.steps.some((step) => !ledger.isDone(step.id));
        if (work && deps.ready && !(await unlessAborted(deps.ready(lane.host), control.signal))) {
          // Not reached: the session halts the run naming it; until then the lane counts as failed.
          failures.push({ host: lane.host, error: new Error(`${lane.host} cannot be reached`) });
          continue;
        }
        // Consecutive steps go as one batch where they can (see run-batch.ts); a step the last
        // batch did not send starts the next.
        let sent = new Map<string, Batched>();
        for (const [i, step] of lane.steps.entries()) {
          // A halt starts nothing new; steps a batch already sent are judged, as they ran.
          if (control.halted && !sent.has(step.id)) return;
          if (!sent.has(step.id) && deps.options.batch) sent = await runBatch(deps, ledger, lane.steps, i);
          await guided(deps, ledger, step, control, sent.get(step.id));
        }
      } catch (error) {
        failures.push({ host: lane.host, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(stage.window, stage.lanes.length)) }, worker));
  // No stage is over before every host has been tried (a resume connects them while it runs).
  await allReachable(deps, control);
  if (failures.length > 0) {
    const first = failures[0]?.error;
    const hosts = failures.map((f) => f.host).join(', ');
    control.halt({
      reason: `stage "${stage.id}" failed on ${hosts}: ${first instanceof Error ? first.message : String(first)}`,
      exitCode: EXIT.failed,
      ...(isDeployError(first) && first.hint ? { hint: first.hint } : {}),
    });
    return;
  }
  if (!control.halted) deps.emit({ type: 'stage.done', stage: stage.id });
}
