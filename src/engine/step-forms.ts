/**
 * The forms a step is sent in: which command carries which of its sections (probe, apply,
 * verify). Deciding the form is all that differs between them; every form's attempts are then
 * judged by the one path in `step-path.ts`. The forms:
 *
 * - `run`: one command carries all three (see {@link combinable} for which steps may);
 * - the probe as a command of its own (the engine acts on it before the apply: settles it,
 *   raises duties, transfers a file), then `applyVerify`: the apply and its verify;
 * - the same with `apply` alone and the verify as a command of its own, when the verify reads
 *   other hosts (`verifyOn`) or there is no apply script to verify in (a gate action);
 * - a `batch`: several steps' `run`s in one command, each step's share read as its own `run`
 *   (`run-batch.ts` multiplexes them into one script and demultiplexes the output).
 *
 * `deploy-rollup scripts` exports the commands {@link stepCommands} lists, so what it writes
 * follows the engine's choice.
 */
import { basename, join } from 'node:path';
import { GATE_ACTIONS, UPLOAD_ACTIONS } from '../actions/catalog.js';
import { DeployError } from '../errors.js';
import type { PlanStep } from '../plan/types.js';
import { SECTIONS_OF, type Params, type Phase, type ScriptPhase } from '../remote/header.js';
import type { EngineDeps } from './context.js';
import { combinable } from './run-combined.js';
import { runPhase, type PhaseResult } from './run-phase.js';
import type { Carried, Carrier } from './step-path.js';

/** One command of a step's form. */
export interface StepCommand {
  /** Its script: one phase, or several as sections (`run`, `applyVerify`). */
  phase: ScriptPhase;
  /** The step's sections it carries, in order. */
  carries: readonly Phase[];
  /** Where it goes: the step's host, or every host its effect is checked on (`verifyOn`, else the step's). */
  on: 'host' | 'check';
}

function command(phase: ScriptPhase, on: StepCommand['on']): StepCommand {
  return { phase, carries: SECTIONS_OF[phase] ?? [phase as Phase], on };
}

/**
 * The commands that carry `step`'s sections when all goes well, in order, given which
 * obligations are open. (A lost command adds a probe of its own before any retry; an apply
 * whose exit code is not a success is not verified.)
 */
export function stepCommands(step: PlanStep, isObligationOpen: (id: string) => boolean): StepCommand[] {
  if (combinable(step, isObligationOpen)) return [command('run', 'host')];
  // The verify goes in the apply's script (one round trip less) unless it reads other hosts.
  const verifyAlong = !(step.verifyOn && step.verifyOn.length > 0) && !GATE_ACTIONS.has(step.action);
  return verifyAlong
    ? [command('probe', 'check'), command('applyVerify', 'host')]
    : [command('probe', 'check'), command('apply', 'host'), command('verify', 'check')];
}

/** A command's result as the sections it carried (a script of one phase is that phase's section). */
export function carriedBy(result: PhaseResult, phase: ScriptPhase): Carried {
  const single = SECTIONS_OF[phase] ? undefined : (phase as Phase);
  return {
    sections:
      result.sections ??
      (single
        ? {
            [single]: {
              phase: single,
              output: result.output,
              stderr: result.stderr,
              exitCode: result.exitCode,
            },
          }
        : {}),
    exitCode: result.exitCode,
    stderr: result.stderr,
  };
}

/** The `run` form: probe, apply and verify in one command. */
export function runCarrier(deps: EngineDeps, step: PlanStep, params: Params, signal?: AbortSignal): Carrier {
  return {
    probes: true,
    send: async (intent) =>
      carriedBy(
        await runPhase(deps, step, 'run', params, { after: intent, ...(signal ? { signal } : {}) }),
        'run',
      ),
  };
}

/**
 * After the step's own probe: the command that carries its apply (`applyVerify` or `apply`, as
 * {@link stepCommands} says). `package.upload` transfers its file first (SFTP from the package),
 * and its script then checks the file arrived intact.
 */
export function applyCarrier(
  deps: EngineDeps,
  step: PlanStep,
  params: Params,
  phase: ScriptPhase,
  signal?: AbortSignal,
): Carrier {
  return {
    probes: false,
    send: async (intent) => {
      if (UPLOAD_ACTIONS.has(step.action)) {
        await intent;
        await deps.fence?.beforeApply(step.host);
        await uploadPackageFile(deps, step, params, signal);
      }
      const result = await runPhase(deps, step, phase, params, {
        after: intent,
        ...(signal ? { signal } : {}),
      });
      return carriedBy(result, phase);
    },
  };
}

/** The one action whose work is a file transfer. */
async function uploadPackageFile(
  deps: EngineDeps,
  step: PlanStep,
  params: Params,
  signal?: AbortSignal,
): Promise<void> {
  const { source, dest } = params;
  if (typeof source !== 'string' || typeof dest !== 'string')
    throw new DeployError('internal', `step ${step.id}: package.upload needs string source and dest`, {
      code: 'BAD_STEP',
    });
  await deps.transport(step.host).upload(join(deps.inventory.packageDir, basename(source)), dest, {
    timeoutMs: deps.options.stepTimeoutMs,
    ...(signal ? { signal } : {}),
  });
}
