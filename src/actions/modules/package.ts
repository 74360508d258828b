/**
 * The rollup's package files, uploaded and checked on arrival.
 *
 * `package.upload`: the bytes travel over SFTP (the transport does that); these scripts prepare
 * the folder and check what arrived. `source` is the package file on this machine: it is
 * declared in the script only so the host's copy of the script says where the file came from.
 */
import { defineAction } from '../action.js';
import { declare, readParams } from '../params.js';
import { DEST_MATCHES, MAX_FILE_SIZE, sha256Of } from './files.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { packageUploadLab } from '../../lab/model/actions/files.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface PackageParams {
  /** Upload one package file over SFTP to `dest` (a Windows path) and check size and sha256 on arrival.
   * Probe: done when `dest` exists with `size` and `sha256`. Prints DR:size, DR:sha256. */
  'package.upload': { source: string; dest: string; size: number; sha256: string };
}

const packageUpload: FamilyBuilder = (params) => {
  const p = readParams('package.upload', params);
  const vars = declare({
    source: p.str('source', { nonEmpty: true }),
    dest: p.str('dest', { nonEmpty: true }),
    size: p.int('size', 0, MAX_FILE_SIZE),
    sha256: sha256Of(p.str('sha256'), 'package.upload'),
  });
  const check = lines(vars, DEST_MATCHES, reportState('$ok'));
  const apply = lines(
    vars,
    '# The upload itself goes over SFTP; this makes sure its folder exists.',
    'EnsureDir (ParentDir $dest)',
    '$rc = 0',
  );
  return { probe: check, apply, verify: check };
};

export const packageModules = [
  defineAction({
    name: 'package.upload',
    script: packageUpload,
    lab: packageUploadLab,
    applyMs: 500,
    uploads: true,
  }),
] as const;
