/**
 * KB817375 (Exchange 2000 Mapi32.dll hotfix) as a statechart. The states read like the KB:
 * if Mapi32.dll is already fixed there is nothing to do but confirm it; the workaround (restart
 * System Attendant and "Restart Other Services") runs when the operator chose it; otherwise the
 * hotfix goes on each server between stopping and restarting the services that load Mapi32.dll.
 *
 * The machine is pure: it names one effect, `runStage`, which the engine provides. It knows the
 * facts, never host names.
 */
import { assign, setup } from 'xstate';
import { runStage, stageState, type StageIdsOf } from './stage.js';

export interface RunbookFacts {
  mapi32Current?: boolean;
  useWorkaround?: boolean;
}

export interface MachineInput {
  facts: RunbookFacts;
}

export interface MachineContext {
  facts: RunbookFacts;
  /** Set when a branch needs a fact nobody pinned or probed. */
  missingFact?: 'mapi32Current' | 'useWorkaround';
}

/** Bump when states are renamed or removed: a snapshot from another version is refused. */
export const MACHINE_VERSION = '1';

/** A state running the stage of the same name, then `next`. */
function stage(id: string, next: string) {
  return stageState('kb817375', id, next);
}

export const kb817375Machine = setup({
  types: {
    input: {} as MachineInput,
    context: {} as MachineContext,
  },
  actors: {
    runStage,
  },
  guards: {
    mapi32Unknown: ({ context }) => context.facts.mapi32Current === undefined,
    mapi32Current: ({ context }) => context.facts.mapi32Current === true,
    workaroundUnknown: ({ context }) => context.facts.useWorkaround === undefined,
    useWorkaround: ({ context }) => context.facts.useWorkaround === true,
  },
}).createMachine({
  id: 'kb817375',
  context: ({ input }) => ({ facts: input.facts }),
  initial: 'checkMapi32Version',
  states: {
    /** "in versions of Mapi32.dll that are earlier than 6.0.6448.0 ...": is there anything to fix? */
    checkMapi32Version: {
      always: [
        {
          guard: 'mapi32Unknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'mapi32Current' as const }),
        },
        { guard: 'mapi32Current', target: 'confirmMapi32' },
        { target: 'chooseResolution' },
      ],
    },
    /** Already 6.0.6448.0 or later everywhere: confirm it on each server, change nothing. */
    confirmMapi32: stage('confirmMapi32', 'done'),
    /** RESOLUTION (the hotfix) or WORKAROUND (restart System Attendant), as the operator chose. */
    chooseResolution: {
      always: [
        {
          guard: 'workaroundUnknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'useWorkaround' as const }),
        },
        { guard: 'useWorkaround', target: 'restartSystemAttendant' },
        { target: 'uploadHotfix' },
      ],
    },
    /** Obtain the hotfix: copy it to each Exchange 2000 server. */
    uploadHotfix: stage('uploadHotfix', 'applyHotfix'),
    /** Per server, rolling: tlist -m mapi32.dll, stop those services, apply the hotfix, restart them. */
    applyHotfix: stage('applyHotfix', 'done'),
    /** WORKAROUND: restart System Attendant, "Restart Other Services": Yes; the profiles come back. */
    restartSystemAttendant: stage('restartSystemAttendant', 'done'),
    done: { type: 'final' },
    missingFact: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The states that run a stage (the runbook's stage table is keyed by these); the rest only decide. */
export type Kb817375StageId = StageIdsOf<
  typeof kb817375Machine,
  'checkMapi32Version' | 'chooseResolution' | 'done' | 'missingFact' | 'failed'
>;
