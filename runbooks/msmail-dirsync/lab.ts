/**
 * The simulated dirsync estate: Windows Server 2003 SP2 hosts (PowerShell 2.0, OpenSSH), MS Mail
 * postoffices with their executables and mail drive, the dirsync server's SRVCONF.GLB, Exchange
 * requestors with the Directory Synchronization service and the MS Mail Connector. Every
 * requestor starts with new addresses not yet synchronized, and every address list holds what
 * the last dirsync left (which the run must preserve). Each Exchange log already has 4395/4355
 * entries from an earlier cycle: stale entries the run's checks must not count.
 */
import { hostsWithRole, type Inventory } from '../../src/inventory/types.js';
import {
  DXA_FILES,
  DX_KEY,
  DX_SERVICE,
  PCMTA_CATEGORIES,
  PCMTA_DIAGNOSTICS_KEY,
  PCMTA_SERVICE,
  PO_FILES,
  poPath,
  writeLines,
} from '../../src/lab/model/dirsync-files.js';
import { logEvent } from '../../src/lab/model/actions/msmail.js';
import { binaryFile, putFile } from '../../src/lab/model/files.js';
import { blankHost } from '../../src/lab/model/host-base.js';
import type { LabProfile } from '../../src/lab/model/lab-profile.js';
import { sameName } from '../../src/lab/model/names.js';
import type { HostState } from '../../src/lab/model/state.js';
import { dirsyncInputs, dirsyncLab, mailDriveOf, postoffices } from './inventory.js';

export const LAB_OS =
  'Microsoft Windows Server 2003 R2 Enterprise Edition Service Pack 2 (PowerShell 2.0, OpenSSH)';
const PROGRAMS = ['REQMAIN.EXE', 'SRVMAIN.EXE', 'IMPORT.EXE', 'REBUILD.EXE'];

function listed(list: readonly string[] | undefined, name: string): boolean {
  return (list ?? []).some((h) => sameName(h, name));
}

/** Addresses a participant already had at the last dirsync, and the ones added since. */
export function oldNames(host: string): string[] {
  return [`${host.toUpperCase()}/ALICE`, `${host.toUpperCase()}/BOB`];
}
export function newNames(host: string): string[] {
  return [`${host.toUpperCase()}/CAROL`, `${host.toUpperCase()}/DAVE`];
}

function seedPostoffice(
  host: HostState,
  name: string,
  drive: string,
  exeDir: string,
  everyone: string[],
): void {
  for (const exe of PROGRAMS) putFile(host, `${exeDir}\\${exe}`, binaryFile(exe, 120_000));
  host.fileSystems = { ...(host.fileSystems ?? {}), [drive]: 'NTFS' };
  host.freeMb[drive] = 2_000;
  host.shares = { ...(host.shares ?? {}), MAILDATA: { path: `${drive}:\\` } };
  const others = everyone.filter((p) => !sameName(p, name)).flatMap(oldNames);
  writeLines(host, poPath(drive, PO_FILES.localUsers), [...oldNames(name), ...newNames(name)]);
  writeLines(host, poPath(drive, PO_FILES.reqTrans), newNames(name));
  writeLines(host, poPath(drive, PO_FILES.nme), others);
  writeLines(host, poPath(drive, PO_FILES.gal), [...oldNames(name), ...others].sort());
  writeLines(host, poPath(drive, PO_FILES.srvTrans), []);
}

function seedServer(host: HostState, inventory: Inventory, drive: string): void {
  const conf = [
    ...postoffices(inventory).map((po) => `PO|${po}|${mailDriveOf(inventory, po)}`),
    ...hostsWithRole(inventory, 'exchangeRequestor').map((ex) => `EX|${ex}`),
  ];
  writeLines(host, poPath(drive, PO_FILES.srvConf), conf);
  writeLines(host, poPath(drive, PO_FILES.systemMbg), []);
  writeLines(host, poPath(drive, PO_FILES.srvReq), []);
  const everyone = [...postoffices(inventory), ...hostsWithRole(inventory, 'exchangeRequestor')];
  writeLines(
    host,
    poPath(drive, PO_FILES.mstTrans),
    everyone.flatMap((p) => oldNames(p).map((n) => `${p}|${n}`)),
  );
}

/** A build of each version the runbook serves (4.0 SP5, 5.0 SP2, 5.5 SP4, 2000 SP3). */
function fileVersionOf(version: string): string {
  if (version.startsWith('4.0')) return '4.0.996.0';
  if (version.startsWith('5.0')) return '5.0.1460.0';
  if (version.startsWith('5.5')) return '5.5.2653.0';
  return `${version}.6249.0`;
}

function seedExchange(host: HostState, name: string, version: string, everyone: string[]): void {
  host.exchange = { version, servicePack: version.startsWith('4.0') ? 2 : 4 };
  // Exchange 4.0 and 5.x write no MsiProductMajor: their version is the programs' file version.
  putFile(host, 'C:\\EXCHSRVR\\bin\\dxa.exe', {
    ...binaryFile('dxa.exe', 412_000),
    version: fileVersionOf(version),
  });
  host.services[DX_SERVICE] = 'Running';
  host.services[PCMTA_SERVICE] = 'Running';
  host.services.MSExchangeSA = 'Running';
  host.services.MSExchangeMTA = 'Running';
  host.registryValues = {
    ...(host.registryValues ?? {}),
    [DX_KEY]: { ImagePath: { type: 'REG_EXPAND_SZ', data: 'C:\\EXCHSRVR\\bin\\dxa.exe' } },
    // One level per category, as the Administrator program keeps them (the lab's category names).
    [PCMTA_DIAGNOSTICS_KEY]: Object.fromEntries(
      PCMTA_CATEGORIES.map((name) => [name, { type: 'REG_DWORD' as const, data: 0 }]),
    ),
  };
  writeLines(host, DXA_FILES.exportFile, newNames(name));
  writeLines(host, DXA_FILES.directory, everyone.filter((p) => !sameName(p, name)).flatMap(oldNames));
  // The last cycle's entries: stale, they must never satisfy this run's checks.
  const then = Date.UTC(2004, 2, 1);
  logEvent(host, then, 4395, 'Sent', `Mail sent from \\\\${name}\\MAILDAT$ (an earlier dirsync)`);
  logEvent(host, then, 4355, 'Moved In', 'Mail received on the dirsync server (an earlier dirsync)');
  logEvent(host, then, 4395, 'Moved Out', 'Mail sent from the dirsync server (an earlier dirsync)');
  logEvent(host, then, 4355, 'Received', `Mail received on \\\\${name}\\MAILDAT$ (an earlier dirsync)`);
}

export function seedHosts(inventory: Inventory): Record<string, HostState> {
  const lab = dirsyncLab(inventory);
  const { exeDir } = dirsyncInputs(inventory);
  const server = hostsWithRole(inventory, 'dirsyncServer')[0];
  const everyone = [...postoffices(inventory), ...hostsWithRole(inventory, 'exchangeRequestor')];
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) {
    const host = blankHost(spec.roles, {
      os: LAB_OS,
      powershell: listed(lab.powershell1, spec.name) ? '1.0' : '2.0',
    });
    host.fileSystems = { C: 'NTFS' };
    if (postoffices(inventory).some((p) => sameName(p, spec.name))) {
      const drive = mailDriveOf(inventory, spec.name);
      seedPostoffice(host, spec.name, drive, exeDir, everyone);
      if (server !== undefined && sameName(server, spec.name)) seedServer(host, inventory, drive);
      if (listed(lab.mailDriveMissing, spec.name)) {
        // The files are on the server's disk; this host just has no drive mapped to it.
        delete host.fileSystems[drive];
        delete host.freeMb[drive];
      }
    }
    if (spec.roles.includes('exchangeRequestor')) {
      const version = listed(lab.exchange40, spec.name)
        ? '4.0.993'
        : listed(lab.exchange2000, spec.name)
          ? '6.0.6249'
          : '5.5.2653';
      seedExchange(host, spec.name, version, everyone);
    }
    hosts[spec.name] = host;
  }
  return hosts;
}

export const LAB_PROFILE: LabProfile = {
  seedHosts,
  // Plain Windows and Exchange as the lab models them: nothing runbook-specific to know.
  knowledge: {},
  example: 'lab: { exchange40: [], mailDriveMissing: [] }',
};
