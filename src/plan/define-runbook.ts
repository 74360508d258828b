/**
 * A runbook defines itself once, typed against its own statechart, and the engine sees it erased:
 * `defineRunbook` checks the definition where it is written (every stage id of the machine has a
 * stage, each builder knows its own id) and hands the registry a plain `Runbook`, so the list of
 * runbooks holds different stage ids without casts.
 */
import type { AnyStateMachine, ContextFrom } from 'xstate';
import type { InventoryProfile } from '../inventory/profile.js';
import type { Runbook, Stage, StageContext, StageTable } from './types.js';

/** The facts a statechart's guards read: the keys of its context's `facts`. */
export type FactNamesOf<M extends AnyStateMachine> =
  ContextFrom<M> extends { facts: infer F } ? keyof F & string : never;

/**
 * What a runbook declares: its stage table instead of the engine's `stageIds` and `buildStage`,
 * its statechart with the facts its guards read, and its inventory profile with the types its own
 * schemas give `inputs:` and `lab:` (read back with `readSection`, src/inventory/profile.ts).
 */
export interface RunbookDefinition<
  StageId extends string,
  Lab,
  M extends AnyStateMachine,
  Inputs extends Record<string, unknown> = Record<string, unknown>,
  LabSettings extends Record<string, unknown> = Record<string, unknown>,
> extends Omit<Runbook<Lab>, 'stageIds' | 'buildStage' | 'machine' | 'facts' | 'inventory'> {
  machine: M;
  /** The facts its guards read, each a fact of the machine's context (a misspelt one does not compile). */
  facts: readonly FactNamesOf<M>[];
  inventory: InventoryProfile<Inputs, LabSettings>;
  /** Every stage, in the order `deploy-rollup runbooks` and the plan list them. */
  stages: StageTable<StageId>;
  /** What the runbook adds to every stage it built (KB979704: its word on subsets and pauses). */
  finishStage?: (stage: Stage) => Stage;
}

function buildOne<StageId extends string, K extends StageId>(
  stages: StageTable<StageId>,
  id: K,
  context: StageContext,
): Stage {
  const spec = stages[id];
  return spec.build(context, { id, title: spec.title });
}

export function defineRunbook<
  StageId extends string,
  Lab,
  M extends AnyStateMachine,
  Inputs extends Record<string, unknown>,
  LabSettings extends Record<string, unknown>,
>(definition: RunbookDefinition<StageId, Lab, M, Inputs, LabSettings>): Runbook<Lab> {
  const { stages, finishStage, ...rest } = definition;
  const stageIds = Object.keys(stages).filter((id): id is StageId => Object.hasOwn(stages, id));
  return {
    ...rest,
    stageIds,
    buildStage(stageId, context) {
      const id = stageIds.find((known) => known === stageId);
      if (id === undefined) throw new Error(`runbook ${definition.id} has no stage "${stageId}"`);
      const stage = buildOne(stages, id, context);
      return finishStage ? finishStage(stage) : stage;
    },
  };
}
