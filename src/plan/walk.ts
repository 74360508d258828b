/**
 * Walks a runbook's statechart to a final state with a given `runStage` effect. The dry run
 * (recording) and tests use it directly; the engine adds persistence around the same machine.
 */
import { createActor, fromPromise, type AnyStateMachine } from 'xstate';
import type { Facts } from '../inventory/types.js';

export type StageEffect = (stageId: string, signal: AbortSignal) => Promise<void>;

export interface WalkResult {
  status: 'done' | 'missingFact' | 'failed';
  missingFact?: string;
  error?: unknown;
}

/** Plugs the engine's effect into a runbook machine (the machine declares it as `runStage`). */
export function provideStageEffect(machine: AnyStateMachine, effect: StageEffect): AnyStateMachine {
  return machine.provide({
    actors: {
      runStage: fromPromise<{ stage: string }, { stage: string }>(async ({ input, signal }) => {
        await effect(input.stage, signal);
        return { stage: input.stage };
      }),
    },
  });
}

/** Reads where a finished machine ended: `done`, `missingFact` or `failed`. */
export function outcomeOf(snapshot: {
  value: unknown;
  context: unknown;
  status: string;
  error?: unknown;
}): WalkResult {
  if (snapshot.status === 'error') return { status: 'failed', error: snapshot.error };
  const context = snapshot.context as { missingFact?: string };
  if (snapshot.value === 'missingFact')
    return { status: 'missingFact', ...(context.missingFact ? { missingFact: context.missingFact } : {}) };
  if (snapshot.value === 'done') return { status: 'done' };
  return { status: 'failed' };
}

export function walkRunbook(
  machine: AnyStateMachine,
  facts: Facts,
  effect: StageEffect,
): Promise<WalkResult> {
  return new Promise((resolve) => {
    const actor = createActor(provideStageEffect(machine, effect), { input: { facts } });
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status === 'done') resolve(outcomeOf(snapshot));
      },
      error: (error) => resolve({ status: 'failed', error }),
    });
    actor.start();
  });
}
