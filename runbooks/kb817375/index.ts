/** The KB817375 runbook: the statechart plus its data, as the engine consumes it. */
import { kb817375Machine, MACHINE_VERSION } from '../../machines/kb817375.machine.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Runbook } from '../../src/plan/types.js';
import { HOTFIX_PACKAGE, RUNBOOK_ID, RUNBOOK_TITLE, RUNBOOK_VERSION } from './data.js';
import { INVENTORY_PROFILE } from './inventory.js';
import { LAB_PROFILE } from './lab.js';
import { evaluatePreflight, inspectSpec } from './preflight.js';
import { STAGES } from './stages.js';

export const kb817375: Runbook<LabProfile> = defineRunbook({
  id: RUNBOOK_ID,
  title: RUNBOOK_TITLE,
  version: `${RUNBOOK_VERSION}.${MACHINE_VERSION}`,
  machine: kb817375Machine,
  facts: ['mapi32Current', 'useWorkaround'],
  stages: STAGES,
  defaultVersions: {},
  packageFiles: [{ file: HOTFIX_PACKAGE.file, size: HOTFIX_PACKAGE.size }],
  inspectSpec,
  evaluatePreflight,
  inventory: INVENTORY_PROFILE,
  lab: LAB_PROFILE,
  source: 'KB817375',
  summary:
    'Exchange 2000 Mapi32.dll hotfix (event 9202): stop the services loading Mapi32.dll, apply, restart them; or restart System Attendant',
});
