/**
 * Q171259's prerequisites and facts from read-only `host.inspect` results: PowerShell 2.0, the
 * connector installed, the target drive present, NTFS and roomy enough for the tree, and the
 * AppleTalk MTA and PC MTAs discovered from their service keys.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { FactEvidence, InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { compareVersions } from '../../src/plan/versions.js';
import { ATMTA, MSMI, PCMTA_KEY, ROLE, driveOf, serviceKey } from '../msmc/connector.js';
import { PREREQUISITES } from './data.js';
import { inputsOf } from './inventory.js';
import { pathsFor } from './stages.js';

export function inspectSpec(inventory: Inventory): InspectSpec {
  const inputs = inputsOf(inventory);
  const paths = pathsFor({ inventory });
  return {
    products: [],
    registryKeys: [MSMI, ATMTA, PCMTA_KEY, ...inputs.pcmtaServices].map(serviceKey),
    drives: [...new Set([driveOf(inputs.exchangePath), inputs.drive])],
    folders: [paths.source, paths.dest],
  };
}

const truthy = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

/** One boolean fact read from the same registry key on every connector host; hosts must agree. */
export function keyFact(
  inventory: Inventory,
  inspections: Record<string, Inspection>,
  service: string,
  fact: string,
): FactEvidence | string {
  const evidence: string[] = [];
  const values = new Set<boolean>();
  for (const host of hostsWithRole(inventory, ROLE)) {
    const seen = inspections[host];
    if (!seen) continue;
    const present = truthy(seen[`regkey.${serviceKey(service)}`]);
    values.add(present);
    evidence.push(`${host}: ${serviceKey(service)} ${present ? 'present' : 'absent'}`);
  }
  if (values.size === 0) return `fact ${fact}: no connector host could be inspected`;
  if (values.size > 1)
    return `fact ${fact}: the connector hosts disagree (${evidence.join('; ')}); run them from separate inventories or pin facts.${fact}`;
  return { value: values.has(true), evidence, source: 'probe' };
}

export function powershellProblem(host: string, seen: Inspection): string | undefined {
  const ps = seen.psVersion ?? '1.0';
  if (compareVersions(ps, PREREQUISITES.minPowerShell) >= 0) return undefined;
  return `${host}: PowerShell ${ps} found; this tool drives the host with PowerShell ${PREREQUISITES.minPowerShell} over SSH. Install Windows Management Framework 2.0 (Windows Server 2003 SP2 or later), or do the KB's steps by hand`;
}

export function evaluatePreflight(input: {
  inventory: Inventory;
  inspections: Record<string, Inspection>;
}): PreflightEvaluation {
  const { inventory, inspections } = input;
  const inputs = inputsOf(inventory);
  const paths = pathsFor({ inventory });
  const problems: string[] = [];
  const drive = inputs.drive;
  for (const host of hostsWithRole(inventory, ROLE)) {
    const seen = inspections[host];
    if (!seen) continue;
    const ps = powershellProblem(host, seen);
    if (ps) problems.push(ps);
    if (!truthy(seen[`regkey.${serviceKey(MSMI)}`]))
      problems.push(
        `${host}: the MS Mail Connector is not installed (no ${serviceKey(MSMI)}); nothing to move`,
      );
    const fs = seen[`fs.${drive}`] ?? '';
    if (fs === '')
      problems.push(`${host}: drive ${drive}: does not exist; set inputs.drive to an existing NTFS drive`);
    else if (fs.toUpperCase() !== PREREQUISITES.fileSystem)
      problems.push(
        `${host}: drive ${drive}: is ${fs}, not NTFS; the connector postoffice must be on NTFS (convert the drive or choose another in inputs.drive)`,
      );
    const moved = truthy(seen[`folder.${paths.dest}`]);
    const sourceThere = truthy(seen[`folder.${paths.source}`]);
    if (!sourceThere && !moved)
      problems.push(
        `${host}: ${paths.source} does not exist; set inputs.exchangePath to the folder Exchange is installed in`,
      );
    if (sourceThere && !moved && fs !== '') {
      const need = Number(seen[`folderMb.${paths.source}`] ?? 'NaN') + PREREQUISITES.headroomMb;
      const free = Number(seen[`freeMb.${drive}`] ?? 'NaN');
      if (!(free >= need))
        problems.push(
          `${host}: drive ${drive}: has ${Number.isNaN(free) ? 'unknown' : free} MB free; the Msmcon tree needs ${need} MB (its size plus ${PREREQUISITES.headroomMb} MB); free space on ${drive}: first`,
        );
    }
    for (const service of inputs.pcmtaServices) {
      if (!truthy(seen[`regkey.${serviceKey(service)}`]))
        problems.push(
          `${host}: inputs.pcmtaServices names ${service}, but ${serviceKey(service)} does not exist; list the PC MTA services as the Services console names them`,
        );
    }
    if (truthy(seen[`regkey.${serviceKey(PCMTA_KEY)}`]) && inputs.pcmtaServices.length === 0)
      problems.push(
        `${host}: PC MTA services are defined (${serviceKey(PCMTA_KEY)} exists) but inputs.pcmtaServices lists none; name them so they are stopped, repointed and restarted`,
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
