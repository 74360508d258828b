/**
 * The simulated KB817375 estate: Exchange 2000 SP3 servers on Windows Server 2003 SP2 (with
 * PowerShell 2.0 and OpenSSH, see docs/runbook-kb817375.md), their services as Exchange 2000 sets
 * them up — System Attendant with the MTA and the information store depending on it, POP3 left
 * stopped, the Exchange Event Service (a MAPI client) stopped — and what must be preserved.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory, Role } from '../../src/inventory/types.js';
import { binaryFile, putFile } from '../../src/lab/model/files.js';
import { blankHost } from '../../src/lab/model/host-base.js';
import type { LabKnowledge, LabProfile } from '../../src/lab/model/lab-profile.js';
import { sameName } from '../../src/lab/model/names.js';
import type { HostState } from '../../src/lab/model/state.js';
import { standinBytes } from '../../src/lab/package/generate.js';
import {
  FIXED_FILE,
  HOTFIX_MIN_SERVICE_PACK,
  HOTFIX_PACKAGE,
  MAPI_MODULE,
  MAPI_PROFILE_KEY,
  SERVICE_PACK_PROBE,
  SYSTEM_ATTENDANT,
} from './data.js';
import { exchangeDir, kb817375Lab } from './inventory.js';

export const OS_2003 = 'Microsoft(R) Windows(R) Server 2003, Enterprise Edition Service Pack 2 5.2.3790';
/** The Mapi32.dll build Exchange 2000 SP3 shipped (before the hotfix). */
export const SP3_MAPI32 = '6.0.6249.0';
export const BACKUP_AGENT = 'ARCserveExchAgent';

function listed(list: string[] | undefined, name: string): boolean {
  return (list ?? []).some((h) => sameName(h, name));
}

/** Exchange 2000's services: name → status, dependents, modules (what the process loads). */
function seedServices(host: HostState, withAgent: boolean): void {
  host.services = {
    [SYSTEM_ATTENDANT]: 'Running',
    MSExchangeMTA: 'Running',
    MSExchangeIS: 'Running',
    IMAP4Svc: 'Running',
    // Left stopped by the administrator: a run must not start it.
    POP3Svc: 'Stopped',
    // The Exchange Event Service is a MAPI client; stopped here, so it holds nothing and stays stopped.
    MSExchangeES: 'Stopped',
    RESvc: 'Running',
    SMTPSVC: 'Running',
    W3SVC: 'Running',
    IISADMIN: 'Running',
  };
  host.serviceInfo = {
    IISADMIN: { dependents: ['SMTPSVC', 'W3SVC'] },
    [SYSTEM_ATTENDANT]: { dependents: ['MSExchangeMTA', 'MSExchangeIS'], modules: ['mad.exe', MAPI_MODULE] },
    MSExchangeMTA: { modules: ['emsmta.exe', MAPI_MODULE] },
    MSExchangeIS: { dependents: ['IMAP4Svc', 'POP3Svc'], modules: ['store.exe', 'exoledb.dll'] },
    MSExchangeES: { modules: ['events.exe', MAPI_MODULE] },
    RESvc: { modules: ['inetinfo.exe'] },
  };
  if (withAgent) {
    // The KB's cause: a third-party MAPI program running as LocalSystem.
    host.services[BACKUP_AGENT] = 'Running';
    host.serviceInfo[BACKUP_AGENT] = { modules: ['dbaexch.exe', MAPI_MODULE] };
  }
}

function exchangeHost(inventory: Inventory, name: string, roles: Role[]): HostState {
  const lab = kb817375Lab(inventory);
  const host = blankHost(roles, {
    os: OS_2003,
    powershell: listed(lab?.noPowerShell2, name) ? '1.0' : '2.0',
  });
  const sp2 = listed(lab?.sp2, name);
  host.exchange = { version: '6.0', servicePack: sp2 ? 2 : 3 };
  const bin = `${exchangeDir(inventory)}\\bin`;
  const storeBuild = sp2 ? '6.0.5762.4' : '6.0.6249.4';
  putFile(host, `${exchangeDir(inventory)}\\${SERVICE_PACK_PROBE.relative}`, {
    ...binaryFile(`store.exe@${storeBuild}`, 5_320_704),
    version: storeBuild,
  });
  const mapi = listed(lab?.mapi32Current, name) ? FIXED_FILE.version : sp2 ? '6.0.5762.3' : SP3_MAPI32;
  putFile(host, `${exchangeDir(inventory)}\\${FIXED_FILE.relative}`, {
    ...binaryFile(`Mapi32.dll@${mapi}`, mapi === FIXED_FILE.version ? FIXED_FILE.size : 741_376),
    version: mapi,
  });
  putFile(host, `${bin}\\mad.exe`, {
    ...binaryFile(`mad.exe@${storeBuild}`, 1_134_592),
    version: storeBuild,
  });
  seedServices(host, listed(lab?.backupAgent, name));
  if (listed(lab?.profileLost, name)) {
    host.eventLog = [
      {
        record: 1,
        time: Date.UTC(2003, 3, 14, 2, 0, 0),
        eventId: 9202,
        source: 'MSExchangeSA',
        category: 'Mailbox Management',
        description: 'Failed to open default message store.',
      },
    ];
  } else {
    host.registry[MAPI_PROFILE_KEY] = true;
    host.registry[`${MAPI_PROFILE_KEY}\\Profiles\\Default Exchange Profile`] = true;
  }
  return host;
}

/** Every exchange host as Exchange 2000 (SP3 unless `lab.sp2` lists it) left it. */
export function seedHosts(inventory: Inventory): Record<string, HostState> {
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) hosts[spec.name] = exchangeHost(inventory, spec.name, spec.roles);
  return hosts;
}

/** The stand-in hotfix: HOTFIX_PACKAGE's name and size, its header naming Mapi32.dll 6.0.6448.0. */
export async function writePackage(
  outDir: string,
): Promise<{ file: string; size: number; sha256: string }[]> {
  await mkdir(outDir, { recursive: true });
  const bytes = standinBytes(
    { product: FIXED_FILE.name, version: FIXED_FILE.version, file: HOTFIX_PACKAGE.file },
    HOTFIX_PACKAGE.size,
  );
  await writeFile(join(outDir, HOTFIX_PACKAGE.file), bytes);
  return [
    {
      file: HOTFIX_PACKAGE.file,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
  ];
}

/** Starting Exchange 2000's System Attendant re-creates the MAPI profiles KB817375's bug deletes (the KB's workaround). */
export const SYSTEM_ATTENDANT_RECREATES = {
  service: SYSTEM_ATTENDANT,
  registryKey: MAPI_PROFILE_KEY,
} as const;

/** What the simulated Windows knows about Exchange 2000 and the hotfix (the lab port). */
export const LAB_KNOWLEDGE: LabKnowledge = {
  hotfix: { minServicePack: HOTFIX_MIN_SERVICE_PACK },
  serviceRecreates: SYSTEM_ATTENDANT_RECREATES,
};

export const LAB_PROFILE: LabProfile = {
  seedHosts,
  writePackage,
  knowledge: LAB_KNOWLEDGE,
  example: 'lab: { backupAgent: [exch-a], profileLost: [exch-b] }',
};
