/**
 * Q171259 (move the Microsoft Mail Connector postoffice) as a statechart. The states are the
 * KB's seven steps; the AppleTalk MTA ("if present") and the PC MTAs ("any") are facts the
 * stages read, so both must be known before anything stops.
 *
 * Pure: one effect, `runStage`, provided by the engine. It knows no host names.
 */
import { assign, setup } from 'xstate';
import { runStage, stageState, type StageIdsOf } from './stage.js';

export interface Q171259Facts {
  appleTalkMta?: boolean;
  pcmtaDefined?: boolean;
}

export interface MachineContext {
  facts: Q171259Facts;
  missingFact?: 'appleTalkMta' | 'pcmtaDefined';
}

export const MACHINE_VERSION = '1';

/** A state running the stage of the same name, then `next`. */
function stage(id: string, next: string) {
  return stageState('q171259', id, next);
}

export const q171259Machine = setup({
  types: { input: {} as { facts: Q171259Facts }, context: {} as MachineContext },
  actors: {
    runStage,
  },
  guards: {
    appleTalkUnknown: ({ context }) => context.facts.appleTalkMta === undefined,
    pcmtaUnknown: ({ context }) => context.facts.pcmtaDefined === undefined,
  },
}).createMachine({
  id: 'q171259',
  context: ({ input }) => ({ facts: input.facts }),
  initial: 'checkFacts',
  states: {
    /** Which services stop, and which registry rows apply, depend on both facts. */
    checkFacts: {
      always: [
        {
          guard: 'appleTalkUnknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'appleTalkMta' as const }),
        },
        {
          guard: 'pcmtaUnknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'pcmtaDefined' as const }),
        },
        { target: 'stopConnector' },
      ],
    },
    /** Step 1: stop the Interchange, the AppleTalk MTA (if present) and every PC MTA. */
    stopConnector: stage('stopConnector', 'unshareMaildata'),
    /** Step 2: stop sharing Maildat$. */
    unshareMaildata: stage('unshareMaildata', 'copyPostoffice'),
    /** Steps 3-4: create ExchSrvr on the NTFS drive and copy the Msmcon tree into it. */
    copyPostoffice: stage('copyPostoffice', 'shareMaildata'),
    /** Step 5: share the new Maildata as Maildat$. */
    shareMaildata: stage('shareMaildata', 'updateRegistry'),
    /** Step 6: point the services' registry values at the new drive. */
    updateRegistry: stage('updateRegistry', 'startConnector'),
    /** Step 7: restart the services stopped in step 1. */
    startConnector: stage('startConnector', 'done'),
    done: { type: 'final' },
    missingFact: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The states that run a stage (the runbook's stage table is keyed by these); the rest only decide. */
export type Q171259StageId = StageIdsOf<
  typeof q171259Machine,
  'checkFacts' | 'done' | 'missingFact' | 'failed'
>;
