/**
 * Every path through the KB979704 statechart: each fact combination, each stage failing in turn.
 * The machine runs with a fake `runStage`; xstate/graph lists its state nodes so the test can show
 * that the paths together enter every stage.
 */
import { describe, expect, test } from '@jest/globals';
import { createActor, fromPromise } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { drive } from './drive.js';
import { kb979704Machine, type RunbookFacts } from '../../machines/kb979704.machine.js';

const MAIN = [
  'stopEngines',
  'uninstallComponents',
  'extractPackage',
  'backupAndStage',
  'reinstallComponents',
  'startEngines',
  'initializeProvisioning',
  'resetIis',
];
/** The first stage of each region of the no-UR5 tail. */
const TAIL_REGIONS = [
  'rpcHttpConfig',
  'performanceWarehouse',
  'dnsClient',
  'stageHubPackages',
  'resourceManagerDatabase',
];

/** The stages a successful run enters, per the KB. */
function expectedStages(facts: RunbookFacts): string[] {
  if (facts.ur5Installed !== false) return MAIN;
  const sql =
    facts.upgradedFromHmc40 === true
      ? ['checkFolderGroups', 'dbFunctionUpdate']
      : facts.upgradedFromHmc40 === false
        ? ['dbFunctionUpdate']
        : [];
  return [...MAIN, ...TAIL_REGIONS, 'oofAgent', ...sql];
}

const VALUES = [true, false, undefined];
const COMBOS: RunbookFacts[] = VALUES.flatMap((ur5Installed) =>
  VALUES.map((upgradedFromHmc40) => ({
    ...(ur5Installed === undefined ? {} : { ur5Installed }),
    ...(upgradedFromHmc40 === undefined ? {} : { upgradedFromHmc40 }),
  })),
);

describe('the KB979704 statechart', () => {
  test.each(COMBOS.map((facts) => [JSON.stringify(facts), facts] as const))(
    'with facts %s every branch reaches the expected final state',
    async (_name, facts) => {
      const outcome = await drive(kb979704Machine, facts);
      if (facts.ur5Installed === undefined) {
        expect(outcome).toEqual({ final: 'missingFact', entered: [], missingFact: 'ur5Installed' });
        return;
      }
      if (facts.ur5Installed === false && facts.upgradedFromHmc40 === undefined) {
        expect(outcome.final).toBe('missingFact');
        expect(outcome.missingFact).toBe('upgradedFromHmc40');
        expect(outcome.entered).toContain('resourceManagerDatabase');
        expect(outcome.entered).not.toContain('checkFolderGroups');
        expect(outcome.entered).not.toContain('dbFunctionUpdate');
        return;
      }
      expect(outcome.final).toBe('done');
      expect(new Set(outcome.entered)).toEqual(new Set(expectedStages(facts)));
      expect(outcome.entered.slice(0, MAIN.length)).toEqual(MAIN);
      expect(outcome.entered).toHaveLength(new Set(outcome.entered).size);
    },
  );

  const failurePoints = COMBOS.filter(
    (f) => f.ur5Installed !== undefined && (f.ur5Installed || f.upgradedFromHmc40 !== undefined),
  ).flatMap((facts) => expectedStages(facts).map((stage) => [stage, JSON.stringify(facts), facts] as const));

  test.each(failurePoints)(
    'a failure in %s (facts %s) ends in failed, entering each stage at most once',
    async (stage, _name, facts) => {
      const outcome = await drive(kb979704Machine, facts, stage);
      expect(outcome.final).toBe('failed');
      expect(outcome.entered).toContain(stage);
      expect(outcome.entered).toHaveLength(new Set(outcome.entered).size);
      const mainIndex = MAIN.indexOf(stage);
      if (mainIndex >= 0) {
        // A failure on the main line stops everything after it.
        expect(outcome.entered).toEqual(MAIN.slice(0, mainIndex + 1));
      } else {
        expect(outcome.entered.slice(0, MAIN.length)).toEqual(MAIN);
        if (stage === 'resourceManagerDatabase') expect(outcome.entered).not.toContain('dbFunctionUpdate');
        if (stage === 'checkFolderGroups') expect(outcome.entered).not.toContain('dbFunctionUpdate');
        if (stage === 'stageHubPackages') expect(outcome.entered).not.toContain('oofAgent');
      }
    },
  );

  test('the parallel tail starts all its regions before any of them finishes', async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const machine = kb979704Machine.provide({
      actors: {
        runStage: fromPromise<{ stage: string }, { stage: string }>(({ input }) => {
          started.push(input.stage);
          if (!TAIL_REGIONS.includes(input.stage)) return Promise.resolve({ stage: input.stage });
          return new Promise((resolve) => release.push(() => resolve({ stage: input.stage })));
        }),
      },
    });
    const actor = createActor(machine, {
      input: { facts: { ur5Installed: false, upgradedFromHmc40: false } },
    });
    actor.start();
    for (let i = 0; i < 200 && release.length < TAIL_REGIONS.length; i++)
      await new Promise((r) => setImmediate(r));
    expect(new Set(started.filter((s) => TAIL_REGIONS.includes(s)))).toEqual(new Set(TAIL_REGIONS));
    release.forEach((r) => r());
    for (let i = 0; i < 200 && actor.getSnapshot().status === 'active'; i++)
      await new Promise((r) => setImmediate(r));
    expect(actor.getSnapshot().value).toBe('done');
    actor.stop();
  });

  test('the paths above enter every stage the statechart has', async () => {
    const stageStates = new Set(
      getStateNodes(kb979704Machine.root)
        .filter((node) => node.invoke.length > 0)
        .map((node) => node.key),
    );
    const seen = new Set<string>();
    for (const facts of COMBOS)
      for (const stage of (await drive(kb979704Machine, facts)).entered) seen.add(stage);
    expect(stageStates.size).toBe(16);
    expect(seen).toEqual(stageStates);
  });
});
