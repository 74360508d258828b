/**
 * The inventory loader with this build's runbooks handed in: the composition root knows the
 * registry, the loader (src/inventory/) does not. Every caller that reads an inventory file for
 * the tool goes through here.
 */
import { DEFAULT_RUNBOOK, RUNBOOKS } from '../../runbooks/index.js';
import {
  loadInventory as loadWith,
  parseInventory as parseWith,
  type InventoryOptions,
} from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/types.js';

/** The loader's options; `runbooks` defaults to every runbook this build ships. */
export type LoadOptions = Omit<InventoryOptions, 'runbooks' | 'defaultRunbook'> &
  Partial<Pick<InventoryOptions, 'runbooks'>>;

function withRegistry(options: LoadOptions): InventoryOptions {
  return { ...options, runbooks: options.runbooks ?? RUNBOOKS, defaultRunbook: DEFAULT_RUNBOOK };
}

/** Reads and validates an inventory file (see src/inventory/load-inventory.ts). */
export function loadInventory(file: string, options: LoadOptions = {}): Promise<Inventory> {
  return loadWith(file, withRegistry(options));
}

/** Validates an inventory's text (see src/inventory/load-inventory.ts). */
export function parseInventory(source: string, file: string, options: LoadOptions = {}): Inventory {
  return parseWith(source, file, withRegistry(options));
}
