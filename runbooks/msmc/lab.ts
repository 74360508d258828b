/**
 * A simulated Exchange 5.5 server with the Microsoft Mail Connector, as both MSMC runbooks seed
 * it: services running from `<root>\Connect\Msmcon\Bin`, holding their programs and the
 * postoffice's .GLB files open, Maildat$ shared, registry values pointing into the tree, and
 * mail queued in the postoffice that any move must carry along.
 */
import { binaryFile, putFile, textFile } from '../../src/lab/model/files.js';
import { blankHost } from '../../src/lab/model/host-base.js';
import type { HostState, RegistryValue } from '../../src/lab/model/state.js';
import {
  ATMTA,
  EVENTLOG_KEY,
  MAILDATA_SHARE,
  MSMCON,
  MSMI,
  PCMTA_KEY,
  serviceKey,
  winJoin,
} from './connector.js';

export const OS_2003 =
  'Microsoft Windows Server 2003 Standard Edition Service Pack 2 5.2.3790 (PowerShell 2.0, OpenSSH)';

/** Every file of the connector's Bin folder, with the build they carry. */
export const BIN_FILES = [
  'Mt.exe',
  'Mtperf.dll',
  'Mtmsg.dll',
  'Macgate.exe',
  'Macgperf.dll',
  'Pcmta.exe',
  'Xtnperf.dll',
  'Xtnmsg.dll',
];

/** Queued messages and directory files: the customer's data the move must preserve. */
export const MAILDATA_FILES: Record<string, string> = {
  'GLB\\NETWORK.GLB': 'network list: HQ/POSTOFF1, MACZONE/STARNINE',
  'GLB\\ACCESS.GLB': 'access list',
  'KEY\\EXCHANGE.KEY': 'mailbag key',
  'MAI\\00001A2B.MAI':
    'queued: From HQ/POSTOFF1/JSMITH To Exchange/ORG/SITE/ADAVIS Subject: quarterly figures',
  'MAI\\00001A2C.MAI': 'queued: From Exchange/ORG/SITE/BLEE To MACZONE/STARNINE/RGARCIA Subject: re: layout',
  'MLG\\MTS-OUT.MLG': 'outbound mailbag: 1 message',
};

export interface ConnectorSeed {
  /** The Exchange folder holding Connect\Msmcon (e.g. C:\exchsrvr). */
  exchangePath: string;
  appleTalkMta: boolean;
  pcmtas: readonly string[];
  /** Build stamped into the Bin files (lets a test see which copy is which). */
  build: string;
  powershell: HostState['powershell'];
  fileSystems: Record<string, 'NTFS' | 'FAT'>;
  freeMb: Record<string, number>;
}

function value(type: RegistryValue['type'], data: string): RegistryValue {
  return { type, data };
}

/** Writes a Msmcon tree (Bin at `build`, the postoffice's data) under `exchangePath`. */
export function putMsmconTree(
  host: HostState,
  exchangePath: string,
  build: string,
  withMaildata = true,
): void {
  const root = winJoin(exchangePath, MSMCON);
  for (const file of BIN_FILES)
    putFile(host, winJoin(root, 'Bin', file), binaryFile(`${file}@${build}`, 180_224));
  if (!withMaildata) return;
  for (const [file, text] of Object.entries(MAILDATA_FILES))
    putFile(host, winJoin(root, 'Maildata', file), textFile(text));
}

export function connectorHost(roles: string[], seed: ConnectorSeed): HostState {
  const host = blankHost(roles, { os: OS_2003, powershell: seed.powershell });
  host.fileSystems = { ...seed.fileSystems };
  host.freeMb = { ...seed.freeMb };
  const root = winJoin(seed.exchangePath, MSMCON);
  const bin = winJoin(root, 'Bin');
  putMsmconTree(host, seed.exchangePath, seed.build);
  // Exchange itself stays where it is: only the connector postoffice moves.
  putFile(
    host,
    winJoin(seed.exchangePath, 'bin', 'emsmta.exe'),
    binaryFile('emsmta.exe@5.5.2653', 1_409_024),
  );
  host.shares = { [MAILDATA_SHARE]: { path: winJoin(root, 'Maildata') } };
  host.services = { MSExchangeMTA: 'Running', MSExchangeIS: 'Running', [MSMI]: 'Running' };
  host.serviceInfo = {
    [MSMI]: { modules: [winJoin(bin, 'Mt.exe'), winJoin(root, 'Maildata', 'GLB', 'NETWORK.GLB')] },
  };
  const values: Record<string, Record<string, RegistryValue>> = {
    [serviceKey(MSMI)]: {
      ImagePath: value('REG_EXPAND_SZ', winJoin(bin, 'Mt.exe')),
      DisplayName: value('REG_SZ', 'MS Mail Connector Interchange'),
    },
    [serviceKey(`${MSMI}\\Performance`)]: { Library: value('REG_SZ', winJoin(bin, 'Mtperf.dll')) },
    [`${EVENTLOG_KEY}\\${MSMI}`]: {
      CategoryMessageFile: value('REG_EXPAND_SZ', winJoin(bin, 'Mtmsg.dll')),
      EventMessageFile: value('REG_EXPAND_SZ', winJoin(bin, 'Mtmsg.dll')),
    },
  };
  if (seed.appleTalkMta) {
    host.services[ATMTA] = 'Running';
    host.serviceInfo[ATMTA] = { modules: [winJoin(bin, 'Macgate.exe')] };
    values[serviceKey(ATMTA)] = { ImagePath: value('REG_EXPAND_SZ', winJoin(bin, 'Macgate.exe')) };
    values[serviceKey(`${ATMTA}\\Performance`)] = {
      Library: value('REG_EXPAND_SZ', winJoin(bin, 'Macgperf.dll')),
    };
  }
  if (seed.pcmtas.length > 0)
    values[serviceKey(`${PCMTA_KEY}\\Performance`)] = {
      Library: value('REG_SZ', winJoin(bin, 'Xtnperf.dll')),
    };
  for (const pcmta of seed.pcmtas) {
    host.services[pcmta] = 'Running';
    host.serviceInfo[pcmta] = { modules: [winJoin(bin, 'Pcmta.exe')] };
    values[serviceKey(pcmta)] = { ImagePath: value('REG_EXPAND_SZ', winJoin(bin, 'Pcmta.exe')) };
    values[`${EVENTLOG_KEY}\\${pcmta}`] = {
      CategoryMessageFile: value('REG_EXPAND_SZ', winJoin(bin, 'Xtnmsg.dll')),
      EventMessageFile: value('REG_EXPAND_SZ', winJoin(bin, 'Xtnmsg.dll')),
    };
  }
  host.registryValues = values;
  return host;
}
