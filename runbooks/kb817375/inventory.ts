/** What a KB817375 inventory may say: its one role, its facts, its `lab:` switches and `inputs:`. */
import { z } from 'zod';
import { expected } from '../../src/inventory/inventory-problem.js';
import { hostList, strict } from '../../src/inventory/inventory-schema.js';
import { readSection, type InventoryProfile } from '../../src/inventory/profile.js';
import type { Inventory } from '../../src/inventory/types.js';
import { DEFAULT_EXCHANGE_DIR } from './data.js';

export const ROLES = ['exchange'] as const;

const lab = strict(
  {
    /** Hosts still on Exchange 2000 SP2 (the hotfix refuses them; preflight blocks first). */
    sp2: hostList,
    /** Hosts running a third-party MAPI backup agent (the KB's ARCserve example) that loads Mapi32.dll. */
    backupAgent: hostList,
    /** Hosts where the bug has struck: the MAPI profile key is gone and event 9202 is logged. */
    profileLost: hostList,
    /** Hosts whose Mapi32.dll is already 6.0.6448.0 (the hotfix or the Sept 2003 rollup applied). */
    mapi32Current: hostList,
    /** Hosts without PowerShell 2.0 (preflight must block them). */
    noPowerShell2: hostList,
  },
  'a map of lab settings (sp2, backupAgent, profileLost, mapi32Current, noPowerShell2)',
);

export type Kb817375Lab = z.output<typeof lab>;

const windowsFolder = z
  .string({ error: expected('a Windows folder such as D:\\Exchsrvr') })
  .regex(/^[A-Za-z]:\\[^\r\n"*?<>|]*$/, { error: expected('a Windows folder such as D:\\Exchsrvr') });

const inputs = strict(
  { exchangeDir: windowsFolder.default(DEFAULT_EXCHANGE_DIR) },
  'a map of inputs (exchangeDir)',
);

/** The `lab:` section as the profile parsed it; absent: not a lab inventory. */
export function kb817375Lab(inventory: Pick<Inventory, 'lab'>): Kb817375Lab | undefined {
  return inventory.lab === undefined ? undefined : readSection(lab, inventory.lab, 'lab');
}

/** The Exchange folder (inputs.exchangeDir, or the default for an inventory built in code). */
export function exchangeDir(inventory: Pick<Inventory, 'inputs'>): string {
  const dir = inventory.inputs?.exchangeDir;
  return (typeof dir === 'string' && dir !== '' ? dir : DEFAULT_EXCHANGE_DIR).replace(/\\+$/, '');
}

export const INVENTORY_PROFILE: InventoryProfile<z.output<typeof inputs>, Kb817375Lab> = {
  roles: [{ id: 'exchange', description: 'Exchange 2000 servers (SP3) that get the Mapi32.dll hotfix' }],
  requiredRoles: [{ role: 'exchange', why: 'the hotfix goes on Exchange 2000 servers' }],
  facts: [
    {
      id: 'mapi32Current',
      description: 'Mapi32.dll is already 6.0.6448.0 or later on every exchange host (only confirm it)',
    },
    {
      id: 'useWorkaround',
      description:
        "restart System Attendant and its dependants (the KB's workaround) instead of installing the hotfix",
    },
  ],
  lab,
  labHostLists: ['sp2', 'backupAgent', 'profileLost', 'mapi32Current', 'noPowerShell2'],
  inputs,
  defaultPackage: './packages/kb817375',
};
