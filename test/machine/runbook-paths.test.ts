/**
 * Every path through the other runbooks' statecharts (KB817375, Q171259, Q240208, MS Mail
 * dirsync), as test/machine/paths.test.ts does for KB979704: each fact combination reaches the
 * final state the KB asks for through the stages it names, a failure in any stage ends in `failed`
 * right there, and xstate/graph shows that the paths together enter every stage.
 */
import { describe, expect, test } from '@jest/globals';
import type { AnyStateMachine } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { drive } from './drive.js';
import { kb817375Machine } from '../../machines/kb817375.machine.js';
import { msmailDirsyncMachine } from '../../machines/msmail-dirsync.machine.js';
import { q171259Machine } from '../../machines/q171259.machine.js';
import { q240208Machine } from '../../machines/q240208.machine.js';

type Facts = Record<string, boolean>;

interface Path {
  facts: Facts;
  final: 'done' | 'missingFact';
  entered: string[];
  missingFact?: string;
}

const CONNECTOR_FACTS = [
  { appleTalkMta: true, pcmtaDefined: true },
  { appleTalkMta: false, pcmtaDefined: true },
  { appleTalkMta: true, pcmtaDefined: false },
  { appleTalkMta: false, pcmtaDefined: false },
];

const MACHINES: { name: string; machine: AnyStateMachine; stages: number; paths: Path[] }[] = [
  {
    name: 'KB817375',
    machine: kb817375Machine,
    stages: 4,
    paths: [
      { facts: {}, final: 'missingFact', entered: [], missingFact: 'mapi32Current' },
      { facts: { mapi32Current: true }, final: 'done', entered: ['confirmMapi32'] },
      { facts: { mapi32Current: false }, final: 'missingFact', entered: [], missingFact: 'useWorkaround' },
      {
        facts: { mapi32Current: false, useWorkaround: false },
        final: 'done',
        entered: ['uploadHotfix', 'applyHotfix'],
      },
      {
        facts: { mapi32Current: false, useWorkaround: true },
        final: 'done',
        entered: ['restartSystemAttendant'],
      },
    ],
  },
  {
    name: 'Q171259',
    machine: q171259Machine,
    stages: 6,
    paths: [
      { facts: {}, final: 'missingFact', entered: [], missingFact: 'appleTalkMta' },
      { facts: { appleTalkMta: true }, final: 'missingFact', entered: [], missingFact: 'pcmtaDefined' },
      ...CONNECTOR_FACTS.map((facts): Path => ({
        facts,
        final: 'done',
        entered: [
          'stopConnector',
          'unshareMaildata',
          'copyPostoffice',
          'shareMaildata',
          'updateRegistry',
          'startConnector',
        ],
      })),
    ],
  },
  {
    name: 'Q240208',
    machine: q240208Machine,
    stages: 8,
    paths: [
      { facts: {}, final: 'missingFact', entered: [], missingFact: 'appleTalkMta' },
      { facts: { pcmtaDefined: false }, final: 'missingFact', entered: [], missingFact: 'appleTalkMta' },
      { facts: { appleTalkMta: false }, final: 'missingFact', entered: [], missingFact: 'pcmtaDefined' },
      ...CONNECTOR_FACTS.map((facts): Path => ({
        facts,
        final: 'done',
        entered: [
          'stopConnector',
          'backupBin',
          'refreshBin',
          'correctRegistry',
          'reshareMaildata',
          'startConnector',
          'verifyMailFlow',
          'removeDefaultCopy',
        ],
      })),
    ],
  },
  {
    name: 'MS Mail dirsync',
    machine: msmailDirsyncMachine,
    stages: 8,
    paths: [
      { facts: {}, final: 'missingFact', entered: [], missingFact: 'exchange40' },
      {
        facts: { exchange40: true },
        final: 'done',
        entered: [
          'enablePauseButton',
          'diagnosticLogging',
          't1Requestors',
          't1Transferred',
          't2Server',
          't2Transferred',
          't3Requestors',
          'concluded',
        ],
      },
      {
        facts: { exchange40: false },
        final: 'done',
        entered: [
          'diagnosticLogging',
          't1Requestors',
          't1Transferred',
          't2Server',
          't2Transferred',
          't3Requestors',
          'concluded',
        ],
      },
    ],
  },
];

describe.each(MACHINES)('the $name statechart', ({ machine, stages, paths }) => {
  test.each(paths.map((path) => [JSON.stringify(path.facts), path] as const))(
    'with facts %s reaches its final state through the stages the KB names, in order',
    async (_name, path) => {
      expect(await drive(machine, path.facts)).toEqual({
        final: path.final,
        entered: path.entered,
        ...(path.missingFact ? { missingFact: path.missingFact } : {}),
      });
    },
  );

  const failurePoints = paths
    .filter((path) => path.final === 'done')
    .flatMap((path) =>
      path.entered.map((stage, index) => [stage, JSON.stringify(path.facts), path, index] as const),
    );

  test.each(failurePoints)(
    'a failure in %s (facts %s) ends in failed there, running nothing after it',
    async (stage, _name, path, index) => {
      expect(await drive(machine, path.facts, stage)).toEqual({
        final: 'failed',
        entered: path.entered.slice(0, index + 1),
      });
    },
  );

  test('the paths above enter every stage the statechart has', async () => {
    const stageStates = new Set(
      getStateNodes(machine.root)
        .filter((node) => node.invoke.length > 0)
        .map((node) => node.key),
    );
    const seen = new Set<string>();
    for (const path of paths) for (const stage of (await drive(machine, path.facts)).entered) seen.add(stage);
    expect(stageStates.size).toBe(stages);
    expect(seen).toEqual(stageStates);
  });
});
