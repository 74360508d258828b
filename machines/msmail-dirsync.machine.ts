/**
 * Manual directory synchronization between MS Mail postoffices and Exchange requestors (the
 * KB "How to perform a manual directory synchronization") as a statechart. The states read like
 * the KB: preparations (the Pause button on Exchange 4.0, diagnostic logging), then T1 on every
 * requestor with its event-log check, T2 on the dirsync server with its check, T3 on every
 * requestor, and a final check that every participant is settled.
 *
 * Pure: one effect, `runStage`, which the engine provides. It knows facts, never host names.
 */
import { assign, setup } from 'xstate';
import { runStage, stageState, type StageIdsOf } from './stage.js';

export interface DirsyncFacts {
  exchange40?: boolean;
}

export interface MachineInput {
  facts: DirsyncFacts;
}

export interface MachineContext {
  facts: DirsyncFacts;
  missingFact?: 'exchange40';
}

/** Bump when states are renamed or removed: a snapshot from another version is refused. */
export const MACHINE_VERSION = '1';

/** A state running the stage of the same name, then `next`. */
function stage(id: string, next: string) {
  return stageState('msmail-dirsync', id, next);
}

export const msmailDirsyncMachine = setup({
  types: { input: {} as MachineInput, context: {} as MachineContext },
  actors: {
    runStage,
  },
  guards: {
    exchange40Unknown: ({ context }) => context.facts.exchange40 === undefined,
    exchange40: ({ context }) => context.facts.exchange40 === true,
  },
}).createMachine({
  id: 'msmail-dirsync',
  context: ({ input }) => ({ facts: input.facts }),
  initial: 'checkFacts',
  states: {
    /** "For Exchange Server 4.0, enable the Pause button": the version decides the first step. */
    checkFacts: {
      always: [
        {
          guard: 'exchange40Unknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'exchange40' as const }),
        },
        { guard: 'exchange40', target: 'enablePauseButton' },
        { target: 'diagnosticLogging' },
      ],
    },
    /** I. PauseKicksDX = 1, then stop and restart the Directory Synchronization service. */
    enablePauseButton: stage('enablePauseButton', 'diagnosticLogging'),
    /** I. MSExchangePCMTA diagnostics logging to Maximum. */
    diagnosticLogging: stage('diagnosticLogging', 't1Requestors'),
    /** II. T1: reqmain -t on every requestor postoffice (incl. the dirsync server); pause DX on Exchange. */
    t1Requestors: stage('t1Requestors', 't1Transferred'),
    /** Event Viewer: 4395 Sent and 4355 Moved In on every Exchange requestor. */
    t1Transferred: stage('t1Transferred', 't2Server'),
    /** T2 on the dirsync server: srvmain -r, then srvmain -t. */
    t2Server: stage('t2Server', 't2Transferred'),
    /** Event Viewer: 4395 Moved Out and 4355 Received on every Exchange requestor. */
    t2Transferred: stage('t2Transferred', 't3Requestors'),
    /** T3: reqmain -r, import, rebuild on every requestor postoffice; the DXA applies by itself. */
    t3Requestors: stage('t3Requestors', 'concluded'),
    /** "This concludes the manual dirsync process": nothing waits anywhere. */
    concluded: stage('concluded', 'done'),
    done: { type: 'final' },
    missingFact: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The states that run a stage (the runbook's stage table is keyed by these); the rest only decide. */
export type DirsyncStageId = StageIdsOf<
  typeof msmailDirsyncMachine,
  'checkFacts' | 'done' | 'missingFact' | 'failed'
>;
