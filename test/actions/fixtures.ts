/**
 * Realistic steps for the action tests: one hand-written sample per catalog action from the
 * KB979704 runbook data (paths with spaces, component names, the agent), and every step the real
 * plan generates for the KB estate and an odd estate under all four fact combinations.
 */
import { createHash } from 'node:crypto';
import { ACTION_NAMES } from '../../src/actions/catalog.js';
import type { Params } from '../../src/remote/header.js';
import type { PlanStep } from '../../src/plan/types.js';
import { planStages } from '../../src/plan/build-plan.js';
import { kb979704 } from '../../runbooks/kb979704/index.js';
import {
  AGENT,
  CORE_COMPONENTS,
  DOMAIN_CACHE_TASK,
  HMC40_UPGRADE_KEY,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
  STANDALONE,
} from '../../runbooks/kb979704/data.js';
import { KB_ESTATE, ODD_ESTATE, makeInventory } from '../helpers/inventory.js';
import { standinContents } from '../helpers/package.js';
import { standinProduct } from '../../runbooks/kb979704/lab-products.js';

export interface Sample {
  action: string;
  target: string;
  params: Params;
}

/** The stand-in identity of a package file: what its MSI would say. */
const id = (msi: string) => standinProduct(msi);
export const UR6 = id(CORE_COMPONENTS[0]!.msi).versions.ur6;

/** A deterministic stand-in for a package file's sha256. */
export function fakeSha256(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

const component = CORE_COMPONENTS[0]!;
const webComponent = CORE_COMPONENTS[1]!;
const agent = STANDALONE.agent!;
const rpcBackup = 'C:\\temp\\QFERollupPackage\\backup\\PROV01\\RPCHTTPConfig';

/** One sample per catalog action (several for some), with the runbook's real names and paths. */
export const SAMPLES: readonly Sample[] = [
  {
    action: 'host.inspect',
    target: '',
    params: {
      products: [
        'Hosted Messaging and Collaboration',
        'HMC Deployment Tool',
        ...NO_UR5_COMPONENTS.map((c) => c.name),
      ],
      registryKeys: [HMC40_UPGRADE_KEY],
      drives: ['C'],
    },
  },
  ...['complus.disable', 'complus.shutdown', 'complus.enable', 'complus.start'].map((action) => ({
    action,
    target: 'Provisioning Engine',
    params: {},
  })),
  {
    action: 'component.uninstall',
    target: component.name,
    params: {
      product: component.name,
      msi: component.msi,
      productCode: id(component.msi).productCode,
      upgradeCode: id(component.msi).upgradeCode,
      keepVersion: id(component.msi).versions.ur6,
    },
  },
  {
    action: 'component.install',
    target: webComponent.name,
    params: {
      product: webComponent.name,
      msi: webComponent.msi,
      productCode: id(webComponent.msi).productCode,
      version: id(webComponent.msi).versions.ur6,
    },
  },
  {
    action: 'provisioning.initialize',
    target: PROVISIONING_NODES[0]!,
    params: { configFile: PATHS.mpsConfig, node: PROVISIONING_NODES[0]! },
  },
  { action: 'provisioning.startDeployment', target: '', params: { configFile: PATHS.mpsConfig } },
  {
    action: 'package.upload',
    target: 'Hostedemail2007ns.msi',
    params: {
      source: 'Hostedemail2007ns.msi',
      dest: `${PATHS.packageDir}\\Hostedemail2007ns.msi`,
      size: 349_184,
      sha256: fakeSha256('Hostedemail2007ns.msi'),
    },
  },
  {
    action: 'msi.backup',
    target: 'HostedEmail2007NS.msi',
    params: {
      source: `${PATHS.msiShare}\\HostedEmail2007NS.msi`,
      dest: `${PATHS.backupRoot}\\MPS01\\MSIShare\\HostedEmail2007NS.msi`,
    },
  },
  {
    action: 'msi.stage',
    target: 'HostedEmail2007NS.msi',
    params: {
      source: `${PATHS.packageDir}\\Hostedemail2007ns.msi`,
      dest: `${PATHS.msiShare}\\HostedEmail2007NS.msi`,
      size: 349_184,
      sha256: fakeSha256('Hostedemail2007ns.msi'),
    },
  },
  {
    action: 'msi.uninstall',
    target: 'CategorizerOverrideAgent.msi',
    params: {
      product: agent.title,
      productCode: id(agent.earlierMsi!).productCode,
      upgradeCode: id(agent.earlierMsi!).upgradeCode,
      log: `${PATHS.logDir}\\agent-uninstall.log`,
      keepCode: id(agent.msi).productCode,
      keepVersion: id(agent.msi).versions.ur6,
    },
  },
  {
    action: 'msi.install',
    target: agent.msi,
    params: {
      product: agent.title,
      productCode: id(agent.msi).productCode,
      path: `${PATHS.packageDir}\\Categorizeroverrideagent-x64.msi`,
      version: id(agent.msi).versions.ur6,
      log: `${PATHS.logDir}\\agent-install.log`,
    },
  },
  { action: 'iis.reset', target: '', params: {} },
  { action: 'service.restart', target: 'MSExchangeTransport', params: { timeoutSeconds: 300 } },
  { action: 'hub.health', target: 'MSExchangeTransport', params: {} },
  { action: 'service.stop', target: 'MSExchangeSA', params: { timeoutSeconds: 300 } },
  { action: 'service.start', target: 'MSExchangeSA', params: { timeoutSeconds: 300 } },
  {
    action: 'registry.setValue',
    target: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI',
    params: { name: 'ImagePath', type: 'REG_EXPAND_SZ', data: 'D:\\ExchSrvr\\Connect\\Msmcon\\Bin\\Mt.exe' },
  },
  {
    action: 'registry.setEach',
    target: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangePCMTA\\Diagnostics',
    params: { data: '5' },
  },
  {
    action: 'registry.export',
    target: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI',
    params: { file: "E:\\exchsrvr\\Connect\\Msmcon\\registry.before-q240208\\O'Brien's msmi.reg" },
  },
  {
    action: 'sql.backup',
    target: "Resource Manager's DB",
    params: { instance: 'MPSSQL01\\HMC', file: "D:\\Back ups\\Resource Manager's DB-before-KB979704.bak" },
  },
  { action: 'share.remove', target: 'Maildat$', params: {} },
  { action: 'share.ensure', target: 'Maildat$', params: { path: 'D:\\ExchSrvr\\Connect\\Msmcon\\Maildata' } },
  {
    action: 'tree.copy',
    target: 'Msmcon',
    params: { source: 'C:\\exchsrvr\\Connect\\Msmcon', dest: 'D:\\Exch Srvr\\Connect\\Msmcon' },
  },
  { action: 'tree.remove', target: 'C:\\exchsrvr\\Connect\\Msmcon', params: {} },
  {
    action: 'registry.repointValue',
    target: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\MSExchangeMSMI',
    params: {
      name: 'EventMessageFile',
      from: 'C:\\exchsrvr\\Connect\\Msmcon',
      to: 'E:\\exchsrvr\\Connect\\Msmcon',
    },
  },
  {
    action: 'mailflow.check',
    target: 'MS Mail Connector',
    params: { source: 'MSExchangeMSMI', since: '1042', outboundEventId: 2001, inboundEventId: 2002 },
  },
  {
    action: 'oofAgent.discover',
    target: AGENT.assemblyFile,
    params: {
      assemblyFile: AGENT.assemblyFile,
      configKey: AGENT.cacheRefreshKey,
      expectAgent: true,
      identity: "O'Brien's OOF agent",
      defaultIdentity: AGENT.name,
      factory: '',
      newAssembly: AGENT.assembly,
      newProductCode: id('CategorizerOverrideAgent-x64.msi').productCode,
      cacheRefresh: '',
      taskConfigs: [PATHS.domainCacheConfig, PATHS.domainCacheConfigX86],
    },
  },
  { action: 'transportAgent.uninstall', target: AGENT.name, params: { identity: 'HMC OOF $(agent)' } },
  { action: 'transportAgent.uninstall', target: AGENT.name, params: { identity: '' } },
  {
    action: 'transportAgent.install',
    target: AGENT.name,
    params: { identity: AGENT.name, assembly: AGENT.assembly, factory: 'Vendor.Oof.AgentFactory' },
  },
  { action: 'transportAgent.enable', target: AGENT.name, params: { identity: AGENT.name } },
  {
    action: 'installutil.uninstall',
    target: AGENT.assemblyFile,
    params: {
      installUtil: PATHS.installUtil,
      assembly: AGENT.assembly.replace('Program Files', 'Program Files (x86)'),
      counterKey: AGENT.counterKey,
      log: 'C:\\temp\\QFERollupPackage\\logs\\CategorizerOverrideAgent-x64-installutil-uninstall.log',
    },
  },
  {
    action: 'installutil.install',
    target: AGENT.assemblyFile,
    params: {
      installUtil: PATHS.installUtil64,
      assembly: AGENT.assembly,
      counterKey: AGENT.counterKey,
      log: 'C:\\temp\\QFERollupPackage\\logs\\CategorizerOverrideAgent-x64-installutil-install.log',
    },
  },
  {
    action: 'config.merge',
    target: 'SMTPDomainCacheTask.exe.config',
    params: {
      source: 'C:\\temp\\QFERollupPackage\\backup\\EXHUB01\\SMTPDomainCacheTask.exe.config',
      dest: PATHS.domainCacheConfig,
    },
  },
  { action: 'registry.remove', target: AGENT.counterKey, params: {} },
  {
    action: 'config.read',
    target: AGENT.cacheRefreshKey,
    params: { path: PATHS.agentConfig, key: AGENT.cacheRefreshKey },
  },
  {
    action: 'config.write',
    target: AGENT.cacheRefreshKey,
    params: { path: PATHS.agentConfig, key: AGENT.cacheRefreshKey, value: '15', clearReadOnly: true },
  },
  {
    action: 'config.write',
    target: 'ResourceManagerDatabaseServer',
    params: {
      path: PATHS.domainCacheConfig,
      key: 'ResourceManagerDatabaseServer',
      value: 'MPSSQL01',
      clearReadOnly: false,
    },
  },
  {
    action: 'file.backup',
    target: 'RPCHTTPConfig',
    params: { source: PATHS.rpcHttpConfig, dest: rpcBackup },
  },
  {
    action: 'file.restore',
    target: 'RPCHTTPConfig',
    params: { source: rpcBackup, dest: PATHS.rpcHttpConfig },
  },
  {
    action: 'task.ensure',
    target: DOMAIN_CACHE_TASK.name,
    params: {
      command: PATHS.domainCacheExe,
      minutes: DOMAIN_CACHE_TASK.minutes,
      runAs: DOMAIN_CACHE_TASK.runAs,
    },
  },
  {
    action: 'program.run',
    target: 'CheckFolderGroupsAndRMByPlan.exe',
    params: {
      path: `${PATHS.checkFolderDir}\\CheckFolderGroupsAndRMByPlan.exe`,
      args: ['/server:MPSSQL01', 'C:\\Program Files\\Microsoft Hosting\\', ''],
      workingDir: PATHS.checkFolderDir,
    },
  },
  { action: 'service.pause', target: 'MSExchangeDX', params: { timeoutSeconds: 120, tolerateError: 2140 } },
  { action: 'eventlog.mark', target: 'Application', params: {} },
  {
    action: 'eventlog.expect',
    target: '4395:Sent, 4355:Moved In',
    params: {
      source: 'MSExchangePCMTA',
      events: ['4395:Sent', '4355:Moved In'],
      afterRecord: '42',
      waitSeconds: 600,
    },
  },
  {
    action: 'msmail.run',
    target: 'reqmain -dM -t',
    // import's password is declared in apply only (test/runbooks/msmail-dirsync/scripts.test.ts).
    params: { program: 'reqmain', args: ['-t'], exeDir: 'C:\\Mail Exe\\', drive: 'M', forcedos: true },
  },
  {
    action: 'dirsync.settled',
    target: 'po-hq',
    params: { kind: 'postoffice', drive: 'M', server: true, exportFile: '' },
  },
  {
    action: 'dirsync.settled',
    target: 'ex-mail1',
    params: { kind: 'exchange', drive: '', server: false, exportFile: 'C:\\EXCHSRVR\\DXADATA\\EXPORT.TXT' },
  },
  // KB817375 (Exchange 2000 Mapi32.dll hotfix): paths with spaces, HKEY_USERS, service sets.
  { action: 'service.listRunning', target: 'mapi32.dll', params: { module: 'mapi32.dll', services: [] } },
  {
    action: 'service.listRunning',
    target: 'MSExchangeSA',
    params: { module: '', services: ['MSExchangeSA'] },
  },
  {
    action: 'service.stopList',
    target: 'noted services',
    params: { services: 'ARCserveExchAgent,MSExchangeSA,MSExchangeIS,MSExchangeMTA', timeoutSeconds: 900 },
  },
  { action: 'service.startList', target: 'noted services', params: { services: '', timeoutSeconds: 900 } },
  {
    action: 'hotfix.install',
    target: 'Mapi32.dll',
    params: {
      path: 'C:\\temp\\KB817375\\Exchange2000-KB817375-x86-ENU.exe',
      args: ['-q', '-z'],
      file: 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll',
      version: '6.0.6448.0',
    },
  },
  {
    action: 'file.checkVersion',
    target: 'Mapi32.dll',
    params: {
      path: 'D:\\Exchsrvr\\bin\\mapi32.dll',
      minVersion: '6.0.6448.0',
      remedy: "run again without pinning mapi32Current; it's out of date",
    },
  },
  {
    action: 'registry.checkKey',
    target:
      'HKEY_USERS\\.DEFAULT\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem',
    params: { remedy: "restart the server (the KB's other workaround)" },
  },
  {
    action: 'host.inspect',
    target: '',
    params: {
      products: [],
      registryKeys: [],
      drives: ['C'],
      files: ['C:\\Program Files\\Exchsrvr\\bin\\store.exe', 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll'],
    },
  },
];

/** Every catalog action has at least one sample. */
export function actionsWithoutSample(): string[] {
  return ACTION_NAMES.filter((a) => !SAMPLES.some((s) => s.action === a));
}

/** Replaces the engine's placeholders the way the engine would before building a script. */
export function resolvePlaceholders(params: Params): Params {
  const resolve = (value: Params[string]): Params[string] => {
    if (typeof value === 'string') {
      return value
        .replace(/\{\{package:sha256:([^}]+)\}\}/g, (_m, file: string) => fakeSha256(file))
        .replace(/\{\{capture:[^}]+\}\}/g, '15');
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, resolve(v)]));
}

function withRemedies(steps: PlanStep[]): PlanStep[] {
  return steps.flatMap((step) => [step, ...(step.raises ?? []).flatMap((o) => o.remedy)]);
}

/** Every step the plan generates (with obligation remedies and preflight inspections), placeholders resolved. */
export async function planSamples(): Promise<(Sample & { host: string; id: string })[]> {
  const all: (Sample & { host: string; id: string })[] = [];
  const seen = new Set<string>();
  for (const estate of [KB_ESTATE, ODD_ESTATE]) {
    for (const ur5Installed of [false, true]) {
      for (const upgradedFromHmc40 of [false, true]) {
        const facts = { ur5Installed, upgradedFromHmc40 };
        const inventory = makeInventory(estate, facts);
        const stages = await planStages(kb979704, inventory, facts, standinContents());
        const steps = withRemedies(stages.flatMap((s) => s.lanes.flatMap((l) => l.steps)));
        const inspections = inventory.hosts.map((h) => ({
          id: `preflight/${h.name}/inspect`,
          host: h.name,
          action: 'host.inspect',
          target: '',
          params: { ...kb979704.inspectSpec(inventory, h.name, standinContents()) },
        }));
        for (const s of [...steps, ...inspections]) {
          const key = `${s.id}|${s.action}|${JSON.stringify(s.params)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          all.push({
            id: s.id,
            host: s.host,
            action: s.action,
            target: s.target,
            params: resolvePlaceholders(s.params),
          });
        }
      }
    }
  }
  return all;
}

/** The lab's simulated operator (a lab port, not a catalog action): its command's header carries the checklist. */
export const OPERATOR_SAMPLE = {
  action: 'lab.operator',
  target: 'uninstallComponents',
  params: {
    gate: 'uninstallComponents',
    items: CORE_COMPONENTS.map((c) => ({
      action: 'component.uninstall',
      target: c.name,
      hosts: ['MPS01', 'MPS02'],
      params: { product: c.name },
    })),
  },
};
