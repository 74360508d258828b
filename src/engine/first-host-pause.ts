/**
 * The pause after the first host of a rolling stage (`--pause-after-first-hub`, inventory
 * `rollout.pauseAfterFirstHub`): the stage's first host is done on its own, then its health is
 * read (the runbook's read-only step, e.g. the hub's transport service and queue) and shown at a
 * gate. The operator goes on (`--confirm GATE`, the prompt, `--yes`) or stops there (exit 10,
 * resumable); the other hosts start only after that.
 */
import type { Stage } from '../plan/types.js';
import type { EngineDeps } from './context.js';
import type { RunControl } from './control.js';
import { probeStep } from './execute-step.js';
import { confirmGate } from './gate.js';
import type { Ledger } from './ledger.js';

function healthLine(host: string, evidence: Record<string, string>): string {
  const parts = [`transport service ${evidence.transport ?? 'unknown'}`];
  parts.push(
    evidence.queue === undefined || evidence.queue === ''
      ? `queue length unknown${evidence.queueError ? ` (${evidence.queueError})` : ''}`
      : `${evidence.queue} message(s) queued`,
  );
  return `${host}: ${parts.join(', ')}`;
}

/**
 * The part of `stage` still to run once the pause is passed; undefined when the run stops at it
 * (or the first host failed). `run` runs lanes of the stage.
 */
export async function pauseAfterFirstHost(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  control: RunControl,
  run: (stage: Stage) => Promise<void>,
): Promise<Stage | undefined> {
  const pause = stage.pauseAfterFirst;
  const first = stage.lanes[0];
  // Active with the flag, or when the gate is confirmed by name (the resume the pause printed).
  const active =
    deps.options.pauseAfterFirst === true || (pause && deps.options.confirm.includes(pause.gateId));
  if (!pause || !active || !first || stage.lanes.length < 2) return stage;
  if (ledger.gateVerified(pause.gateId)) return stage;
  if (first.steps.some((step) => !ledger.isDone(step.id))) {
    await run({ ...stage, lanes: [first] });
    if (control.halted || first.steps.some((step) => !ledger.isDone(step.id))) return undefined;
  }
  const health = pause.health[first.host];
  const evidence = health ? (await probeStep(deps, ledger, health, control.signal)).evidence : {};
  const checklist = [
    `The first host of stage ${stage.id} is done; its health now:`,
    healthLine(first.host, evidence),
    `If it is healthy, go on with the other ${stage.lanes.length - 1} host(s); if not, stop here and look at ${first.host} (the run stays resumable)`,
  ];
  if (!(await confirmGate(deps, ledger, pause.gateId, control, checklist, first.host))) return undefined;
  await ledger.record({ type: 'gate.verified', gateId: pause.gateId, ok: true, missing: [] });
  deps.emit({ type: 'gate.verified', gate: pause.gateId, ok: true, missing: [] });
  return { ...stage, lanes: stage.lanes.slice(1) };
}
