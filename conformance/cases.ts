/**
 * The conformance cases: for each action, host states from the shipped inventories' seeds
 * (seedEstate, by each inventory's runbook, whose lab knowledge the case runs with) and targeted changes to them — already done, pending, each failure the action
 * handles, missing objects.
 */
import type { Inventory } from '../src/inventory/types.js';
import type { Params } from '../src/remote/header.js';
import { runbookFor } from '../runbooks/index.js';
import { seedEstate } from '../src/lab/model/seed.js';
import type { HostState } from '../src/lab/model/state.js';
import type { ConformanceCase } from '../src/lab/pwsh/conformance.js';
import { binaryFile } from '../src/lab/model/files.js';
import { msiCases } from './cases-msi.js';
import { treeCases } from './cases-trees.js';
import { hostCases } from './cases-hosts.js';
import { hubCases } from './cases-hub.js';

const SVC = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\';
const MSMI = `${SVC}MSExchangeMSMI`;
const BIN = 'C:\\exchsrvr\\Connect\\Msmcon\\Bin';

export const INVENTORY_FILES = [
  'lab.yaml',
  'lab-ur5.yaml',
  'lab-kb817375.yaml',
  'lab-q171259.yaml',
  'lab-q240208.yaml',
];

export type Change = (host: HostState) => void;

/** What a case may set besides its state: the phases to run, the natives' extra knowledge. */
export type CaseOptions = Pick<ConformanceCase, 'phases' | 'natives'>;

export function conformanceCases(inventories: Record<string, Inventory>): ConformanceCase[] {
  const seeds = new Map<string, Record<string, HostState>>();
  const seeded = (file: string, host: string): { inventory: Inventory; host: HostState } => {
    const inventory = inventories[file];
    if (!inventory) throw new Error(`no inventory ${file}`);
    let hosts = seeds.get(file);
    if (!hosts) {
      hosts = seedEstate(inventory, runbookFor(inventory)).hosts;
      seeds.set(file, hosts);
    }
    const state = hosts[host];
    if (!state) throw new Error(`${file} has no host ${host}`);
    return { inventory, host: structuredClone(state) };
  };
  const cases: ConformanceCase[] = [];
  const add = (
    file: string,
    hostName: string,
    action: string,
    target: string,
    params: Params,
    states: Record<string, Change>,
    options: CaseOptions = {},
  ): void => {
    for (const [label, change] of Object.entries(states)) {
      const { inventory, host } = seeded(file, hostName);
      change(host);
      const runbook = runbookFor(inventory);
      cases.push({ label, inventory, runbook, hostName, host, action, target, params, ...options });
    }
  };
  const same: Change = () => undefined;

  // COM+ (the Provisioning Engine on an MPS server).
  const engine =
    (enabled: boolean, running: boolean): Change =>
    (h) => {
      h.comPlus['Provisioning Engine'] = { enabled, running };
    };
  const noEngine: Change = (h) => {
    h.comPlus = {};
  };
  for (const action of ['complus.disable', 'complus.shutdown', 'complus.enable', 'complus.start'])
    add(
      'lab.yaml',
      'hmc-mps-a',
      action,
      'Provisioning Engine',
      {},
      {
        'enabled, running': engine(true, true),
        'disabled, running': engine(false, true),
        'disabled, stopped': engine(false, false),
        'enabled, stopped': engine(true, false),
        'no such application': noEngine,
      },
    );

  more(add, same);
  for (const more of MORE_CASES) more(add, same);
  for (const c of cases)
    if (c.phases === undefined && APPLY_VERIFY_SAMPLE.has(c.action))
      c.phases = ['probe', 'apply', 'verify', 'run', 'applyVerify'];
  return cases;
}

export type Add = (
  file: string,
  hostName: string,
  action: string,
  target: string,
  params: Params,
  states: Record<string, Change>,
  options?: CaseOptions,
) => void;

/** Actions whose cases also run as one `applyVerify` script (the engine's form after its own probe). */
const APPLY_VERIFY_SAMPLE: ReadonlySet<string> = new Set([
  'service.start',
  'service.restart',
  'registry.setValue',
  'msi.install',
  'msi.uninstall',
  'msi.stage',
  'tree.copy',
  'share.ensure',
  'eventlog.expect',
  'hotfix.install',
  'sql.backup',
]);

/** The cases of the other action families, each in a module of its own. */
const MORE_CASES: ((add: Add, same: Change) => void)[] = [msiCases, treeCases, hostCases, hubCases];

function more(add: Add, same: Change): void {
  // Registry values (the MS Mail Connector host).
  add(
    'lab-q171259.yaml',
    'exch55-msmc',
    'registry.setValue',
    MSMI,
    { name: 'ImagePath', type: 'REG_EXPAND_SZ', data: `${BIN}\\Mt.exe` },
    {
      'already set': same,
      'other data': (h) => {
        h.registryValues![MSMI]!.ImagePath = { type: 'REG_EXPAND_SZ', data: 'D:\\old\\Mt.exe' };
      },
      'other type': (h) => {
        h.registryValues![MSMI]!.ImagePath = { type: 'REG_SZ', data: `${BIN}\\Mt.exe` };
      },
      'value missing': (h) => {
        delete h.registryValues![MSMI]!.ImagePath;
      },
      'only the parent of a subkey': (h) => {
        delete h.registryValues![MSMI];
      },
      'no key': (h) => {
        for (const k of Object.keys(h.registryValues!)) if (k.startsWith(MSMI)) delete h.registryValues![k];
        for (const k of Object.keys(h.registry)) if (k.startsWith(MSMI)) delete h.registry[k];
      },
    },
  );
  add(
    'lab-q171259.yaml',
    'exch55-msmc',
    'registry.setValue',
    MSMI,
    { name: 'Start', type: 'REG_DWORD', data: '2' },
    {
      'dword missing': same,
      'dword differs': (h) => {
        h.registryValues![MSMI]!.Start = { type: 'REG_DWORD', data: 4 };
      },
    },
  );
  add(
    'lab-q171259.yaml',
    'exch55-msmc',
    'registry.repointValue',
    `${SVC}MSExchangeMSMI\\Performance`,
    { name: 'Library', from: 'C:\\exchsrvr\\Connect', to: 'D:\\exchsrvr\\Connect' },
    {
      'stale, target missing': same,
      'stale, target there': (h) => {
        h.files[`D:\\exchsrvr\\Connect\\Msmcon\\Bin\\Mtperf.dll`] = binaryFile('mtperf', 100);
      },
      'already moved': (h) => {
        h.registryValues![`${SVC}MSExchangeMSMI\\Performance`]!.Library = {
          type: 'REG_SZ',
          data: 'D:\\exchsrvr\\Connect\\Msmcon\\Bin\\Mtperf.dll',
        };
      },
      'key missing': (h) => {
        delete h.registryValues![`${SVC}MSExchangeMSMI\\Performance`];
      },
    },
  );
  const key = 'HKLM\\SOFTWARE\\Contoso\\Counters';
  for (const action of ['registry.remove', 'registry.checkKey'])
    add('lab.yaml', 'exhub-east', action, key, action === 'registry.remove' ? {} : { remedy: 'install it' }, {
      present: (h) => {
        h.registry[key] = true;
      },
      'present with a subkey': (h) => {
        h.registry[`${key}\\Sub`] = true;
      },
      absent: same,
      'holds values': (h) => {
        h.registryValues = { [key]: { X: { type: 'REG_SZ', data: 'y' } } };
      },
    });

  // Services.
  const services: Change = (h) => {
    h.services = { W3SVC: 'Running', IISADMIN: 'Running', SMTPSVC: 'Stopped', Spooler: 'Paused' };
    h.serviceInfo = { IISADMIN: { dependents: ['W3SVC', 'SMTPSVC'] } };
  };
  for (const [action, targets] of [
    ['service.stop', ['IISADMIN', 'W3SVC', 'SMTPSVC', 'Spooler', 'Missing']],
    ['service.start', ['IISADMIN', 'SMTPSVC', 'Spooler', 'Missing']],
    ['service.restart', ['IISADMIN', 'W3SVC', 'SMTPSVC', 'Spooler', 'Missing']],
  ] as const)
    for (const t of targets)
      add('lab.yaml', 'hmc-web-a', action, t, { timeoutSeconds: 30 }, { [`${t}`]: services });
  const chain: Change = (h) => {
    services(h);
    h.services.IISADMIN = 'Stopped';
    h.services.W3SVC = 'Stopped';
    h.serviceInfo = { IISADMIN: { dependents: ['W3SVC', 'SMTPSVC'] }, W3SVC: { dependents: ['ASPNET'] } };
    h.services.ASPNET = 'Stopped';
  };
  for (const action of ['service.start', 'service.restart'])
    add('lab.yaml', 'hmc-web-a', action, 'ASPNET', { timeoutSeconds: 30 }, { 'dependencies stopped': chain });
  add(
    'lab.yaml',
    'hmc-web-a',
    'service.stop',
    'IISADMIN',
    { timeoutSeconds: 30 },
    {
      'indirect dependents': (h) => {
        chain(h);
        h.services = { ...h.services, IISADMIN: 'Running', W3SVC: 'Running', ASPNET: 'Running' };
      },
    },
  );
  // The transport service loads its agents as it starts and unloads them as it stops.
  const AGENT_DLL =
    'C:\\Program Files\\Microsoft\\Exchange Server\\TransportRoles\\Agents\\CategorizerOverrideAgent\\CategorizerOverrideAgent.dll';
  for (const action of ['service.stop', 'service.start', 'service.restart'])
    add(
      'lab.yaml',
      'exhub-east',
      action,
      'MSExchangeTransport',
      { timeoutSeconds: 60 },
      {
        running: same,
        stopped: (h) => {
          h.services.MSExchangeTransport = 'Stopped';
          h.transportLoadedAgents = [];
        },
        'stopped, an agent DLL gone': (h) => {
          h.services.MSExchangeTransport = 'Stopped';
          h.transportLoadedAgents = [];
          delete h.files[AGENT_DLL];
        },
      },
    );
  add(
    'lab.yaml',
    'hmc-web-a',
    'iis.reset',
    '',
    {},
    {
      running: same,
      stopped: (h) => {
        h.services.W3SVC = 'Stopped';
        h.services.IISADMIN = 'Stopped';
      },
      'no IIS': (h) => {
        h.services = {};
      },
    },
  );
  add(
    'lab-q171259.yaml',
    'exch55-msmc',
    'service.start',
    'MSExchangeMSMI',
    { timeoutSeconds: 30 },
    {
      'stopped, image there': (h) => {
        h.services.MSExchangeMSMI = 'Stopped';
      },
      'stopped, image missing': (h) => {
        h.services.MSExchangeMSMI = 'Stopped';
        delete h.files[`${BIN}\\Mt.exe`];
      },
    },
  );
  add(
    'lab-kb817375.yaml',
    'exch-hq-1',
    'service.listRunning',
    '',
    { module: 'mapi32.dll', services: ['RESvc'] },
    {
      seed: same,
      'SA stopped': (h) => {
        h.services.MSExchangeSA = 'Stopped';
      },
    },
  );
  add(
    'lab-kb817375.yaml',
    'exch-hq-1',
    'service.listRunning',
    '',
    { module: '', services: ['IISADMIN', 'POP3Svc'] },
    { seed: same },
  );
  for (const list of [
    'MSExchangeSA,MSExchangeMTA,MSExchangeIS,IMAP4Svc',
    'IISADMIN,W3SVC',
    '',
    'MSExchangeSA,Nope',
  ])
    for (const action of ['service.stopList', 'service.startList'])
      add(
        'lab-kb817375.yaml',
        'exch-hq-1',
        action,
        '',
        { services: list, timeoutSeconds: 30 },
        {
          [`${list || 'empty'}`]: same,
          [`${list || 'empty'}, all stopped`]: (h) => {
            for (const n of Object.keys(h.services)) h.services[n] = 'Stopped';
          },
        },
      );
}
