/**
 * A minimal runbook for the transport benchmark: one `hosts` stage of N steps per host, all
 * hosts at once, behind a one-state statechart. Same engine path as KB979704 (journal intent,
 * one `run` command: probe, apply, verify; journal probe and result; checkpoints), none of its
 * content.
 */
import { fromPromise, setup } from 'xstate';
import { z } from 'zod';
import type { Runbook, Stage, StageContext } from '../src/plan/types.js';

const machine = setup({
  actors: {
    runStage: fromPromise<{ stage: string }, { stage: string }>(async () => {
      throw new Error('runStage must be provided by the engine');
    }),
  },
}).createMachine({
  id: 'bench',
  initial: 'work',
  states: {
    work: { invoke: { src: 'runStage', input: { stage: 'work' }, onDone: 'done' } },
    done: { type: 'final' },
  },
});

export function benchRunbook(stepsPerHost: number): Runbook {
  return {
    id: 'bench',
    title: 'transport benchmark',
    version: '1',
    machine,
    facts: [],
    stageIds: ['work'],
    buildStage(stageId: string, context: StageContext): Stage {
      const hosts = context.inventory.hosts.map((h) => h.name);
      return {
        id: stageId,
        title: 'bench steps',
        kind: 'hosts',
        window: hosts.length,
        errorBudget: 0,
        lanes: hosts.map((host) => ({
          host,
          steps: Array.from({ length: stepsPerHost }, (_, i) => ({
            id: `${stageId}/${host}/${i}`,
            stage: stageId,
            host,
            role: 'mps' as const,
            action: 'registry.remove',
            target: `HKLM:\\SOFTWARE\\bench\\${i}`,
            description: `bench step ${i}`,
            params: {},
          })),
        })),
      };
    },
    defaultVersions: {},
    packageFiles: [],
    inspectSpec: () => ({ products: [], registryKeys: [], drives: [] }),
    evaluatePreflight: () => ({
      facts: {
        ur5Installed: { value: false, evidence: ['bench'], source: 'inventory' },
        upgradedFromHmc40: { value: false, evidence: ['bench'], source: 'inventory' },
      },
      problems: [],
      factProblems: [],
    }),
    source: 'bench',
    summary: 'N registry.remove steps per host',
    inventory: {
      roles: [{ id: 'mps', description: 'any host' }],
      requiredRoles: [],
      facts: [],
      lab: z.object({}),
    },
    lab: { seedHosts: () => ({}), example: 'lab: {}' },
  };
}
