/**
 * The simulated Q171259 estate: Exchange 5.5 on a FAT drive C: with the connector postoffice in
 * C:\exchsrvr\Connect\Msmcon, the services running, Maildat$ shared, and an empty NTFS drive
 * (the input drive) to move to.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { sameName } from '../../src/lab/model/names.js';
import type { HostState } from '../../src/lab/model/state.js';
import { ROLE, driveOf } from '../msmc/connector.js';
import { connectorHost } from '../msmc/lab.js';
import { inputsOf, labOf } from './inventory.js';

export function seedHosts(inventory: Inventory): Record<string, HostState> {
  const lab = labOf(inventory);
  const inputs = inputsOf(inventory);
  const current = driveOf(inputs.exchangePath);
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) {
    if (!hostsWithRole(inventory, ROLE).includes(spec.name)) continue;
    hosts[spec.name] = connectorHost(spec.roles, {
      exchangePath: inputs.exchangePath,
      appleTalkMta: lab?.appleTalkMta ?? true,
      pcmtas: lab?.pcmtaServices ?? [],
      build: '5.5.2653',
      powershell: (lab?.powershell1 ?? []).some((h) => sameName(h, spec.name)) ? '1.0' : '2.0',
      fileSystems: { [current]: 'FAT', [inputs.drive]: lab?.targetFileSystem ?? 'NTFS' },
      freeMb: { [current]: 1_200, [inputs.drive]: lab?.targetFreeMb ?? 4_000 },
    });
  }
  return hosts;
}

export const LAB_PROFILE: LabProfile = {
  seedHosts,
  // Plain Windows and Exchange as the lab models them: nothing runbook-specific to know.
  knowledge: {},
  example: 'lab: { appleTalkMta: true, pcmtaServices: [MSExchangePCMTA01] }',
};
