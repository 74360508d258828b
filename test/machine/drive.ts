/**
 * Runs a runbook statechart to a final state with a fake `runStage` (the engine's one effect):
 * what the path tests of every machine share.
 */
import { createActor, fromPromise, toPromise, type AnyStateMachine } from 'xstate';

export interface Outcome {
  final: string;
  entered: string[];
  missingFact?: string;
}

/** Runs `machine` with `facts` to a final state; `failAt` makes that stage's effect reject. */
export async function drive(machine: AnyStateMachine, facts: object, failAt?: string): Promise<Outcome> {
  const entered: string[] = [];
  const provided = machine.provide({
    actors: {
      runStage: fromPromise<{ stage: string }, { stage: string }>(async ({ input }) => {
        entered.push(input.stage);
        await new Promise((resolve) => setImmediate(resolve));
        if (input.stage === failAt) throw new Error(`stage ${input.stage} failed`);
        return { stage: input.stage };
      }),
    },
  });
  const actor = createActor(provided, { input: { facts } });
  actor.start();
  const timer = setTimeout(() => actor.stop(), 5_000);
  try {
    await toPromise(actor);
  } finally {
    clearTimeout(timer);
  }
  const snapshot = actor.getSnapshot() as { value: unknown; context: { missingFact?: string } };
  return {
    final: typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value),
    entered,
    ...(snapshot.context.missingFact ? { missingFact: snapshot.context.missingFact } : {}),
  };
}
