/**
 * The simulated Q240208 estate "after the service pack": the postoffice was relocated to the
 * input drive (old Bin there, services running from it), then the service pack wrote a new
 * Msmcon on the default drive, pointed most registry values back at it and stopped sharing
 * Maildat$. The relocated Maildata (queued mail) must survive the repair.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { getCI, sameName } from '../../src/lab/model/names.js';
import type { HostState } from '../../src/lab/model/state.js';
import { MSMI, ROLE, winJoin } from '../msmc/connector.js';
import { connectorHost, putMsmconTree } from '../msmc/lab.js';
import { valueRows } from './data.js';
import { inputsOf, labOf } from './inventory.js';

export const OLD_BUILD = '5.5.2448';
export const SP_BUILD = '5.5.2650';

function afterServicePack(host: HostState, inventory: Inventory): void {
  const inputs = inputsOf(inventory);
  const relocatedRoot = winJoin(`${inputs.relocatedDrive}:`, inputs.exchangeFolder);
  const defaultRoot = winJoin(`${inputs.defaultDrive}:`, inputs.exchangeFolder);
  putMsmconTree(host, defaultRoot, SP_BUILD, false);
  const lab = labOf(inventory);
  const pcmtas = lab?.pcmtaServices ?? [];
  const from = `${relocatedRoot}\\Connect\\Msmcon\\`.toLowerCase();
  // "Most" values: the SP rewrote all listed ones but each PC MTA's own ImagePath.
  for (const row of valueRows(pcmtas, pcmtas.length > 0)) {
    if (row.name === 'ImagePath' && row.key.endsWith(`\\${MSMI}`) === false) continue;
    const values = getCI(host.registryValues ?? {}, row.key);
    const value = values === undefined ? undefined : getCI(values, row.name);
    if (!value || typeof value.data !== 'string') continue;
    if (value.data.toLowerCase().startsWith(from))
      value.data = `${defaultRoot}\\Connect\\Msmcon\\${value.data.slice(from.length)}`;
  }
  // The Interchange now runs the SP's Mt.exe on the default drive.
  const info = getCI(host.serviceInfo ?? {}, MSMI);
  if (info) info.modules = [winJoin(defaultRoot, 'Connect\\Msmcon\\Bin\\Mt.exe')];
  delete host.shares;
  host.eventLog = [1, 2, 3].map((record) => ({
    record,
    time: 0,
    eventId: 2001,
    source: MSMI,
    category: 'MS Mail Interchange',
    description: 'Message transferred to MS Mail (before the service pack).',
  }));
}

export function seedHosts(inventory: Inventory): Record<string, HostState> {
  const lab = labOf(inventory);
  const inputs = inputsOf(inventory);
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) {
    if (!hostsWithRole(inventory, ROLE).includes(spec.name)) continue;
    const host = connectorHost(spec.roles, {
      exchangePath: winJoin(`${inputs.relocatedDrive}:`, inputs.exchangeFolder),
      appleTalkMta: lab?.appleTalkMta ?? true,
      pcmtas: lab?.pcmtaServices ?? [],
      build: OLD_BUILD,
      powershell: (lab?.powershell1 ?? []).some((h) => sameName(h, spec.name)) ? '1.0' : '2.0',
      fileSystems: { [inputs.defaultDrive]: 'FAT', [inputs.relocatedDrive]: 'NTFS' },
      freeMb: { [inputs.defaultDrive]: 900, [inputs.relocatedDrive]: 3_000 },
    });
    afterServicePack(host, inventory);
    hosts[spec.name] = host;
  }
  return hosts;
}

export const LAB_PROFILE: LabProfile = {
  seedHosts,
  // Plain Windows and Exchange as the lab models them: nothing runbook-specific to know.
  knowledge: {},
  example: 'lab: { appleTalkMta: true, pcmtaServices: [MSExchangePCMTA01] }',
};
