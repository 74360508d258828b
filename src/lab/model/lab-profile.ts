/** What a runbook gives the simulated estate: how to seed its hosts, and its stand-in package. */
import type { Inventory } from '../../inventory/types.js';
import type { HostState } from './state.js';

export interface LabProfile {
  /** Every host of the inventory as the runbook's estate has it before a run (fresh host keys). */
  seedHosts(inventory: Inventory, versions: Record<string, string>): Record<string, HostState>;
  /** Writes the stand-in package (absent: the runbook needs none). */
  writePackage?(
    outDir: string,
    versions?: Record<string, string>,
  ): Promise<{ file: string; size: number; sha256: string }[]>;
  /** A `lab:` line to suggest when an inventory has none. */
  example: string;
}
