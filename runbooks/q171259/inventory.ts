/** What a Q171259 inventory may say: its role, facts, `inputs:` (the drive) and `lab:` switches. */
import { z } from 'zod';
import { bool, hostList, strict } from '../../src/inventory/inventory-schema.js';
import { readSection, type InventoryProfile } from '../../src/inventory/profile.js';
import type { Inventory } from '../../src/inventory/types.js';
import { DEFAULT_EXCHANGE_PATH } from './data.js';
import {
  CONNECTOR_FACTS,
  checkedFolder,
  ROLE,
  driveLetter,
  driveOf,
  serviceNames,
  windowsFolder,
} from '../msmc/connector.js';

/** The `inputs:` map, with `folder` the form of `exchangePath`: checked as given, or as stored. */
function inputsWith(folder: z.ZodType<string>) {
  return strict(
    {
      drive: driveLetter,
      exchangePath: folder.default(DEFAULT_EXCHANGE_PATH.path),
      pcmtaServices: serviceNames,
    },
    'a map of inputs (drive, exchangePath, pcmtaServices)',
  );
}

const inputs = inputsWith(windowsFolder).superRefine((value, ctx) => {
  if (value.drive === driveOf(value.exchangePath)) {
    ctx.addIssue({
      code: 'custom',
      path: ['drive'],
      message: `drive ${value.drive} is where the postoffice already is (exchangePath ${value.exchangePath}); name the NTFS drive to move it to`,
    });
  }
});

/** How the loader's output reads back (a trimmed `X:\` is `X:`, which the check refuses as given). */
const storedInputs = inputsWith(checkedFolder);

export type Q171259Inputs = z.output<typeof inputs>;

const lab = strict(
  {
    appleTalkMta: bool.default(true),
    pcmtaServices: serviceNames,
    targetFileSystem: z.enum(['NTFS', 'FAT'], { error: 'expected NTFS or FAT' }).default('NTFS'),
    targetFreeMb: z.number({ error: 'expected a number of MB' }).int().nonnegative().default(4_000),
    powershell1: hostList,
  },
  'a map of lab settings (appleTalkMta, pcmtaServices, targetFileSystem, targetFreeMb, powershell1)',
);

export type Q171259Lab = z.output<typeof lab>;

export function inputsOf(inventory: Pick<Inventory, 'inputs'>): Q171259Inputs {
  if (!inventory.inputs) throw new Error('runbook q171259 needs inputs (drive)');
  return readSection(storedInputs, inventory.inputs, 'inputs');
}

export function labOf(inventory: Pick<Inventory, 'lab'>): Q171259Lab | undefined {
  return inventory.lab === undefined ? undefined : readSection(lab, inventory.lab, 'lab');
}

export const INVENTORY_PROFILE: InventoryProfile<Q171259Inputs, Q171259Lab> = {
  roles: [{ id: ROLE, description: 'Exchange servers running the Microsoft Mail Connector' }],
  requiredRoles: [{ role: ROLE, why: 'the postoffice to move lives on a connector server' }],
  facts: CONNECTOR_FACTS,
  lab,
  labHostLists: ['powershell1'],
  inputs,
};
