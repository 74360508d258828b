/**
 * Estates as the composition root builds them: the inventory's runbook handed to the lab (its
 * seeding and its hosts' knowledge, the lab port). Tests may import runbooks/; src/lab/ may not.
 */
import { runbookFor } from '../../runbooks/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { Estate, type EstateOptions } from '../../src/lab/model/estate.js';
import type { LabKnowledge } from '../../src/lab/model/lab-profile.js';
import { seedEstate as seedWith, type SeedOptions } from '../../src/lab/model/seed.js';
import type { LabState } from '../../src/lab/model/state.js';

/** A fresh estate of `inventory`'s runbook. */
export function createEstate(inventory: Inventory, options: EstateOptions = {}): Estate {
  return Estate.create(inventory, runbookFor(inventory), options);
}

/** The state file's estate (seeded and saved when absent) of `inventory`'s runbook. */
export function openEstate(
  inventory: Inventory,
  options: EstateOptions & { statePath: string },
): Promise<Estate> {
  return Estate.open(inventory, runbookFor(inventory), options);
}

/** A fresh state of `inventory`'s runbook. */
export function seedEstate(inventory: Inventory, options?: SeedOptions): LabState {
  return seedWith(inventory, runbookFor(inventory), options);
}

/** What `inventory`'s runbook tells the simulated hosts (for action contexts built by hand). */
export function labKnowledge(inventory: Pick<Inventory, 'runbook'>): LabKnowledge {
  return runbookFor(inventory).lab.knowledge;
}
