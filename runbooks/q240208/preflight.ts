/** Q240208's prerequisites and facts from `host.inspect`: PowerShell 2.0, both trees, the services. */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { ROLE, winJoin } from '../msmc/connector.js';
import {
  connectorFacts,
  connectorHostProblems,
  connectorRegistryKeys,
  pcmtaProblems,
  truthy,
} from '../msmc/preflight.js';
import { inputsOf } from './inventory.js';
import { pathsFor } from './stages.js';

export function inspectSpec(inventory: Inventory): InspectSpec {
  const inputs = inputsOf(inventory);
  const p = pathsFor({ inventory });
  return {
    products: [],
    registryKeys: connectorRegistryKeys(inputs.pcmtaServices),
    drives: [inputs.defaultDrive, inputs.relocatedDrive],
    folders: [winJoin(p.fallback, 'Bin'), p.bin, p.maildata],
  };
}

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
}): PreflightEvaluation {
  const { inventory, inspections } = input;
  const inputs = inputsOf(inventory);
  const p = pathsFor({ inventory });
  const problems: string[] = [];
  for (const host of hostsWithRole(inventory, ROLE)) {
    const seen = inspections[host];
    if (!seen) continue;
    problems.push(...connectorHostProblems(host, seen));
    if (!truthy(seen[`folder.${p.maildata}`]))
      problems.push(
        `${host}: ${p.maildata} does not exist; set inputs.relocatedDrive (and exchangeFolder) to where the postoffice was moved`,
      );
    const defaultBin = winJoin(p.fallback, 'Bin');
    if (
      !truthy(seen[`folder.${defaultBin}`]) &&
      !inputs.removeDefaultMsmcon &&
      !truthy(seen[`folder.${p.bin}`])
    )
      problems.push(
        `${host}: neither ${defaultBin} nor ${p.bin} exists; nothing to refresh Msmcon\\Bin from`,
      );
    problems.push(
      ...pcmtaProblems(host, seen, inputs.pcmtaServices, 'their ImagePath and event sources are corrected'),
    );
  }
  return { ...connectorFacts(inventory, inspections), problems };
}
