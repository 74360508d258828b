/** The rollup's package files, uploaded and checked on arrival. */
import { defineAction, labSpec } from '../action.js';
import { packageUpload } from '../scripts/package.js';
import { fileActions } from '../../lab/model/actions/files.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface PackageParams {
  /** Upload one package file over SFTP to `dest` (a Windows path) and check size and sha256 on arrival.
   * Probe: done when `dest` exists with `size` and `sha256`. Prints DR:size, DR:sha256. */
  'package.upload': { source: string; dest: string; size: number; sha256: string };
}

export const packageModules = [
  defineAction({
    name: 'package.upload',
    script: packageUpload,
    lab: labSpec(fileActions, 'package.upload'),
    applyMs: 500,
  }),
] as const;
