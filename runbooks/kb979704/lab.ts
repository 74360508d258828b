/**
 * The simulated KB979704 estate: every host with what HMC 4.5 (at RTM or UR5) left on a server
 * of its roles, including the customisations the rollup must preserve. Products are installed
 * under the stand-in package's ProductCodes at that era's versions (lab-products.ts),
 * so the runbook finds them only by what the package says, as it would on Windows.
 */
import { hostsWithRole, type Inventory, type Role } from '../../src/inventory/types.js';
import { binaryFile, putFile, textFile } from '../../src/lab/model/files.js';
import {
  DEPLOYMENT_TOOL_PRODUCT,
  HMC_PRODUCT,
  PROVISIONING_ENGINE,
  TRANSPORT_SERVICE,
  blankHost,
} from '../../src/lab/model/host-base.js';
import type { LabKnowledge, LabProfile } from '../../src/lab/model/lab-profile.js';
import { sameName } from '../../src/lab/model/names.js';
import { installProduct, standinGuid } from '../../src/lab/model/products.js';
import type { HostState } from '../../src/lab/model/state.js';
import {
  AGENT,
  CORE_COMPONENTS,
  DOMAIN_CACHE_TASK,
  HMC40_UPGRADE_KEY,
  NO_UR5_COMPONENTS,
  PATHS,
  PROVISIONING_NODES,
  STANDALONE,
} from './data.js';
import { ur6Lab, type Ur6Role } from './inventory.js';
import {
  AGENT_X64_PRODUCT,
  AGENT_X86_PRODUCT,
  CHECK_FOLDER_KEYS,
  LAB_DATABASES,
  footprintOf,
} from './lab-footprints.js';
import {
  AGENT_X86_ASSEMBLY,
  DOMAIN_CACHE_X86_CONFIG,
  DOMAIN_CACHE_X86_EXE,
  LAB_AGENT_FACTORY,
  LAB_RENAMED_IDENTITY,
} from './lab-oof-agent.js';
import { DEPLOYMENT_TOOL } from './lab-operator.js';
import { standinMsiFile, standinProduct, writeStandinPackage, type Era } from './lab-products.js';

/** A customised value, deliberately not the shipped default (60). */
export const SEEDED_CACHE_REFRESH = '37';

function msiOf(key: string): string {
  const entry = STANDALONE[key];
  if (!entry) throw new Error(`runbook data: no standalone product ${key}`);
  return entry.msi;
}

/** Installs the product the package file `msi` identifies, as it was in `era`. */
function seedProduct(host: HostState, msi: string, era: Era): void {
  const p = standinProduct(msi);
  installProduct(host, p.productCode, {
    name: p.productName,
    version: p.versions[era],
    upgradeCode: p.upgradeCode,
  });
}

/** Products no package of the rollup carries (HMC itself, the Deployment Tool): by name only. */
function seedPlatform(host: HostState, name: string): void {
  installProduct(host, standinGuid(`ProductCode ${name}`), { name, version: '4.5' });
}

function ur6BlankHost(inventory: Inventory, name: string, roles: Role[]): HostState {
  const lab = ur6Lab(inventory);
  return blankHost(roles, {
    domainAdmin: !(lab?.notDomainAdmin ?? false),
    powershell: (lab?.powershell1 ?? []).some((h) => sameName(h, name)) ? '1.0' : '2.0',
    wow64: (lab?.powershell32 ?? []).some((h) => sameName(h, name)),
  });
}

function seedMps(host: HostState, old: Era): void {
  host.comPlus[PROVISIONING_ENGINE] = { enabled: true, running: true };
  seedPlatform(host, HMC_PRODUCT);
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    if (component.livesOn === 'mps') seedProduct(host, component.msi, old);
  }
}

function seedDeploymentServer(host: HostState, inventory: Inventory, old: Era): void {
  if (!(ur6Lab(inventory)?.noDeploymentTool ?? false)) seedPlatform(host, DEPLOYMENT_TOOL_PRODUCT);
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    putFile(host, `${PATHS.msiShare}\\${component.msi}`, standinMsiFile(component.msi, old));
  }
  // A finished previous deployment: every node initialised, deployment started.
  host.mpsConfig = {
    initialized: Object.fromEntries(PROVISIONING_NODES.map((node) => [node, true])),
    deploymentStarted: true,
  };
  putFile(host, PATHS.mpsConfig, binaryFile('MpsConfig.xml', 48_128));
  putFile(host, 'C:\\ConfigShare\\Config\\MpsRequirements.xml', binaryFile('MpsRequirements.xml', 96_256));
  if (ur6Lab(inventory)?.upgradedFromHmc40) host.registry[HMC40_UPGRADE_KEY] = true;
}

function seedWebServices(host: HostState, old: Era): void {
  for (const component of [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS]) {
    if (component.livesOn === 'webServices') seedProduct(host, component.msi, old);
  }
  host.services.W3SVC = 'Running';
  host.services.IISADMIN = 'Running';
}

function seedProv(host: HostState, old: Era): void {
  const rpc = standinProduct(msiOf('rpcHttp'));
  seedProduct(host, rpc.file, old);
  for (const [path, file] of Object.entries(footprintOf(rpc.productName)?.files(rpc.versions[old]) ?? {}))
    putFile(host, path, file);
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

/** Whether the `lab:` host list `key` names `name`. */
function listed(
  inventory: Inventory,
  key: 'missingSp2' | 'oofAgentRenamed' | 'oofAgentX86' | 'oofAgentAbsent',
  name: string,
): boolean {
  return (ur6Lab(inventory)?.[key] ?? []).some((h) => sameName(h, name));
}

/**
 * A hub as HMC 4.5 left it: the 32-bit agent registered (under the KB's name, or another one
 * with `oofAgentRenamed`), its DLL in the HMC guide's default folder or, with `oofAgentX86`,
 * under Program Files (x86) with the domain cache task, and a factory class only the DLL knows.
 * With `oofAgentAbsent` the hub never ran the OOF agent: Exchange and transport only.
 */
function seedHub(host: HostState, inventory: Inventory, name: string, era: Era): void {
  // Before UR6 the hubs ran the 32-bit agent: the product of the package's 32-bit MSI.
  const agent = standinProduct(STANDALONE.agent?.earlierMsi ?? msiOf('agent'));
  const old = agent.versions[era];
  // Exchange 2007's Setup key carries all four parts, and its minor number is the service pack.
  const sp1 = listed(inventory, 'missingSp2', name);
  host.exchange = { version: sp1 ? '8.1.240.6' : '8.2.176.2', servicePack: sp1 ? 1 : 2 };
  host.services[TRANSPORT_SERVICE] = 'Running';
  // Exchange 2007 needs .NET 2.0, whose InstallUtil the agent's steps start (both bitnesses on x64).
  for (const framework of ['Framework', 'Framework64'])
    putFile(
      host,
      `C:\\WINDOWS\\Microsoft.NET\\${framework}\\v2.0.50727\\InstallUtil.exe`,
      binaryFile(`InstallUtil.exe@2.0.50727.3053`, 28_672),
    );
  if (listed(inventory, 'oofAgentAbsent', name)) return;
  const x86 = listed(inventory, 'oofAgentX86', name);
  const assembly = x86 ? AGENT_X86_ASSEMBLY : AGENT.assembly;
  const taskExe = x86 ? DOMAIN_CACHE_X86_EXE : PATHS.domainCacheExe;
  const identity = listed(inventory, 'oofAgentRenamed', name) ? LAB_RENAMED_IDENTITY : AGENT.name;
  host.transportAgents[identity] = { enabled: true, assembly, factory: LAB_AGENT_FACTORY };
  host.transportLoadedAgents = [identity];
  seedProduct(host, agent.file, era);
  seedProduct(host, msiOf('domainCache'), era);
  putFile(host, assembly, binaryFile(`CategorizerOverrideAgent-x86.dll@${old}`, 57_344));
  putFile(
    host,
    `${assembly}.config`,
    textFile(
      `<configuration><appSettings><add key="${AGENT.cacheRefreshKey}" value="${SEEDED_CACHE_REFRESH}" /></appSettings></configuration>`,
    ),
  );
  putFile(host, taskExe, binaryFile(`SmtpDomainCacheTask.exe@${old}`, 45_056));
  const sqlServer = hostsWithRole(inventory, 'mpssql')[0] ?? 'MPSSQL01';
  putFile(
    host,
    x86 ? DOMAIN_CACHE_X86_CONFIG : PATHS.domainCacheConfig,
    textFile(
      `<configuration><appSettings><add key="DatabaseServer" value="${sqlServer}" /><add key="CacheFolder" value="D:\\OOF\\Cache" /></appSettings></configuration>`,
    ),
  );
  // The counter category, with a value of its own on the key: InstallUtil /u leaves such a key
  // behind (only Linkage and Performance go), which is why the KB deletes it by hand.
  for (const key of ['', '\\Performance', '\\Linkage']) host.registry[AGENT.counterKey + key] = true;
  (host.registryValues ??= {})[AGENT.counterKey] = {
    Description: { type: 'REG_SZ', data: 'HMC Categorizer Override Agent performance counters' },
  };
  host.tasks[DOMAIN_CACHE_TASK.name] = {
    command: taskExe,
    minutes: DOMAIN_CACHE_TASK.minutes,
    runAs: DOMAIN_CACHE_TASK.runAs,
  };
}

/** Every host of a KB979704 estate as HMC 4.5 (at RTM, or UR5 when `lab.ur5Installed`) left it. */
export function seedHosts(inventory: Inventory): Record<string, HostState> {
  const lab = ur6Lab(inventory);
  const old: Era = (lab?.ur5Installed ?? false) ? 'ur5' : 'rtm';
  const firstMps = hostsWithRole(inventory, 'mps')[0];
  const hosts: Record<string, HostState> = {};
  for (const spec of inventory.hosts) {
    const host = ur6BlankHost(inventory, spec.name, spec.roles);
    const has = (role: Ur6Role) => spec.roles.includes(role);
    if (has('mps')) seedMps(host, old);
    if (firstMps !== undefined && sameName(spec.name, firstMps)) seedDeploymentServer(host, inventory, old);
    if (has('webServices')) seedWebServices(host, old);
    if (has('prov')) seedProv(host, old);
    if (has('omsql')) seedProduct(host, msiOf('pwdb'), old);
    if (has('mpssql')) {
      // The default instance, answering to the host's own name; generation 1: as deployed.
      host.sql = {
        instances: [spec.name],
        databases: {
          [LAB_DATABASES.resourceManager]: { sizeMb: 180, generation: 1 },
          [LAB_DATABASES.planManager]: { sizeMb: 40, generation: 1 },
        },
      };
      seedProduct(host, msiOf('rmDatabase'), old);
      seedProduct(host, msiOf('dbFunctionUpdate'), 'rtm');
    }
    if (has('dns')) seedProduct(host, msiOf('dnsClient'), old);
    if (has('exhub')) seedHub(host, inventory, spec.name, old);
    hosts[spec.name] = host;
  }
  return hosts;
}

/** What the simulated Windows knows about HMC 4.5 and its rollup's products (the lab port). */
export const LAB_KNOWLEDGE: LabKnowledge = {
  footprint: footprintOf,
  provisioning: {
    msiShare: PATHS.msiShare,
    mpsConfig: PATHS.mpsConfig,
    components: [...CORE_COMPONENTS, ...NO_UR5_COMPONENTS].map((c) => c.name),
    checkFolderKeys: CHECK_FOLDER_KEYS,
  },
  transportAgent: {
    assemblyFile: AGENT.assemblyFile,
    factory: LAB_AGENT_FACTORY,
    products: [AGENT_X64_PRODUCT, AGENT_X86_PRODUCT],
  },
  gateTool: DEPLOYMENT_TOOL,
};

export const LAB_PROFILE: LabProfile = {
  seedHosts,
  writePackage: writeStandinPackage,
  knowledge: LAB_KNOWLEDGE,
  example: 'lab: { ur5Installed: false, upgradedFromHmc40: true }',
};
