/** The Q171259 runbook: the statechart plus its data, as the engine consumes it. */
import { MACHINE_VERSION, q171259Machine } from '../../machines/q171259.machine.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Runbook } from '../../src/plan/types.js';
import { RUNBOOK_ID, RUNBOOK_TITLE, RUNBOOK_VERSION } from './data.js';
import { INVENTORY_PROFILE } from './inventory.js';
import { LAB_PROFILE } from './lab.js';
import { evaluatePreflight, inspectSpec } from './preflight.js';
import { STAGES } from './stages.js';

export const q171259: Runbook<LabProfile> = defineRunbook({
  id: RUNBOOK_ID,
  title: RUNBOOK_TITLE,
  version: `${RUNBOOK_VERSION}.${MACHINE_VERSION}`,
  machine: q171259Machine,
  facts: ['appleTalkMta', 'pcmtaDefined'],
  stages: STAGES,
  defaultVersions: {},
  packageFiles: [],
  inspectSpec,
  evaluatePreflight,
  inventory: INVENTORY_PROFILE,
  lab: LAB_PROFILE,
  source: 'Q171259',
  summary:
    'Move the MS Mail Connector postoffice to an NTFS drive: stop the connector, re-share Maildat$, copy Msmcon, repoint the services, restart',
});
