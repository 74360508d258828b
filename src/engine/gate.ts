/**
 * Operator gates: work only a person can do (the runbook says what: a GUI such as HMC's
 * Deployment Tool, a test message), so its steps are done by a person. The run
 * probes what is already done, shows the exact checklist, waits for confirmation (a prompt, or
 * exit 10 with the command to confirm), then verifies by probing every host the work lives on
 * and refuses to continue, naming what was missed.
 */
import { EXIT } from '../errors.js';
import { resumeCommand } from './carry-on.js';
import type { Stage } from '../plan/types.js';
import type { EngineDeps, SimulatedOperator } from './context.js';
import { buildScript } from '../actions/build-script.js';
import type { RunControl } from './control.js';
import { probeStep } from './execute-step.js';
import type { Ledger } from './ledger.js';
import { runPhase } from './run-phase.js';
import { resolveParams } from './params.js';

async function pendingItems(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  signal: AbortSignal,
  progress?: string,
) {
  const steps = stage.lanes.flatMap((lane) => lane.steps);
  const pending = [];
  for (const [index, step] of steps.entries()) {
    if (progress) deps.emit({ type: 'gate.verifying', gate: progress, checked: index, total: steps.length });
    const probe = await probeStep(deps, ledger, step, signal);
    if (!probe.done) pending.push({ step, evidence: probe.evidence });
  }
  if (progress)
    deps.emit({ type: 'gate.verifying', gate: progress, checked: steps.length, total: steps.length });
  return pending;
}

/** Answers that confirm and that stop at a gate; anything else is asked again. */
const CONFIRM_ANSWERS = ['done', 'yes', 'y'];
const STOP_ANSWERS = ['abort', 'no', 'n'];
/** How many unexpected answers before the run stops at the gate (resumable) instead of asking on. */
const MAX_GATE_QUESTIONS = 10;

/** Asks until the operator says done/yes or abort/no; true when confirmed. */
async function askGate(
  prompt: NonNullable<EngineDeps['prompt']>,
  gateId: string,
  host: string,
): Promise<{ confirmed: boolean; answer: string }> {
  let question = `Gate "${gateId}": do the checklist above on ${host}, then type "done" (or "abort" to stop here): `;
  let answer = '';
  for (let asked = 0; asked < MAX_GATE_QUESTIONS; asked++) {
    answer = await prompt.ask(question);
    const word = answer.trim().toLowerCase();
    if (CONFIRM_ANSWERS.includes(word)) return { confirmed: true, answer };
    if (STOP_ANSWERS.includes(word)) return { confirmed: false, answer };
    question = `"${answer}" is neither "done" nor "abort": type "done" once the checklist is done on ${host}, or "abort" to stop at this gate: `;
  }
  return { confirmed: false, answer };
}

/** Confirms gate `gateId` (already, `--yes`, `--confirm`, the prompt) or halts at it; true once confirmed. */
export async function confirmGate(
  deps: EngineDeps,
  ledger: Ledger,
  gateId: string,
  control: RunControl,
  checklist: string[],
  host: string,
): Promise<boolean> {
  const already = ledger.gateConfirmed(gateId);
  if (already) return true;
  const how = deps.options.yes
    ? '--yes'
    : deps.options.confirm.includes(gateId)
      ? `--confirm ${gateId}`
      : undefined;
  deps.emit({ type: 'gate.waiting', gate: gateId, host, checklist });
  if (!how && deps.options.interactive && deps.prompt) {
    const { confirmed, answer } = await askGate(deps.prompt, gateId, host);
    if (!confirmed) {
      await ledger.record({ type: 'gate.waiting', gateId });
      control.halt({
        reason: `gate ${gateId} not confirmed (answer "${answer}"): the run waits at it`,
        exitCode: EXIT.waitingForOperator,
        hint: `do the checklist, then run: ${resumeCommand(deps.options, deps.inventory.file, deps.runId, '--confirm', gateId)}`,
      });
      return false;
    }
    await ledger.record({ type: 'gate.confirmed', gateId, by: deps.options.operator, how: 'prompt' });
    deps.emit({ type: 'gate.confirmed', gate: gateId, by: deps.options.operator, how: 'prompt' });
    return true;
  }
  if (!how) {
    await ledger.record({ type: 'gate.waiting', gateId });
    control.halt({
      reason: `waiting for the operator at gate "${gateId}" on ${host}`,
      exitCode: EXIT.waitingForOperator,
      hint: `do the checklist, then run: ${resumeCommand(deps.options, deps.inventory.file, deps.runId, '--confirm', gateId)}`,
    });
    return false;
  }
  await ledger.record({ type: 'gate.confirmed', gateId, by: deps.options.operator, how });
  deps.emit({ type: 'gate.confirmed', gate: gateId, by: deps.options.operator, how });
  return true;
}

export async function runGate(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  control: RunControl,
): Promise<void> {
  const gate = stage.gate;
  if (!gate) throw new Error(`stage ${stage.id} is not a gate`);
  // Verified in an earlier invocation: a crash may have come before its items were journalled.
  if (ledger.gateVerified(gate.id))
    return recordGateWork(deps, ledger, stage, ledger.gateEverConfirmed(gate.id));
  const signal = control.signal;
  const before = await pendingItems(deps, ledger, stage, signal);
  if (before.length > 0) {
    const checklist = [
      ...gate.checklist.slice(0, 1),
      ...before.map((p) => `${p.step.description}`),
      ...gate.checklist.slice(-1),
    ];
    if (!(await confirmGate(deps, ledger, gate.id, control, checklist, gate.host))) return;
    if (deps.options.lab && deps.simulatedOperator)
      await labOperator(
        deps.simulatedOperator,
        deps,
        ledger,
        stage,
        before.map((p) => p.step),
      );
  }
  const missing = (await pendingItems(deps, ledger, stage, signal, gate.id)).map(
    (p) =>
      `${p.step.target || p.step.action} (${
        Object.entries(p.evidence)
          .filter(([k]) => k.endsWith('state'))
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'not done'
      })`,
  );
  await ledger.record({ type: 'gate.verified', gateId: gate.id, ok: missing.length === 0, missing });
  deps.emit({ type: 'gate.verified', gate: gate.id, ok: missing.length === 0, missing });
  if (missing.length > 0) {
    control.halt({
      // One item per line; the console shows this once, at the end (the report's gate table too).
      reason: [
        `gate "${gate.id}" was confirmed, but ${missing.length} item(s) are not done:`,
        ...missing.map((item) => `  - ${item}`),
      ].join('\n'),
      exitCode: EXIT.failed,
      hint: `${deps.runbook.gateAdvice?.(gate) ?? `finish them on ${gate.host}`}, then run: ${resumeCommand(deps.options, deps.inventory.file, deps.runId, '--confirm', gate.id)}`,
    });
    return;
  }
  // Only work the operator was asked to do in this run changed the estate (and creates duties);
  // a gate found complete at its first probe is already done, like any other step.
  await recordGateWork(deps, ledger, stage, before.length > 0 || ledger.gateEverConfirmed(gate.id));
}

/**
 * Journals a verified gate's items done (`operated`: by the operator, raising their duties; else
 * found done before the gate). Skips what is already journalled, so a resume can finish it.
 */
async function recordGateWork(
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  operated: boolean,
): Promise<void> {
  for (const step of stage.lanes.flatMap((lane) => lane.steps)) {
    const recorded = ledger.isDone(step.id);
    if (!recorded)
      await ledger.record({
        type: 'step.result',
        stepId: step.id,
        host: step.host,
        outcome: operated ? 'ok' : 'alreadyDone',
        attempt: 1,
        durationMs: 0,
        message: operated ? 'done by the operator' : 'already done before the gate',
      });
    if (!operated) continue;
    for (const obligation of step.raises ?? []) {
      // A step journalled done earlier raised its duty then: raise it now only if it never was
      // (a crash between the two entries), never again once discharged.
      const due = recorded
        ? !ledger.obligationEverRaised(obligation.id)
        : !ledger.isObligationOpen(obligation.id);
      if (due) {
        await ledger.record({
          type: 'obligation.raised',
          id: obligation.id,
          description: obligation.description,
        });
        deps.emit({
          type: 'obligation',
          id: obligation.id,
          status: 'raised',
          description: obligation.description,
        });
      }
    }
  }
}

/** Lab only: the simulated operator does the confirmed gate's work (one command to the gate host). */
async function labOperator(
  operator: SimulatedOperator,
  deps: EngineDeps,
  ledger: Ledger,
  stage: Stage,
  steps: Stage['lanes'][number]['steps'],
): Promise<void> {
  const gate = stage.gate;
  if (!gate) return;
  const items = steps.map((step) => ({
    action: step.action,
    target: step.target,
    hosts: step.verifyOn ?? [step.host],
    params: Object.fromEntries(
      Object.entries(
        resolveParams(
          step.params,
          { captures: ledger.captures, packageHashes: deps.packageHashes, package: deps.package },
          step.id,
        ),
      ).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  }));
  const operatorStep = {
    id: `${stage.id}/${gate.host}/operator`,
    stage: stage.id,
    host: gate.host,
    role: deps.inventory.hosts.find((host) => host.name === gate.host)?.roles[0] ?? '',
    action: operator.action,
    target: gate.id,
    description: 'simulated operator',
    params: {},
  };
  const params = { gate: gate.id, items };
  const script = buildScript({
    run: deps.runId,
    step: operatorStep.id,
    action: operator.action,
    phase: 'apply',
    host: gate.host,
    target: gate.id,
    params,
    builder: operator.script,
  });
  const result = await runPhase(deps, operatorStep, 'apply', params, { script });
  deps.emit({
    type: 'note',
    message: `simulated operator did ${items.length} item(s) of gate ${gate.id} (exit ${result.exitCode})`,
  });
}
