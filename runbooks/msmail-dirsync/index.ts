/** The manual MS Mail ↔ Exchange directory synchronization runbook, as the engine consumes it. */
import { MACHINE_VERSION, msmailDirsyncMachine } from '../../machines/msmail-dirsync.machine.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Runbook } from '../../src/plan/types.js';
import { RUNBOOK_ID, RUNBOOK_TITLE, RUNBOOK_VERSION } from './data.js';
import { INVENTORY_PROFILE } from './inventory.js';
import { LAB_PROFILE } from './lab.js';
import { evaluatePreflight, inspectSpec } from './preflight.js';
import { STAGES } from './stages.js';

export const msmailDirsync: Runbook<LabProfile> = defineRunbook({
  id: RUNBOOK_ID,
  title: RUNBOOK_TITLE,
  version: `${RUNBOOK_VERSION}.${MACHINE_VERSION}`,
  machine: msmailDirsyncMachine,
  facts: ['exchange40'],
  stages: STAGES,
  defaultVersions: {},
  packageFiles: [],
  inspectSpec,
  evaluatePreflight,
  inventory: INVENTORY_PROFILE,
  lab: LAB_PROFILE,
  source: 'KB (manual dirsync, MS Mail ↔ Exchange)',
  summary:
    'Manual MS Mail directory synchronization: T1 on every requestor, T2 on the dirsync server, T3 on every requestor, with event-log checks between phases',
});
