/** What a KB979704 inventory may say: its roles, its facts, `inputs:` and its `lab:` scenario switches. */
import { z } from 'zod';
import { bool, hostList, strict } from '../../src/inventory/inventory-schema.js';
import type { InventoryProfile } from '../../src/inventory/profile.js';
import type { Inventory } from '../../src/inventory/types.js';

export const ROLES = ['mps', 'webServices', 'prov', 'omsql', 'mpssql', 'dns', 'exhub'] as const;
export type Ur6Role = (typeof ROLES)[number];

const lab = strict(
  {
    ur5Installed: bool.default(false),
    upgradedFromHmc40: bool.default(false),
    missingSp2: hostList,
    notDomainAdmin: bool.default(false),
    noDeploymentTool: bool.default(false),
    powershell1: hostList,
  },
  'a map of lab settings (ur5Installed, upgradedFromHmc40, missingSp2, notDomainAdmin, noDeploymentTool, powershell1)',
);

export type Ur6Lab = z.output<typeof lab>;

/**
 * `productsAbsent`: per package file (as the KB's table spells it, any case), the hosts where the
 * product it identifies was never installed, so its removal has nothing to remove. Without it,
 * preflight refuses such a host: the KB assumes every host of the role has it.
 */
const inputs = strict(
  {
    productsAbsent: z
      .record(z.string().regex(/\.msi$/i, { error: 'expected a package file name ending in .msi' }), hostList)
      .optional(),
  },
  'a map of inputs (productsAbsent)',
);

type Ur6Inputs = z.output<typeof inputs>;

/** The hosts `inputs.productsAbsent` lists for the package file `msi` (any spelling). */
export function productsAbsentOn(inventory: Pick<Inventory, 'inputs'>, msi: string): string[] {
  const absent = (inventory.inputs as Ur6Inputs | undefined)?.productsAbsent ?? {};
  return Object.entries(absent)
    .filter(([file]) => file.toLowerCase() === msi.toLowerCase())
    .flatMap(([, hosts]) => hosts ?? []);
}

/** The `lab:` section as the profile parsed it (defaults filled); absent: not a lab inventory. */
export function ur6Lab(inventory: Pick<Inventory, 'lab'>): Ur6Lab | undefined {
  return inventory.lab as Ur6Lab | undefined;
}

export const INVENTORY_PROFILE: InventoryProfile = {
  roles: [
    { id: 'mps', description: 'MPS engine servers; the first listed runs the Deployment Tool' },
    { id: 'webServices', description: 'HMC web services servers' },
    { id: 'prov', description: 'the provisioning web server (RPC over HTTP configuration)' },
    { id: 'omsql', description: 'the operations manager SQL server (performance warehouse)' },
    { id: 'mpssql', description: 'the MPS SQL server (Resource Manager database)' },
    { id: 'dns', description: 'servers with the HMC DNS client' },
    { id: 'exhub', description: 'Exchange 2007 hub transport servers (out-of-office agent)' },
  ],
  requiredRoles: [{ role: 'mps', why: 'the first mps host runs the Deployment Tool' }],
  facts: [
    { id: 'ur5Installed', description: 'Update Rollup 5 was applied (else the longer path runs)' },
    { id: 'upgradedFromHmc40', description: 'the estate was upgraded from HMC 4.0 (runs CheckFolderGroups)' },
  ],
  lab,
  labHostLists: ['missingSp2', 'powershell1'],
  inputs,
  defaultPackage: './packages/ur6',
};
