/** The Q240208 runbook: the statechart plus its data, as the engine consumes it. */
import { MACHINE_VERSION, q240208Machine } from '../../machines/q240208.machine.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Runbook } from '../../src/plan/types.js';
import { RUNBOOK_ID, RUNBOOK_TITLE, RUNBOOK_VERSION } from './data.js';
import { INVENTORY_PROFILE } from './inventory.js';
import { LAB_PROFILE } from './lab.js';
import { evaluatePreflight, inspectSpec } from './preflight.js';
import { STAGES } from './stages.js';

export const q240208: Runbook<LabProfile> = defineRunbook({
  id: RUNBOOK_ID,
  title: RUNBOOK_TITLE,
  version: `${RUNBOOK_VERSION}.${MACHINE_VERSION}`,
  machine: q240208Machine,
  facts: ['appleTalkMta', 'pcmtaDefined'],
  stages: STAGES,
  gateAdvice: (gate) => `send the test messages from ${gate.host} and check both arrived`,
  defaultVersions: {},
  packageFiles: [],
  inspectSpec,
  evaluatePreflight,
  inventory: INVENTORY_PROFILE,
  lab: LAB_PROFILE,
  source: 'Q240208',
  summary:
    'Repair a relocated MSMC postoffice after a service pack: refresh Msmcon\\Bin, repoint the registry, re-share Maildat$, verify mail flow',
});
