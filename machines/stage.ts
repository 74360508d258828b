/**
 * What every runbook statechart shares: its one effect, `runStage`, and the state that invokes
 * it. The engine provides the real effect; the placeholder here only says so if it is forgotten.
 */
import { fromPromise, type AnyStateMachine, type StateValueFrom } from 'xstate';

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

/**
 * Every state name in a state value: the leaves and the compound or parallel states above them
 * (`StateValueFrom<typeof machine>` gives the names a machine's config declares).
 */
export type StateNames<V> = V extends string
  ? V
  : V extends object
    ? { [K in keyof V]-?: (K & string) | StateNames<V[K]> }[keyof V]
    : never;

/**
 * A statechart's stage ids: its state names but for `Control`, the states that only decide
 * (guards, regions, finals). A runbook's stage table is keyed by these, so a stage the machine
 * names and the runbook does not build (or the reverse) does not compile; a state added to the
 * machine is a stage until it is listed in `Control`, and a `Control` name the machine does not
 * have does not compile either.
 */
export type StageIdsOf<M extends AnyStateMachine, Control extends StateNames<StateValueFrom<M>>> = Exclude<
  StateNames<StateValueFrom<M>>,
  Control
>;
