/**
 * KB979704 (Update Rollup 6 for HMC 4.5) as a statechart. The states read like the KB's
 * deployment steps; guards on facts choose the Update Rollup 5 and HMC 4.0 branches; the
 * no-UR5 tail runs its independent per-role tracks as parallel regions.
 *
 * The machine is pure: it names one effect, `runStage`, which the engine provides (real
 * execution, a dry-run recorder, or a test fake). It knows roles, never host names.
 */
import { assign, setup } from 'xstate';
import { runStage, stageState, type StageIdsOf } from './stage.js';

export interface RunbookFacts {
  ur5Installed?: boolean;
  upgradedFromHmc40?: boolean;
}

export interface MachineInput {
  facts: RunbookFacts;
}

export interface MachineContext {
  facts: RunbookFacts;
  /** Set when a branch needs a fact nobody pinned or probed. */
  missingFact?: 'ur5Installed' | 'upgradedFromHmc40';
}

/** Bump when states are renamed or removed: a snapshot from another version is refused. */
export const MACHINE_VERSION = '2';

/** A state running the stage of the same name, then `next`. */
function stage(id: string, next: string) {
  return stageState('kb979704', id, next);
}

export const kb979704Machine = setup({
  types: {
    input: {} as MachineInput,
    context: {} as MachineContext,
  },
  actors: {
    runStage,
  },
  guards: {
    ur5Unknown: ({ context }) => context.facts.ur5Installed === undefined,
    ur5Installed: ({ context }) => context.facts.ur5Installed === true,
    hmc40Unknown: ({ context }) => context.facts.upgradedFromHmc40 === undefined,
    upgradedFromHmc40: ({ context }) => context.facts.upgradedFromHmc40 === true,
  },
}).createMachine({
  id: 'kb979704',
  context: ({ input }) => ({ facts: input.facts }),
  initial: 'checkFacts',
  states: {
    /** The component lists already depend on UR5, so that fact must be known before anything runs. */
    checkFacts: {
      always: [
        {
          guard: 'ur5Unknown',
          target: 'missingFact',
          actions: assign({ missingFact: 'ur5Installed' as const }),
        },
        { target: 'stopEngines' },
      ],
    },
    /** KB step 1: disable and shut down the provisioning engine on all MPS engine servers. */
    stopEngines: stage('stopEngines', 'uninstallComponents'),
    /** Steps 2-3: the Deployment Tool uninstalls the components (more without UR5). Operator gate. */
    uninstallComponents: stage('uninstallComponents', 'extractPackage'),
    /** Step 4: extract the QFE rollup package on the MPS server. */
    extractPackage: stage('extractPackage', 'backupAndStage'),
    /** Step 5: back up C:\MSIShare, then copy the rollup MSIs into it. */
    backupAndStage: stage('backupAndStage', 'reinstallComponents'),
    /** Step 6: the Deployment Tool reinstalls the components. Operator gate. */
    reinstallComponents: stage('reinstallComponents', 'startEngines'),
    /** Step 7: enable and start the provisioning engine on each MPS server. */
    startEngines: stage('startEngines', 'initializeProvisioning'),
    /** Steps 8-9: Initialize six provisioning nodes, then Start Deployment. Operator gate. */
    initializeProvisioning: stage('initializeProvisioning', 'resetIis'),
    /** Step 10: restart IIS on each web services server. */
    resetIis: stage('resetIis', 'checkUpdateRollup5'),
    /** "If you have previously installed Update Rollup 5, your installation ... is now finished." */
    checkUpdateRollup5: {
      always: [{ guard: 'ur5Installed', target: 'done' }, { target: 'withoutUpdateRollup5' }],
    },
    /** Steps 11-17, only where UR5 was never installed: independent tracks on different hosts. */
    withoutUpdateRollup5: {
      type: 'parallel',
      onDone: 'done',
      states: {
        prov: {
          initial: 'rpcHttpConfig',
          states: { rpcHttpConfig: stage('rpcHttpConfig', 'done'), done: { type: 'final' } },
        },
        omsql: {
          initial: 'performanceWarehouse',
          states: { performanceWarehouse: stage('performanceWarehouse', 'done'), done: { type: 'final' } },
        },
        dns: {
          initial: 'dnsClient',
          states: { dnsClient: stage('dnsClient', 'done'), done: { type: 'final' } },
        },
        /** The MSIs go to every hub first; then rolling: the window bounds how many hubs restart transport at once. */
        hubs: {
          initial: 'stageHubPackages',
          states: {
            stageHubPackages: stage('stageHubPackages', 'oofAgent'),
            oofAgent: stage('oofAgent', 'done'),
            done: { type: 'final' },
          },
        },
        sql: {
          initial: 'resourceManagerDatabase',
          states: {
            resourceManagerDatabase: stage('resourceManagerDatabase', 'checkUpgradedFromHmc40'),
            checkUpgradedFromHmc40: {
              always: [
                {
                  guard: 'hmc40Unknown',
                  target: '#kb979704.missingFact',
                  actions: assign({ missingFact: 'upgradedFromHmc40' as const }),
                },
                { guard: 'upgradedFromHmc40', target: 'checkFolderGroups' },
                { target: 'dbFunctionUpdate' },
              ],
            },
            checkFolderGroups: stage('checkFolderGroups', 'dbFunctionUpdate'),
            dbFunctionUpdate: stage('dbFunctionUpdate', 'done'),
            done: { type: 'final' },
          },
        },
      },
    },
    done: { type: 'final' },
    missingFact: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The states that run a stage (the runbook's stage table is keyed by these); the rest only decide. */
export type Kb979704StageId = StageIdsOf<
  typeof kb979704Machine,
  | 'checkFacts'
  | 'checkUpdateRollup5'
  | 'withoutUpdateRollup5'
  | 'prov'
  | 'omsql'
  | 'dns'
  | 'hubs'
  | 'sql'
  | 'checkUpgradedFromHmc40'
  | 'done'
  | 'missingFact'
  | 'failed'
>;
