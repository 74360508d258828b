/**
 * Q171259's prerequisites and facts from read-only `host.inspect` results: PowerShell 2.0, the
 * connector installed, the target drive present, NTFS and roomy enough for the tree, and the
 * AppleTalk MTA and PC MTAs discovered from their service keys.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { InspectSpec, Inspection, PreflightEvaluation } from '../../src/plan/types.js';
import { ROLE, driveOf } from '../msmc/connector.js';
import {
  connectorFacts,
  connectorHostProblems,
  connectorRegistryKeys,
  pcmtaProblems,
  truthy,
} from '../msmc/preflight.js';
import { PREREQUISITES } from './data.js';
import { inputsOf } from './inventory.js';
import { pathsFor } from './stages.js';

export function inspectSpec(inventory: Inventory): InspectSpec {
  const inputs = inputsOf(inventory);
  const paths = pathsFor({ inventory });
  return {
    products: [],
    registryKeys: connectorRegistryKeys(inputs.pcmtaServices),
    drives: [...new Set([driveOf(inputs.exchangePath), inputs.drive])],
    folders: [paths.source, paths.dest],
  };
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
    problems.push(...connectorHostProblems(host, seen, '; nothing to move'));
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
    problems.push(
      ...pcmtaProblems(host, seen, inputs.pcmtaServices, 'they are stopped, repointed and restarted'),
    );
  }
  return { ...connectorFacts(inventory, inspections), problems };
}
