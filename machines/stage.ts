/**
 * What every runbook statechart shares: its one effect, `runStage`, and the state that invokes
 * it. The engine provides the real effect; the placeholder here only says so if it is forgotten.
 */
import { fromPromise } from 'xstate';

/** What `runStage` resolves with; the engine never resolves a stage it halted. */
export interface StageOutcome {
  stage: string;
}

/** The placeholder effect a machine is set up with (the engine provides the real one). */
export const runStage = fromPromise<StageOutcome, { stage: string }>(async () => {
  throw new Error('runStage must be provided by the engine');
});

/**
 * A state that runs the stage named like it, then goes to `next`; a failure goes to the
 * machine's `failed` state (`#<machineId>.failed`).
 */
export function stageState(machineId: string, id: string, next: string) {
  return {
    invoke: {
      src: 'runStage' as const,
      input: { stage: id },
      onDone: { target: next },
      onError: { target: `#${machineId}.failed` },
    },
  };
}
