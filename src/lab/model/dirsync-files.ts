/**
 * The simulated MS Mail directory synchronization data, as text files of one record per line:
 * where each postoffice and Exchange DXA keeps what it must send, what it received and what it
 * built. The lab actions (src/lab/model/actions/msmail.ts) move records between them as the
 * real programs and the MS Mail Connector move dirsync mail.
 */
import type { HostState, LabState } from './state.js';
import { getFile, putFile, removeFile, textFile } from './files.js';
import { findKey, getCI } from './names.js';

/** Files at the root of a postoffice's mail drive (`M:\` + path). */
export const PO_FILES = {
  /** Local changes not yet sent (reqmain -t sends them). */
  reqTrans: 'GLB\\REQTRANS.GLB',
  /** The dirsync server's answer, delivered into P1 (reqmain -r receives it). */
  response: 'P1\\DIRSYNC.RSP',
  /** Received updates (KB: "moves them into the Srvtrans.glb file"); import consumes them. */
  srvTrans: 'GLB\\SRVTRANS.GLB',
  /** Names import moved into the .nme files. */
  nme: 'NME\\DIRSYNC.NME',
  /** The postoffice's own users. */
  localUsers: 'USR\\LOCAL.USR',
  /** The global address list rebuild builds. */
  gal: 'GLB\\GAL.GLB',
  /** Dirsync server only: requestors (`PO|host|drive` or `EX|host`). */
  srvConf: 'GLB\\SRVCONF.GLB',
  /** Dirsync server only: the System.mbg queue dirsync requests wait in for T2. */
  systemMbg: 'MBG\\SYSTEM.MBG',
  /** Dirsync server only: master transactions (`origin|name`). */
  mstTrans: 'GLB\\MSTTRANS.GLB',
  /** Dirsync server only: requestors that asked and await an answer (srvmain -t). */
  srvReq: 'GLB\\SRVREQ.GLB',
} as const;

/** The Exchange DXA's side, on an Exchange requestor. */
export const DXA_FILES = {
  exportFile: 'C:\\EXCHSRVR\\DXADATA\\EXPORT.TXT',
  directory: 'C:\\EXCHSRVR\\DXADATA\\DIRECTORY.TXT',
} as const;

export const DX_SERVICE = 'MSExchangeDX';
export const PCMTA_SERVICE = 'MSExchangePCMTA';
export const PCMTA_DIAGNOSTICS_KEY =
  'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangePCMTA\\Diagnostics';
/** The simulated connector's logging categories (invented: the real names are whatever the host has). */
export const PCMTA_CATEGORIES = ['General', 'Message Transfer', 'Directory Synchronization'] as const;
export const DX_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeDX';
export const PCMTA_SOURCE = 'MSExchangePCMTA';

export function poPath(drive: string, file: string): string {
  return `${drive}:\\${file}`;
}

export function readLines(host: HostState, path: string): string[] {
  const content = getFile(host, path)?.content ?? '';
  return content.split(/\r?\n/).filter((line) => line.trim() !== '');
}

export function writeLines(host: HostState, path: string, lines: readonly string[]): void {
  putFile(host, path, textFile(lines.length === 0 ? '' : lines.join('\r\n') + '\r\n'));
}

export function appendLines(host: HostState, path: string, lines: readonly string[]): void {
  const have = readLines(host, path);
  writeLines(host, path, [...have, ...lines.filter((l) => !have.includes(l))]);
}

export function clearFile(host: HostState, path: string): void {
  if (getFile(host, path)) writeLines(host, path, []);
}

export { removeFile };

/** Whether the postoffice's mail drive is connected (the drive exists and holds GLB). */
export function driveConnected(host: HostState, drive: string): boolean {
  if (getCI(host.fileSystems ?? {}, drive) === undefined) return false;
  const prefix = `${drive}:\\GLB\\`.toLowerCase();
  return Object.keys(host.files).some((path) => path.toLowerCase().startsWith(prefix));
}

/** The dirsync server: the host whose mail drive holds SRVCONF.GLB. */
export function findServer(state: LabState): { name: string; host: HostState; drive: string } | undefined {
  for (const [name, host] of Object.entries(state.hosts)) {
    for (const path of Object.keys(host.files)) {
      const match = /^([A-Z]):\\GLB\\SRVCONF\.GLB$/i.exec(path);
      if (match?.[1]) return { name, host, drive: match[1].toUpperCase() };
    }
  }
  return undefined;
}

/** The address list a postoffice should have after rebuild: its users and every imported name. */
export function expectedGal(host: HostState, drive: string): string[] {
  const names = new Set([
    ...readLines(host, poPath(drive, PO_FILES.localUsers)),
    ...readLines(host, poPath(drive, PO_FILES.nme)),
  ]);
  return [...names].sort();
}

export function hostNamed(state: LabState, name: string): HostState | undefined {
  const key = findKey(state.hosts, name);
  return key === undefined ? undefined : state.hosts[key];
}
