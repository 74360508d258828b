/** The KB979704 runbook: the statechart plus its data, as the engine consumes it. */
import { kb979704Machine, MACHINE_VERSION } from '../../machines/kb979704.machine.js';
import { hostsWithRole } from '../../src/inventory/types.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { defineRunbook } from '../../src/plan/define-runbook.js';
import type { Runbook } from '../../src/plan/types.js';
import { DEFAULT_VERSIONS, PACKAGE_FILES, RUNBOOK_ID, RUNBOOK_TITLE, RUNBOOK_VERSION } from './data.js';
import { INVENTORY_PROFILE } from './inventory.js';
import { LAB_PROFILE } from './lab.js';
import { inspectSpec, evaluatePreflight } from './preflight.js';
import { STAGES } from './stages.js';
import { withSubset } from './subsets.js';

export const kb979704: Runbook<LabProfile> = defineRunbook({
  id: RUNBOOK_ID,
  title: RUNBOOK_TITLE,
  version: `${RUNBOOK_VERSION}.${MACHINE_VERSION}`,
  machine: kb979704Machine,
  facts: ['ur5Installed', 'upgradedFromHmc40'],
  stages: STAGES,
  finishStage: withSubset,
  gateAdvice: (gate) => `finish them in the Deployment Tool on ${gate.host}`,
  defaultVersions: DEFAULT_VERSIONS,
  packageFiles: PACKAGE_FILES,
  inspectSpec,
  evaluatePreflight,
  inventory: INVENTORY_PROFILE,
  lab: LAB_PROFILE,
  // The estate lease lives where the Deployment Tool does: the first MPS server.
  leaseHost: (inventory) => hostsWithRole(inventory, 'mps')[0],
  source: 'KB979704',
  summary:
    'Update Rollup 6 for HMC 4.5: engines, components, MSIs, provisioning, IIS, out-of-office agent on every hub, SQL steps',
});
