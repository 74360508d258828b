/**
 * A fresh simulated estate from an inventory: every host with what HMC 4.5 (at RTM or UR5)
 * left on a server of its roles, including customisations the rollup must preserve.
 */
import {
  AGENT,
  CORE_COMPONENTS,
  DEFAULT_VERSIONS,
  DOMAIN_CACHE_TASK,
  HMC40_UPGRADE_KEY,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
  STANDALONE,
} from '../../../runbooks/kb979704/data.js';
import type { Inventory, Role } from '../../inventory/types.js';
import type { HostState, LabState } from './state.js';
import { LAB_STATE_VERSION, emptyFaultCounters } from './state.js';
import { generateHostKey } from './host-key.js';
import { binaryFile, putFile, textFile } from './files.js';
import { installedFiles } from './footprints.js';
import { standinMsiRecord } from './msi-files.js';
import { sameName } from './names.js';

export const PROVISIONING_ENGINE = 'Provisioning Engine';
export const HMC_PRODUCT = 'Hosted Messaging and Collaboration';
export const DEPLOYMENT_TOOL_PRODUCT = 'HMC Deployment Tool';
export const TRANSPORT_SERVICE = 'MSExchangeTransport';
export const OS_NAME = 'Microsoft Windows Server 2008 R2 Enterprise';
/** A customised value, deliberately not the shipped default (60). */
export const SEEDED_CACHE_REFRESH = '37';

export interface SeedOptions {
  versions?: Record<string, string>;
}

/** Version markers: runbook defaults, overridden by the inventory, overridden by options. */
export function labVersions(inventory: Inventory, options?: SeedOptions): Record<string, string> {
  return { ...DEFAULT_VERSIONS, ...inventory.versions, ...options?.versions };
}

function product(key: string): string {
  const entry = STANDALONE[key];
  if (!entry) throw new Error(`runbook data: no standalone product ${key}`);
  return entry.product;
}

function blankHost(inventory: Inventory, name: string, roles: Role[]): HostState {
  const lab = inventory.lab;
  return {
    roles: [...roles],
    products: {},
    comPlus: {},
    services: {},
    transportAgents: {},
    files: {},
    registry: {},
    tasks: {},
    account: { domainAdmin: !(lab?.notDomainAdmin ?? false) },
    powershell: (lab?.powershell1 ?? []).some((h) => sameName(h, name)) ? '1.0' : '2.0',
    os: OS_NAME,
    freeMb: { C: 20_000 },
    hostKey: generateHostKey(),
    transportLoadedAgents: [],
  };
}

function seedMps(host: HostState, old: string): void {
  host.comPlus[PROVISIONING_ENGINE] = { enabled: true, running: true };
  host.products[HMC_PRODUCT] = '4.5';
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    if (component.livesOn === 'mps') host.products[component.name] = old;
  }
}

function seedDeploymentServer(host: HostState, inventory: Inventory, old: string): void {
  if (!(inventory.lab?.noDeploymentTool ?? false)) host.products[DEPLOYMENT_TOOL_PRODUCT] = '4.5';
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    putFile(
      host,
      `${PATHS.msiShare}\\${component.msi}`,
      standinMsiRecord(component.msi, component.name, old),
    );
  }
  // A finished previous deployment: every node initialised, deployment started.
  host.mpsConfig = {
    initialized: Object.fromEntries(PROVISIONING_NODES.map((node) => [node, true])),
    deploymentStarted: true,
  };
  putFile(host, PATHS.mpsConfig, binaryFile('MpsConfig.xml', 48_128));
  putFile(host, 'C:\\ConfigShare\\Config\\MpsRequirements.xml', binaryFile('MpsRequirements.xml', 96_256));
  if (inventory.lab?.upgradedFromHmc40) host.registry[HMC40_UPGRADE_KEY] = true;
}

function seedWebServices(host: HostState, old: string): void {
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    if (component.livesOn === 'webServices') host.products[component.name] = old;
  }
  host.services.W3SVC = 'Running';
  host.services.IISADMIN = 'Running';
}

function seedProv(host: HostState, old: string): void {
  const name = product('rpcHttp');
  host.products[name] = old;
  for (const [path, file] of Object.entries(installedFiles(name, old))) putFile(host, path, file);
  // The operator's customisations the KB says to back up and reapply.
  putFile(
    host,
    `${PATHS.rpcHttpConfig}\\web.config`,
    textFile(
      '<configuration><appSettings><add key="ExchangeServerName" value="owa.contoso-hosting.net" /><add key="CompanyName" value="Contoso Hosting" /></appSettings></configuration>',
    ),
  );
  putFile(host, `${PATHS.rpcHttpConfig}\\logo.gif`, binaryFile('contoso-logo.gif', 5_311));
  host.services.W3SVC = 'Running';
  host.services.IISADMIN = 'Running';
}

function seedHub(host: HostState, inventory: Inventory, name: string, old: string): void {
  const missingSp2 = (inventory.lab?.missingSp2 ?? []).some((h) => sameName(h, name));
  host.exchange = { version: '8.2', servicePack: missingSp2 ? 1 : 2 };
  host.services[TRANSPORT_SERVICE] = 'Running';
  // The KB's default folder (where it runs InstallUtil) holds the old DLL and its config.
  host.transportAgents[AGENT.name] = { enabled: true, assembly: AGENT.assembly, factory: AGENT.factory };
  host.transportLoadedAgents = [AGENT.name];
  host.products[AGENT.name] = old;
  host.products[product('domainCache')] = old;
  putFile(host, AGENT.assembly, binaryFile(`CategorizerOverrideAgent-x86.dll@${old}`, 57_344));
  putFile(
    host,
    PATHS.agentConfig,
    textFile(
      `<configuration><appSettings><add key="${AGENT.cacheRefreshKey}" value="${SEEDED_CACHE_REFRESH}" /></appSettings></configuration>`,
    ),
  );
  putFile(host, PATHS.domainCacheExe, binaryFile(`SmtpDomainCacheTask.exe@${old}`, 45_056));
  const sqlServer = inventory.roles.mpssql[0] ?? 'MPSSQL01';
  putFile(
    host,
    PATHS.domainCacheConfig,
    textFile(
      `<configuration><appSettings><add key="DatabaseServer" value="${sqlServer}" /><add key="CacheFolder" value="D:\\OOF\\Cache" /></appSettings></configuration>`,
    ),
  );
  host.registry[AGENT.counterKey] = true;
  host.tasks[DOMAIN_CACHE_TASK.name] = {
    command: PATHS.domainCacheExe,
    minutes: DOMAIN_CACHE_TASK.minutes,
    runAs: DOMAIN_CACHE_TASK.runAs,
  };
}

/** A fresh estate for `inventory` (new host keys every time). */
export function seedEstate(inventory: Inventory, options?: SeedOptions): LabState {
  const versions = labVersions(inventory, options);
  const ur5 = inventory.lab?.ur5Installed ?? false;
  const old = (ur5 ? versions.ur5 : versions.rtm) ?? '';
  const rtm = versions.rtm ?? '';
  const firstMps = inventory.roles.mps[0];
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) {
    const host = blankHost(inventory, spec.name, spec.roles);
    const has = (role: Role) => spec.roles.includes(role);
    if (has('mps')) seedMps(host, old);
    if (firstMps !== undefined && sameName(spec.name, firstMps)) seedDeploymentServer(host, inventory, old);
    if (has('webServices')) seedWebServices(host, old);
    if (has('prov')) seedProv(host, old);
    if (has('omsql')) host.products[product('pwdb')] = old;
    if (has('mpssql')) {
      host.products[product('rmDatabase')] = old;
      host.products[product('dbFunctionUpdate')] = rtm;
    }
    if (has('dns')) host.products[product('dnsClient')] = old;
    if (has('exhub')) seedHub(host, inventory, spec.name, old);
    hosts[spec.name] = host;
  }
  return { version: LAB_STATE_VERSION, hosts, events: [], seq: 0, faultCounters: emptyFaultCounters() };
}
