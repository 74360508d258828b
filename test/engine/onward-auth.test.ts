/** Key-based SSH logons cannot authenticate onwards: the steps that must are named in a preflight note. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onwardAuthNotes, onwardAuthReason } from '../../src/engine/onward-auth.js';
import { loadInventory } from '../../src/cli/inventory.js';
import type { PlanStep } from '../../src/plan/types.js';
import { editInventory, makeLabDir, type LabDir } from '../resume/helpers.js';

const dirs: LabDir[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function step(id: string, action: string, target: string): PlanStep {
  const [stage = '', host = ''] = id.split('/');
  return { id, stage, host, role: '', action, target, description: '', params: {} };
}

const STEPS = [
  step('checkFolderGroups/hmc-mps-a/run-check', 'program.run', 'CheckFolderGroupsAndRMByPlan.exe'),
  step('stopEngines/hmc-mps-a/engine-disable', 'complus.disable', 'Provisioning Engine'),
  step('oofAgent/exhub-east/agent-install', 'transportAgent.install', 'Categorizer Override Agent'),
  step('oofAgent/exhub-west/agent-install', 'transportAgent.install', 'Categorizer Override Agent'),
];

describe('onward authentication', () => {
  test('names the steps that reach SQL or AD', () => {
    expect(onwardAuthReason(STEPS[0] as PlanStep)).toContain('MPS SQL');
    expect(onwardAuthReason(STEPS[2] as PlanStep)).toContain('Active Directory');
    expect(onwardAuthReason(STEPS[1] as PlanStep)).toBeUndefined();
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
