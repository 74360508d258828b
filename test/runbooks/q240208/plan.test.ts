import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { q240208 } from '../../../runbooks/q240208/index.js';
import { loadInventory } from '../../../src/cli/inventory.js';
import { planStages, toPlanDocument } from '../../../src/plan/build-plan.js';
import type { PlanDocument } from '../../../src/plan/types.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'q240208-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inventoryFile(edit: (yaml: string) => string = (y) => y): string {
  const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, edit(readFileSync(join(ROOT, 'inventory', 'lab-q240208.yaml'), 'utf8')));
  return file;
}

async function plan(facts: Record<string, boolean>, edit?: (y: string) => string): Promise<PlanDocument> {
  const inventory = await loadInventory(inventoryFile(edit));
  return toPlanDocument(q240208, facts, await planStages(q240208, inventory, facts));
}

type Step = PlanDocument['stages'][number]['steps'][number];
const steps = (doc: PlanDocument): Step[] => doc.stages.flatMap((s) => s.steps);

describe('the Q240208 plan', () => {
  for (const appleTalkMta of [true, false]) {
    for (const pcmtaDefined of [true, false]) {
      const label = `appleTalkMta=${appleTalkMta}, pcmtaDefined=${pcmtaDefined}`;
      test(`backs up and refreshes Bin, repoints the listed values, re-shares and gates on mail flow (${label})`, async () => {
        const doc = await plan({ appleTalkMta, pcmtaDefined });
        expect(doc.stages.map((s) => s.id)).toEqual([
          'stopConnector',
          'backupBin',
          'refreshBin',
          'correctRegistry',
          'reshareMaildata',
          'startConnector',
          'verifyMailFlow',
          'removeDefaultCopy',
        ]);
        const all = steps(doc);
        const services = [
          'MSExchangeMSMI',
          ...(appleTalkMta ? ['MSExchangeATMTA'] : []),
          ...(pcmtaDefined ? ['MSExchangePCMTA01'] : []),
        ];
        expect(all.filter((s) => s.action === 'service.stop').map((s) => s.target)).toEqual(services);
        expect(all.filter((s) => s.action === 'service.start').map((s) => s.target)).toEqual(services);
        expect(all.find((s) => s.action === 'file.backup')?.params).toEqual({
          source: 'E:\\exchsrvr\\Connect\\Msmcon\\Bin',
          dest: 'E:\\exchsrvr\\Connect\\Msmcon\\Bin.before-q240208',
        });
        expect(all.find((s) => s.action === 'tree.copy')?.params).toEqual({
          source: 'C:\\exchsrvr\\Connect\\Msmcon\\Bin',
          dest: 'E:\\exchsrvr\\Connect\\Msmcon\\Bin',
        });
        const values = all
          .filter((s) => s.action === 'registry.repointValue')
          .map(
            (s) =>
              `${s.target.replace('HKLM\\SYSTEM\\CurrentControlSet\\Services\\', '')} ${s.params.name as string}`,
          );
        expect(values).toEqual([
          ...(pcmtaDefined ? ['MSExchangePCMTA01 ImagePath'] : []),
          'MSExchangeMSMI ImagePath',
          'MSExchangeMSMI\\Performance Library',
          ...(pcmtaDefined ? ['MSExchangePCMTA\\Performance Library'] : []),
          'EventLog\\Application\\MSExchangeMSMI CategoryMessageFile',
          'EventLog\\Application\\MSExchangeMSMI EventMessageFile',
          ...(pcmtaDefined
            ? [
                'EventLog\\Application\\MSExchangePCMTA01 CategoryMessageFile',
                'EventLog\\Application\\MSExchangePCMTA01 EventMessageFile',
              ]
            : []),
        ]);
        const gate = doc.stages.find((s) => s.id === 'verifyMailFlow');
        expect(gate?.gate?.host).toBe('exch55-shadow');
        expect(gate?.steps.map((s) => s.action)).toEqual(['mailflow.check']);
        expect(gate?.steps[0]?.params.since).toBe(
          '{{capture:startConnector/exch55-shadow/mark-event-log:lastRecord}}',
        );
        expect(doc.stages.find((s) => s.id === 'removeDefaultCopy')?.steps).toEqual([]);
      });
    }
  }

  test('removeDefaultMsmcon: true deletes the default Msmcon after the mail-flow gate', async () => {
    const doc = await plan({ appleTalkMta: true, pcmtaDefined: true }, (y) =>
      y.replace('removeDefaultMsmcon: false', 'removeDefaultMsmcon: true'),
    );
    const last = doc.stages.at(-1);
    expect(last?.id).toBe('removeDefaultCopy');
    expect(last?.steps.map((s) => `${s.action} ${s.target}`)).toEqual([
      'tree.remove C:\\exchsrvr\\Connect\\Msmcon',
    ]);
  });

  test('an unknown fact is a clear error naming it', async () => {
    const inventory = await loadInventory(inventoryFile());
    await expect(planStages(q240208, inventory, { appleTalkMta: true })).rejects.toThrow(/pcmtaDefined/);
  });

  test('the relocated drive may not be the default drive', async () => {
    try {
      await loadInventory(inventoryFile((y) => y.replace('relocatedDrive: E', 'relocatedDrive: C')));
      throw new Error('loaded');
    } catch (error) {
      expect(((error as { problems?: string[] }).problems ?? []).join('\n')).toMatch(
        /:\d+:\d+: inputs\.relocatedDrive: relocatedDrive C is the default drive/,
      );
    }
  });
});

describe('backing up the registry before editing it', () => {
  test('every key step 4 edits is exported once, before any value is repointed', async () => {
    const doc = await plan({ appleTalkMta: true, pcmtaDefined: true });
    const stage = doc.stages.find((s) => s.id === 'correctRegistry')!;
    const actions = stage.steps.map((s) => s.action);
    const firstEdit = actions.indexOf('registry.repointValue');
    expect(firstEdit).toBeGreaterThan(0);
    expect(actions.slice(0, firstEdit).every((a) => a === 'registry.export')).toBe(true);
    expect(actions.slice(firstEdit).includes('registry.export')).toBe(false);
    const exported = stage.steps.filter((s) => s.action === 'registry.export').map((s) => s.target);
    const edited = [
      ...new Set(stage.steps.filter((s) => s.action === 'registry.repointValue').map((s) => s.target)),
    ];
    expect(exported.sort()).toEqual(edited.sort());
    for (const step of stage.steps.filter((s) => s.action === 'registry.export'))
      expect(step.params.file).toMatch(/\\registry\.before-q240208\\[a-z0-9.-]+\.reg$/);
  });
});
