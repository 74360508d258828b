/**
 * A runbook reads its `inputs:` and `lab:` back typed, through its own schema, never by a cast.
 * What the loader stored must read back unchanged: a folder at a drive root (`C:\`) is stored
 * trimmed (`C:`), which the schema refuses as written, so it reads back through the stored form.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ur6Inputs } from '../../runbooks/kb979704/inputs.js';
import { ur6Lab } from '../../runbooks/kb979704/inventory.js';
import { q171259 } from '../../runbooks/q171259/index.js';
import { inputsOf, labOf } from '../../runbooks/q171259/inventory.js';
import { pathsFor } from '../../runbooks/q171259/stages.js';
import { loadInventory } from '../../src/cli/inventory.js';
import { readSection } from '../../src/inventory/profile.js';
import { planStages } from '../../src/plan/build-plan.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'read-section-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edited(name: string, edit: (yaml: string) => string): string {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, edit(readFileSync(join(ROOT, 'inventory', `${name}.yaml`), 'utf8')));
  return file;
}

describe('reading an inventory section back', () => {
  test('a folder at a drive root reads back as the loader stored it, and the plan builds', async () => {
    const inventory = await loadInventory(
      edited('lab-q171259', (y) => y.replace('exchangePath: C:\\exchsrvr', 'exchangePath: C:\\')),
    );
    expect(inputsOf(inventory)).toEqual({
      drive: 'D',
      exchangePath: 'C:',
      pcmtaServices: ['MSExchangePCMTA01'],
    });
    expect(pathsFor({ inventory }).source).toBe('C:\\Connect\\Msmcon');
    const stages = await planStages(q171259, inventory, { appleTalkMta: true, pcmtaDefined: true });
    expect(stages.map((s) => s.id)).toContain('copyPostoffice');
  });

  test('lab settings read back with the defaults the loader filled', async () => {
    const inventory = await loadInventory(join(ROOT, 'inventory', 'lab-q171259.yaml'));
    expect(labOf(inventory)).toMatchObject({ targetFileSystem: 'NTFS', targetFreeMb: 4_000 });
    expect(labOf({})).toBeUndefined();
  });

  test('KB979704 reads a backup folder at a drive root, and no inputs as none', async () => {
    const inventory = await loadInventory(
      edited('lab', (y) => y.replace(/backupFolder: .*/, 'backupFolder: E:\\')),
    );
    expect(ur6Inputs(inventory).mpsSql?.backupFolder).toBe('E:');
    expect(ur6Inputs({})).toEqual({});
    expect(ur6Lab(inventory)?.ur5Installed).toBe(false);
  });

  test('a section that is not what the schema makes of it is refused, naming it', () => {
    const schema = z.object({ drive: z.string() });
    expect(readSection(schema, { drive: 'D' }, 'inputs')).toEqual({ drive: 'D' });
    expect(() => readSection(schema, { drive: 4 }, 'inputs')).toThrow(
      /^inputs is not what its runbook's schema makes of it: drive/,
    );
  });
});
