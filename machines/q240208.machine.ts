/**
 * Q240208 (service pack did not update a relocated MSMC shadow postoffice) as a statechart: the
 * KB's seven resolution steps. The AppleTalk MTA and the PC MTAs are facts (which services hold
 * Msmcon\Bin open, which registry values exist), known before anything stops.
 *
 * Pure: one effect, `runStage`, provided by the engine. It knows no host names.
 */
import { assign, setup } from 'xstate';
import { runStage, stageState, type StageIdsOf } from './stage.js';

export interface Q240208Facts {
  appleTalkMta?: boolean;
  pcmtaDefined?: boolean;
}

export interface MachineContext {
  facts: Q240208Facts;
  missingFact?: 'appleTalkMta' | 'pcmtaDefined';
}

export const MACHINE_VERSION = '1';

/** A state running the stage of the same name, then `next`. */
function stage(id: string, next: string) {
  return stageState('q240208', id, next);
}

export const q240208Machine = setup({
  types: { input: {} as { facts: Q240208Facts }, context: {} as MachineContext },
  actors: {
    runStage,
  },
  guards: {
    appleTalkUnknown: ({ context }) => context.facts.appleTalkMta === undefined,
    pcmtaUnknown: ({ context }) => context.facts.pcmtaDefined === undefined,
  },
}).createMachine({
  id: 'q240208',
  context: ({ input }) => ({ facts: input.facts }),
  initial: 'checkFacts',
  states: {
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
    /** Not in the KB: Windows cannot overwrite the programs of running services (see READING.md). */
    stopConnector: stage('stopConnector', 'backupBin'),
    /** Step 1: back up Msmcon\Bin on the relocated drive. */
    backupBin: stage('backupBin', 'refreshBin'),
    /** Step 2: copy the default drive's Msmcon\Bin over the relocated one. */
    refreshBin: stage('refreshBin', 'correctRegistry'),
    /** Steps 3-4: verify and correct the listed registry values. */
    correctRegistry: stage('correctRegistry', 'reshareMaildata'),
    /** Step 5: Maildat$ shares the relocated Maildata again. */
    reshareMaildata: stage('reshareMaildata', 'startConnector'),
    /** Restart what was stopped, and mark the event log for step 6. */
    startConnector: stage('startConnector', 'verifyMailFlow'),
    /** Step 6: mail flows both ways (operator gate, proved by the connector's events). */
    verifyMailFlow: stage('verifyMailFlow', 'removeDefaultCopy'),
    /** Step 7: delete the default drive's Msmcon, when the inventory asks for it. */
    removeDefaultCopy: stage('removeDefaultCopy', 'done'),
    done: { type: 'final' },
    missingFact: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The states that run a stage (the runbook's stage table is keyed by these); the rest only decide. */
export type Q240208StageId = StageIdsOf<
  typeof q240208Machine,
  'checkFacts' | 'done' | 'missingFact' | 'failed'
>;
