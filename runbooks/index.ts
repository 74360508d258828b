/** Every runbook the tool knows, by id. A new runbook is a machine plus data, registered here. */
import { DeployError } from '../src/errors.js';
import type { Inventory } from '../src/inventory/types.js';
import type { LabProfile } from '../src/lab/model/lab-profile.js';
import type { Runbook } from '../src/plan/types.js';
import { kb817375 } from './kb817375/index.js';
import { kb979704 } from './kb979704/index.js';
import { msmailDirsync } from './msmail-dirsync/index.js';
import { q171259 } from './q171259/index.js';
import { q240208 } from './q240208/index.js';

export const RUNBOOKS: Readonly<Record<string, Runbook<LabProfile>>> = Object.fromEntries(
  [kb979704, kb817375, q171259, q240208, msmailDirsync].map((runbook) => [runbook.id, runbook]),
);
export const DEFAULT_RUNBOOK = kb979704.id;

/** The runbook an inventory names (the loader already refused unknown ids; this guards the rest). */
export function runbookFor(inventory: Pick<Inventory, 'runbook'>): Runbook<LabProfile> {
  const runbook = RUNBOOKS[inventory.runbook];
  if (!runbook)
    throw new DeployError('badInput', `unknown runbook ${inventory.runbook}`, {
      code: 'RUNBOOK_UNKNOWN',
      hint: `known: ${Object.keys(RUNBOOKS).join(', ')}`,
    });
  return runbook;
}
