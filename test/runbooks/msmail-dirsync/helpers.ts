/** Shared pieces for the msmail-dirsync tests: the example inventory, parsed or copied to a temp dir. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseInventory } from '../../../src/cli/inventory.js';
import type { Inventory } from '../../../src/inventory/types.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const EXAMPLE = join(REPO, 'inventory/lab-msmail-dirsync.yaml');
/** A value that must never appear in any file the tool writes on this machine. */
export const ADMIN_PASSWORD = 'Adm1n-Secret-7731';

/** The example inventory, edited, parsed as if it lived in the repo's inventory folder. */
export function exampleInventory(edit: (yaml: string) => string = (y) => y): Inventory {
  return parseInventory(edit(readFileSync(EXAMPLE, 'utf8')), EXAMPLE);
}

export interface TempDir {
  root: string;
  inventory: string;
  state: string;
  cleanup(): void;
}

/** A temp folder with a copy of the example inventory (edited) and a state dir. */
export function tempDir(edit: (yaml: string) => string = (y) => y): TempDir {
  const root = mkdtempSync(join(tmpdir(), 'dr-dirsync-'));
  const inventory = join(root, 'dirsync.yaml');
  copyFileSync(EXAMPLE, inventory);
  writeFileSync(inventory, edit(readFileSync(inventory, 'utf8')));
  return {
    root,
    inventory,
    state: join(root, 'state'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
