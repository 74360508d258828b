/** Q240208's prerequisites and facts from `host.inspect`: PowerShell 2.0, both trees, the services. */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { FactEvidence, InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { ATMTA, MSMI, PCMTA_KEY, ROLE, serviceKey, winJoin } from '../msmc/connector.js';
import { keyFact, powershellProblem } from '../q171259/preflight.js';
import { inputsOf } from './inventory.js';
import { pathsFor } from './stages.js';

export function inspectSpec(inventory: Inventory): InspectSpec {
  const inputs = inputsOf(inventory);
  const p = pathsFor({ inventory });
  return {
    products: [],
    registryKeys: [MSMI, ATMTA, PCMTA_KEY, ...inputs.pcmtaServices].map(serviceKey),
    drives: [inputs.defaultDrive, inputs.relocatedDrive],
    folders: [winJoin(p.fallback, 'Bin'), p.bin, p.maildata],
  };
}

const truthy = (v: string | undefined): boolean => v?.toLowerCase() === 'true';

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
    const ps = powershellProblem(host, seen);
    if (ps) problems.push(ps);
    if (!truthy(seen[`regkey.${serviceKey(MSMI)}`]))
      problems.push(`${host}: the MS Mail Connector is not installed (no ${serviceKey(MSMI)})`);
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
    for (const service of inputs.pcmtaServices)
      if (!truthy(seen[`regkey.${serviceKey(service)}`]))
        problems.push(
          `${host}: inputs.pcmtaServices names ${service}, but ${serviceKey(service)} does not exist; list the PC MTA services as the Services console names them`,
        );
    if (truthy(seen[`regkey.${serviceKey(PCMTA_KEY)}`]) && inputs.pcmtaServices.length === 0)
      problems.push(
        `${host}: PC MTA services are defined (${serviceKey(PCMTA_KEY)} exists) but inputs.pcmtaServices lists none; name them so their ImagePath and event sources are corrected`,
      );
  }
  const facts: Record<string, FactEvidence> = {};
  const factProblems: string[] = [];
  for (const [fact, service] of [
    ['appleTalkMta', ATMTA],
    ['pcmtaDefined', PCMTA_KEY],
  ] as const) {
    const decided = keyFact(inventory, inspections, service, fact);
    if (typeof decided === 'string') factProblems.push(decided);
    else facts[fact] = decided;
  }
  return { facts, problems, factProblems };
}
