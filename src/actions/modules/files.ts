/** Files copied aside and back: MSI backups and staging, customisations. */
import { defineAction, labSpec } from '../action.js';
import { fileBackup, fileRestore, msiBackup, msiStage } from '../scripts/files.js';
import { fileActions } from '../../lab/model/actions/files.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface FileParams {
  /** Copy the existing `source` to `dest` before it is replaced. Done when dest exists (or source does not:
   * DR:absent=true, nothing to back up). */
  'msi.backup': { source: string; dest: string };
  /** Copy the rollup's `source` over `dest` (refused while the provisioning engine runs: file in use).
   * Done when dest has `size` and `sha256`. */
  'msi.stage': { source: string; dest: string; size: number; sha256: string };
  /** Copy file or folder `source` to `dest` (backup of customisations). Done when dest exists. */
  'file.backup': { source: string; dest: string };
  /** Copy `source` back over `dest` after a reinstall (restore customisations). Done when dest matches source. */
  'file.restore': { source: string; dest: string };
}

export const filesModules = [
  defineAction({
    name: 'msi.backup',
    script: msiBackup,
    lab: labSpec(fileActions, 'msi.backup'),
    applyMs: 2_000,
  }),
  defineAction({
    name: 'msi.stage',
    script: msiStage,
    lab: labSpec(fileActions, 'msi.stage'),
    applyMs: 2_000,
    verify: 'endState',
  }),
  defineAction({
    name: 'file.backup',
    script: fileBackup,
    lab: labSpec(fileActions, 'file.backup'),
    applyMs: 1_000,
  }),
  defineAction({
    name: 'file.restore',
    script: fileRestore,
    lab: labSpec(fileActions, 'file.restore'),
    applyMs: 1_000,
  }),
] as const;
