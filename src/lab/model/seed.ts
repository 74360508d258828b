/** A fresh simulated estate from an inventory, seeded by the runbook the composition root hands over. */
import type { Inventory } from '../../inventory/types.js';
import type { LabRunbook } from './lab-profile.js';
import type { LabState } from './state.js';
import { LAB_STATE_VERSION, emptyFaultCounters } from './state.js';

export interface SeedOptions {
  versions?: Record<string, string>;
}

/** Version markers: runbook defaults, overridden by the inventory, overridden by options. */
export function labVersions(
  inventory: Inventory,
  runbook: LabRunbook,
  options?: SeedOptions,
): Record<string, string> {
  return { ...runbook.defaultVersions, ...inventory.versions, ...options?.versions };
}

/** A fresh estate for `inventory` as `runbook` seeds it (new host keys every time). */
export function seedEstate(inventory: Inventory, runbook: LabRunbook, options?: SeedOptions): LabState {
  const hosts = runbook.lab.seedHosts(inventory, labVersions(inventory, runbook, options));
  return { version: LAB_STATE_VERSION, hosts, events: [], seq: 0, faultCounters: emptyFaultCounters() };
}
