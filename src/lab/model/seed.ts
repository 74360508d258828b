/** A fresh simulated estate from an inventory, seeded by the inventory's runbook. */
import { RUNBOOKS } from '../../../runbooks/index.js';
import type { Inventory } from '../../inventory/types.js';
import type { LabState } from './state.js';
import { LAB_STATE_VERSION, emptyFaultCounters } from './state.js';

export interface SeedOptions {
  versions?: Record<string, string>;
}

function runbookOf(inventory: Inventory) {
  const runbook = RUNBOOKS[inventory.runbook];
  if (!runbook) throw new Error(`lab: no runbook ${inventory.runbook}`);
  return runbook;
}

/** Version markers: runbook defaults, overridden by the inventory, overridden by options. */
export function labVersions(inventory: Inventory, options?: SeedOptions): Record<string, string> {
  return { ...runbookOf(inventory).defaultVersions, ...inventory.versions, ...options?.versions };
}

/** A fresh estate for `inventory` (new host keys every time). */
export function seedEstate(inventory: Inventory, options?: SeedOptions): LabState {
  const hosts = runbookOf(inventory).lab.seedHosts(inventory, labVersions(inventory, options));
  return { version: LAB_STATE_VERSION, hosts, events: [], seq: 0, faultCounters: emptyFaultCounters() };
}
