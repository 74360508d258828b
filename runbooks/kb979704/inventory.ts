/** What a KB979704 inventory may say: its roles, its facts, `inputs:` and its `lab:` scenario switches. */
import { z } from 'zod';
import { bool, hostList, strict } from '../../src/inventory/inventory-schema.js';
import { readSection, type InventoryProfile } from '../../src/inventory/profile.js';
import type { Inventory } from '../../src/inventory/types.js';
import { inputs, type Ur6Inputs } from './inputs.js';

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
    // Hosts whose (32-bit) sshd starts SysWOW64's PowerShell on a 64-bit Windows.
    powershell32: hostList,
    // Hubs whose old agent is registered under an Identity no runbook data names.
    oofAgentRenamed: hostList,
    // Hubs where the RTM (32-bit) agent and domain cache task live under Program Files (x86).
    oofAgentX86: hostList,
    // Hubs that never ran the OOF agent (list them under inputs.productsAbsent too).
    oofAgentAbsent: hostList,
  },
  'a map of lab settings (ur5Installed, upgradedFromHmc40, missingSp2, notDomainAdmin, noDeploymentTool, powershell1, powershell32, oofAgentRenamed, oofAgentX86, oofAgentAbsent)',
);

export type Ur6Lab = z.output<typeof lab>;

/** The `lab:` section as the profile parsed it (defaults filled); absent: not a lab inventory. */
export function ur6Lab(inventory: Pick<Inventory, 'lab'>): Ur6Lab | undefined {
  return inventory.lab === undefined ? undefined : readSection(lab, inventory.lab, 'lab');
}

export const INVENTORY_PROFILE: InventoryProfile<Ur6Inputs, Ur6Lab> = {
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
  labHostLists: [
    'missingSp2',
    'powershell1',
    'powershell32',
    'oofAgentRenamed',
    'oofAgentX86',
    'oofAgentAbsent',
  ],
  inputs,
  defaultPackage: './packages/ur6',
};
