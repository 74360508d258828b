/** Key-based SSH logons cannot authenticate onwards: the steps that must are named in a preflight note. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onwardAuthNotes, onwardAuthReason } from '../../src/engine/onward-auth.js';
import { loadInventory } from '../../src/cli/inventory.js';
import type { PlanStep } from '../../src/plan/types.js';
import { planStages } from '../../src/plan/build-plan.js';
import { runbookFor } from '../../runbooks/index.js';
import { editInventory, makeLabDir, type LabDir } from '../resume/helpers.js';

const dirs: LabDir[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function step(id: string, action: string, target: string, onwardAuth?: string): PlanStep {
  const [stage = '', host = ''] = id.split('/');
  return {
    id,
    stage,
    host,
    role: '',
    action,
    target,
    description: '',
    params: {},
    ...(onwardAuth ? { onwardAuth } : {}),
  };
}

const STEPS = [
  step(
    'checkFolderGroups/hmc-mps-a/run-check',
    'program.run',
    'CheckFolderGroupsAndRMByPlan.exe',
    'it logs on to the MPS SQL server',
  ),
  step('stopEngines/hmc-mps-a/engine-disable', 'complus.disable', 'Provisioning Engine'),
  step('oofAgent/exhub-east/agent-install', 'transportAgent.install', 'Categorizer Override Agent'),
  step('oofAgent/exhub-west/agent-install', 'transportAgent.install', 'Categorizer Override Agent'),
];

describe('onward authentication', () => {
  test('names the steps that reach SQL or AD', () => {
    expect(onwardAuthReason(STEPS[0] as PlanStep)).toContain('MPS SQL');
    expect(onwardAuthReason(STEPS[2] as PlanStep)).toContain('Active Directory');
    expect(onwardAuthReason(STEPS[1] as PlanStep)).toBeUndefined();
    // A program run is not onward by itself: only the step that says so.
    expect(onwardAuthReason({ action: 'program.run' })).toBeUndefined();
  });

  test("UR6's CheckFolderGroupsAndRMByPlan step says it logs on to the MPS SQL server", async () => {
    const lab = makeLabDir();
    dirs.push(lab);
    const inventory = await loadInventory(lab.inventory);
    const stages = await planStages(
      runbookFor(inventory),
      inventory,
      { ur5Installed: false, upgradedFromHmc40: true },
      {},
    );
    const run = stages
      .flatMap((s) => s.lanes.flatMap((l) => l.steps))
      .find((s) => s.action === 'program.run');
    expect(run?.target).toBe('CheckFolderGroupsAndRMByPlan.exe');
    expect(onwardAuthReason(run ?? { action: '' })).toContain('MPS SQL server');
  });

  test('one note per key-based host with such steps; password hosts get none', async () => {
    const lab = makeLabDir();
    dirs.push(lab);
    const key = join(lab.root, 'id_ed25519');
    writeFileSync(key, 'not a real key', { mode: 0o600 });
    editInventory(lab.inventory, (t) =>
      t
        .replace(/(hmc-mps-a: \{ [^}]*)\}/, `$1, auth: { keyFile: ${key} } }`)
        .replace(/(exhub-east: \{ [^}]*)\}/, '$1, auth: { agent: true } }'),
    );
    const inventory = await loadInventory(lab.inventory);
    const notes = onwardAuthNotes(inventory, STEPS);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^hmc-mps-a logs on with a key file/);
    expect(notes[0]).toContain('checkFolderGroups/hmc-mps-a/run-check');
    expect(notes[0]).not.toContain('engine-disable');
    expect(notes[1]).toMatch(/^exhub-east logs on with the SSH agent/);
    expect(notes.join('\n')).not.toContain('exhub-west');
    expect(notes[0]).toContain('passwordEnv');
  });
});
