/** Registry keys and values. */
import { defineAction, labSpec } from '../action.js';
import { registryExport, registryRemove, registrySetEach, registrySetValue } from '../scripts/registry.js';
import { registryValueActions } from '../../lab/model/actions/registry-values.js';
import { systemActions } from '../../lab/model/actions/system.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface RegistryParams {
  /** Remove registry key `target` (recursively). Absent key: nothing to do. */
  'registry.remove': Record<string, never>;
  /** Set value `name` of existing registry key `target` to `data` of `type` (REG_SZ, REG_EXPAND_SZ, REG_DWORD).
   * Done when the value has that type and data (strings compare case-insensitively, as Windows paths do).
   * Probe/verify print DR:exists, DR:type, DR:data. A missing key is an error (a service that is not installed),
   * never created. */
  'registry.setValue': { name: string; type: string; data: string };
  /** Every REG_DWORD value under key `target` set to `data` (decimal): the categories are the values the host
   * has (a key with none is an error). Done when all equal `data`; probe/verify print DR:values (name=data,…). */
  'registry.setEach': { data: string };
  /** `reg export` of key `target` (with its subkeys) to `file` before it is edited; an existing export is kept.
   * Done when `file` exists. Prints DR:file, DR:exists. */
  'registry.export': { file: string };
}

export const registryModules = [
  defineAction({
    name: 'registry.remove',
    script: registryRemove,
    lab: labSpec(systemActions, 'registry.remove'),
    applyMs: 300,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.setValue',
    script: registrySetValue,
    lab: labSpec(registryValueActions, 'registry.setValue'),
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.setEach',
    script: registrySetEach,
    lab: labSpec(registryValueActions, 'registry.setEach'),
    applyMs: 300,
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'registry.export',
    script: registryExport,
    lab: labSpec(registryValueActions, 'registry.export'),
    applyMs: 500,
    applyReadsFirst: true,
  }),
] as const;
