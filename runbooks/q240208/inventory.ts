/** What a Q240208 inventory may say: role, facts, `inputs:` (drives) and `lab:` switches. */
import { z } from 'zod';
import { bool, hostList, strict } from '../../src/inventory/inventory-schema.js';
import { readSection, type InventoryProfile } from '../../src/inventory/profile.js';
import type { Inventory } from '../../src/inventory/types.js';
import { CONNECTOR_FACTS, ROLE, driveLetter, serviceNames } from '../msmc/connector.js';

const inputs = strict(
  {
    relocatedDrive: driveLetter,
    defaultDrive: driveLetter.default('C'),
    exchangeFolder: z
      .string()
      .regex(/^[^\\/:*?"<>|]+(\\[^\\/:*?"<>|]+)*$/, {
        error: 'expected a folder below the drive root, such as exchsrvr',
      })
      .default('exchsrvr'),
    pcmtaServices: serviceNames,
    removeDefaultMsmcon: bool.default(false),
    mailEvents: strict(
      { outbound: z.number().int().min(1).max(65_535), inbound: z.number().int().min(1).max(65_535) },
      'a map with outbound and inbound event ids',
    ).default({ outbound: 2001, inbound: 2002 }),
  },
  'a map of inputs (relocatedDrive, defaultDrive, exchangeFolder, pcmtaServices, removeDefaultMsmcon, mailEvents)',
).superRefine((value, ctx) => {
  if (value.relocatedDrive === value.defaultDrive)
    ctx.addIssue({
      code: 'custom',
      path: ['relocatedDrive'],
      message: `relocatedDrive ${value.relocatedDrive} is the default drive; name the drive the postoffice was moved to`,
    });
});

export type Q240208Inputs = z.output<typeof inputs>;

const lab = strict(
  { appleTalkMta: bool.default(true), pcmtaServices: serviceNames, powershell1: hostList },
  'a map of lab settings (appleTalkMta, pcmtaServices, powershell1)',
);
export type Q240208Lab = z.output<typeof lab>;

export function inputsOf(inventory: Pick<Inventory, 'inputs'>): Q240208Inputs {
  if (!inventory.inputs) throw new Error('runbook q240208 needs inputs (relocatedDrive)');
  // Every field reads back as the loader stored it (drive letters, folder names, numbers).
  return readSection(inputs, inventory.inputs, 'inputs');
}

export function labOf(inventory: Pick<Inventory, 'lab'>): Q240208Lab | undefined {
  return inventory.lab === undefined ? undefined : readSection(lab, inventory.lab, 'lab');
}

export const INVENTORY_PROFILE: InventoryProfile<Q240208Inputs, Q240208Lab> = {
  roles: [{ id: ROLE, description: 'Exchange servers running the Microsoft Mail Connector' }],
  requiredRoles: [{ role: ROLE, why: 'the relocated postoffice lives on a connector server' }],
  facts: CONNECTOR_FACTS,
  lab,
  labHostLists: ['powershell1'],
  inputs,
};
