/** What an msmail-dirsync inventory may say: roles, the one fact, `lab:` drills and `inputs:`. */
import { z } from 'zod';
import { bool, hostList, strict } from '../../src/inventory/inventory-schema.js';
import { readSection, type InventoryProfile } from '../../src/inventory/profile.js';
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import { MSMAIL } from './data.js';

const ENV = /^[A-Za-z_][A-Za-z0-9_]*$/;
const letter = z
  .string({ error: 'expected a drive letter such as M' })
  .regex(/^[A-Za-z]:?$/, { error: 'expected a drive letter such as M' })
  .transform((v) => v.slice(0, 1).toUpperCase());

const inputs = strict(
  {
    adminPasswordEnv: z
      .string({ error: 'expected the NAME of an environment variable holding the MS Mail admin password' })
      .regex(ENV, { error: 'expected an environment variable name such as MSMAIL_ADMIN_PASSWORD' }),
    mailDrive: letter.default(MSMAIL.defaultDrive),
    mailDrives: z
      .record(z.string(), letter, { error: 'expected a map of host name to drive letter' })
      .default({}),
    exeDir: z
      .string({ error: 'expected a Windows folder such as C:\\MAILEXE' })
      .min(3)
      .default(MSMAIL.defaultExeDir),
    forcedos: bool.default(true),
  },
  'a map of inputs (adminPasswordEnv, mailDrive, mailDrives, exeDir, forcedos)',
);

export type DirsyncInputs = z.output<typeof inputs>;

const lab = strict(
  {
    exchange40: hostList,
    exchange2000: hostList,
    mailDriveMissing: hostList,
    powershell1: hostList,
  },
  'a map of lab settings (exchange40, exchange2000, mailDriveMissing, powershell1)',
);

export type DirsyncLab = z.output<typeof lab>;

/** The `lab:` section as the profile parsed it (none: an empty one). */
export function dirsyncLab(inventory: Pick<Inventory, 'lab'>): DirsyncLab {
  return readSection(lab, inventory.lab ?? {}, 'lab');
}

export function dirsyncInputs(inventory: Pick<Inventory, 'inputs'>): DirsyncInputs {
  return inputs.parse(inventory.inputs ?? { adminPasswordEnv: 'MSMAIL_ADMIN_PASSWORD' });
}

/** The mail drive of a postoffice host. */
export function mailDriveOf(inventory: Pick<Inventory, 'inputs'>, host: string): string {
  const i = dirsyncInputs(inventory);
  const key = Object.keys(i.mailDrives).find((k) => k.toLowerCase() === host.toLowerCase());
  return (key ? i.mailDrives[key] : undefined) ?? i.mailDrive;
}

/** Every postoffice that requests (the dirsync server first, then the requestors, no repeats). */
export function postoffices(inventory: Pick<Inventory, 'roles'>): string[] {
  return [
    ...new Set([
      ...hostsWithRole(inventory, 'dirsyncServer'),
      ...hostsWithRole(inventory, 'requestorPostoffice'),
    ]),
  ];
}

export const INVENTORY_PROFILE: InventoryProfile<DirsyncInputs, DirsyncLab> = {
  roles: [
    {
      id: 'dirsyncServer',
      description: 'the MS Mail postoffice defined as the dirsync server (also a requestor)',
    },
    { id: 'requestorPostoffice', description: 'MS Mail postoffices that are dirsync requestors' },
    {
      id: 'exchangeRequestor',
      description: 'Exchange servers that are dirsync requestors (MS Mail Connector)',
    },
  ],
  requiredRoles: [{ role: 'dirsyncServer', why: 'T2 runs srvmain on the dirsync server' }],
  facts: [
    { id: 'exchange40', description: 'an Exchange requestor runs Exchange Server 4.0 (needs PauseKicksDX)' },
  ],
  lab,
  labHostLists: ['exchange40', 'exchange2000', 'mailDriveMissing', 'powershell1'],
  inputs,
  secretInputs: ['adminPasswordEnv'],
};
