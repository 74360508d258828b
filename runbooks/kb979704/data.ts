/**
 * KB979704 (Update Rollup 6 for HMC 4.5) as data: components, MSIs, the file table, provisioning
 * nodes, where each piece lives, prerequisites and restart duties. Every place where the KB's
 * text is ambiguous, garbled or silent carries a `reading` note saying how we read it and why;
 * READING.md beside this file collects them.
 */
import type { Role } from '../../src/inventory/types.js';

export const RUNBOOK_ID = 'kb979704';
export const RUNBOOK_TITLE = 'Update Rollup 6 for Hosted Messaging and Collaboration 4.5 (KB979704)';
/** Bump when a stage or step id changes meaning: resume refuses across runbook versions. */
export const RUNBOOK_VERSION = '2';

/**
 * No product versions here: what each MSI installs (ProductCode, ProductVersion, UpgradeCode)
 * is read from the package itself in preflight, and "already at UR6" means "at the version the
 * package's MSI carries". The one marker the package cannot give is the build Update Rollup 5
 * left on its components (the KB names none): an inventory gives it as `versions.ur5`, or pins
 * `facts.ur5Installed`; without either, preflight asks for one.
 */
export const DEFAULT_VERSIONS: Record<string, string> = {};

export interface Component {
  /** The Deployment Tool component name, exactly as the KB's step list writes it (plan target). */
  name: string;
  /** The MSI the KB's "copy to C:\MSIShare" list pairs with it (its spelling). */
  msi: string;
  /** Where the Deployment Tool installs it: namespaces and providers on the MPS engine servers,
   * web services on the web services servers. */
  livesOn: Role;
  reading?: string;
}

/** The nine components every estate uninstalls and reinstalls (KB step 3). */
export const CORE_COMPONENTS: readonly Component[] = [
  { name: 'Exchange 2007 Resource Manager', msi: 'Exchange2007ResourceManagerNS.msi', livesOn: 'mps' },
  {
    name: 'Exchange 2007 Resource Manager Web Service',
    msi: 'Exchange2007ResourceManagerWS.msi',
    livesOn: 'webServices',
  },
  { name: 'Exchange 2007 Hosted Email', msi: 'HostedEmail2007NS.msi', livesOn: 'mps' },
  { name: 'Hosted Email 2007 Web Service', msi: 'HostedEmail2007WS.msi', livesOn: 'webServices' },
  { name: 'Exchange 2007 Managed Email', msi: 'ManagedEmail2007NS.msi', livesOn: 'mps' },
  { name: 'Managed Email 2007 Web Service', msi: 'ManagedEmail2007WS.msi', livesOn: 'webServices' },
  { name: 'Exchange 2007 Mobility Provider', msi: 'Exchange2007MobilityProvider.msi', livesOn: 'mps' },
  { name: 'Exchange 2007 Provider', msi: 'Exchange2007Provider.msi', livesOn: 'mps' },
  {
    name: 'Exchange 2007 Unified Messaging Provider',
    msi: 'UnifiedMessaging2007Provider.msi',
    livesOn: 'mps',
    reading:
      'The component list says "Exchange 2007 Unified Messaging Provider", the MSI list "UnifiedMessaging2007Provider.msi" and the summary "Unified Messaging 2007 Provider": one component under three spellings.',
  },
];

/**
 * The fourteen more when Update Rollup 5 was never installed. The KB lists fifteen: "Exchange
 * 2007 Mobility Provider" appears again at the end although it is already among the nine.
 */
export const NO_UR5_COMPONENTS: readonly Component[] = [
  { name: 'Active Directory Provider', msi: 'ActiveDirectoryProvider.msi', livesOn: 'mps' },
  { name: 'BlockRMO Provider', msi: 'BlockRMOProvider.msi', livesOn: 'mps' },
  { name: 'CoreRMO Provider', msi: 'CoreRMOProvider.msi', livesOn: 'mps' },
  { name: 'File System Provider', msi: 'FileSystemProvider.msi', livesOn: 'mps' },
  { name: 'DNS Provider', msi: 'DNSProvider.msi', livesOn: 'mps' },
  {
    name: 'Exchange 2007 OAB Resource Manager Namespace',
    msi: 'Exchange2007OabResourceManagerNS.msi',
    livesOn: 'mps',
  },
  {
    name: 'Exchange 2007 OAB Resource Manager Web Service',
    msi: 'Exchange2007OabResourceManagerWS.msi',
    livesOn: 'webServices',
  },
  { name: 'Hosted Active Directory Namespace', msi: 'HostedActiveDirectoryNS.msi', livesOn: 'mps' },
  { name: 'Hosted Active Directory Web Service', msi: 'HostedActiveDirectoryWS.msi', livesOn: 'webServices' },
  {
    name: 'Managed Unified Messaging 2007 Namespace',
    msi: 'ManagedUnifiedMessaging2007NS.msi',
    livesOn: 'mps',
  },
  { name: 'Managed AD Namespace', msi: 'ManagedADNS.msi', livesOn: 'mps' },
  {
    name: 'Managed Active Directory Web Service',
    msi: 'ManagedActiveDirectoryWS.msi',
    livesOn: 'webServices',
  },
  { name: 'Hosted SharePoint 2007 Web Service', msi: 'HostedSharePoint2007WS.msi', livesOn: 'webServices' },
  { name: 'Hosted SharePoint 2007 Namespace', msi: 'HostedSharePoint2007NS.msi', livesOn: 'mps' },
];

/**
 * The KB's file table: 33 files with exact sizes, as the package ships them (the table's
 * spelling). Steps name files as the step lists spell them; names compare case-insensitively.
 */
export const PACKAGE_FILES: readonly { file: string; size: number }[] = [
  { file: 'Rpchttpconfigtool.msi', size: 412_672 },
  { file: 'Adcollector.msi', size: 419_328 },
  { file: 'Pwdb40ssis.msi', size: 273_408 },
  { file: 'Categorizeroverrideagent-x64.msi', size: 373_760 },
  { file: 'Categorizeroverrideagent.msi', size: 373_760 },
  { file: 'Checkfoldergroupsandrmbyplan.msi', size: 384_512 },
  { file: 'Kb959196.msi', size: 756_224 },
  { file: 'Smtpdomaincachetask-x64.msi', size: 369_664 },
  { file: 'Exchange2007oabresourcemanagerns.msi', size: 253_952 },
  { file: 'Exchange2007resourcemanagerns.msi', size: 308_736 },
  { file: 'Hostedactivedirectoryns.msi', size: 264_192 },
  { file: 'Hostedemail2007ns.msi', size: 349_184 },
  { file: 'Hostedsharepoint2007ns.msi', size: 260_608 },
  { file: 'Managedadns.msi', size: 285_696 },
  { file: 'Managedemail2007ns.msi', size: 315_904 },
  { file: 'Managedunifiedmessaging2007ns.msi', size: 247_808 },
  { file: 'Activedirectoryprovider.msi', size: 364_032 },
  { file: 'Blockrmoprovider.msi', size: 270_848 },
  { file: 'Corermoprovider.msi', size: 360_448 },
  { file: 'Exchange2007mobilityprovider.msi', size: 364_032 },
  { file: 'Exchange2007provider.msi', size: 537_600 },
  { file: 'Filesystemprovider.msi', size: 395_264 },
  { file: 'Unifiedmessaging2007provider.msi', size: 251_392 },
  { file: 'Dnsclient.msi', size: 682_496 },
  { file: 'Dnsprovider.msi', size: 357_376 },
  { file: 'Resourcemanagedatabase.msi', size: 790_528 },
  { file: 'Exchange2007oabresourcemanagerws.msi', size: 445_440 },
  { file: 'Exchange2007resourcemanagerws.msi', size: 467_968 },
  { file: 'Hostedactivedirectoryws.msi', size: 475_648 },
  { file: 'Hostedemail2007ws.msi', size: 530_432 },
  { file: 'Hostedsharepoint2007ws.msi', size: 476_672 },
  { file: 'Managedactivedirectoryws.msi', size: 472_064 },
  { file: 'Managedemail2007ws.msi', size: 524_800 },
];

/** The six nodes under Hosted Exchange > Exchange Provisioning Configuration to Initialize, in the KB's order. */
export const PROVISIONING_NODES: readonly string[] = [
  'Hosted Active Directory',
  'Managed Email 2007',
  'Exchange 2007 OAB Resource Manager',
  'Hosted Email 2007',
  'Exchange 2007 Resource Manager',
  'Hosted SharePoint',
];

/** Products outside the Deployment Tool that the no-UR5 tail reinstalls, with the role each lives on. */
export interface StandaloneProduct {
  key: string;
  /**
   * What the KB calls it, for descriptions and checklists only: nothing is looked up by this
   * name. The product itself is the ProductCode (and UpgradeCode family) of its MSI.
   */
  title: string;
  /** The package file to install (step-list spelling where the KB has one). */
  msi: string;
  /**
   * The package file whose ProductCode the earlier build on the host carries, when it is not
   * `msi` (the old 32-bit agent is the 32-bit package's product).
   */
  earlierMsi?: string;
  role: Role;
  reading?: string;
}

export const STANDALONE_PRODUCTS = {
  rpcHttp: {
    key: 'rpcHttp',
    title: 'RPCHttpConfigTool',
    msi: 'RPCHttpConfigTool.msi',
    role: 'prov',
  },
  pwdb: {
    key: 'pwdb',
    title: 'Pwdb40ssis',
    msi: 'Pwdb40ssis.msi',
    role: 'omsql',
  },
  dnsClient: {
    key: 'dnsClient',
    title: 'DNSClient',
    msi: 'DNSClient.msi',
    role: 'dns',
    reading:
      'KB step 13 ("Run the DNSClient.msi ... two times") names no host. The MPS DNS Client is the half of the DNS Provider that runs on the Microsoft DNS servers (HMC architecture docs), so it runs on every host with role dns.',
  },
  agent: {
    key: 'agent',
    title: 'CategorizerOverrideAgent',
    msi: 'CategorizerOverrideAgent-x64.msi',
    earlierMsi: 'CategorizerOverrideAgent.msi',
    role: 'exhub',
    reading:
      'Hub Transport servers run 64-bit Exchange 2007, and UR6 "includes native 64-bit versions" of the agent, so hubs get Categorizeroverrideagent-x64.msi. The agent on the hubs before UR6 is the 32-bit build, so the old product is removed by the ProductCode (and UpgradeCode family) of the 32-bit Categorizeroverrideagent.msi, which is installed nowhere.',
  },
  domainCache: {
    key: 'domainCache',
    title: 'SmtpDomainCacheTask',
    msi: 'SmtpDomainCacheTask-x64.msi',
    role: 'exhub',
    reading:
      'The KB only says "make a backup copy" of SMTPDomainCacheTask.exe.config. The operator\'s settings (the database server, the cache folder) are in it, and the x64 reinstall writes shipped defaults, so every appSettings and connectionStrings entry of the backup is carried into the new config; entries only the new build has keep their shipped values, and anything else that differs is named in the evidence, not copied (a whole-file restore would drop what the x64 build added). The backup is taken from the 64-bit Program Files, or Program Files (x86) for the 32-bit RTM build; a hub with neither keeps the shipped config. The scheduled task is recreated when it runs another program (the removed x86 one).',
  },
  rmDatabase: {
    key: 'rmDatabase',
    title: 'ResourceManageDatabase',
    msi: 'ResourceManageDatabase.msi',
    role: 'mpssql',
    reading:
      'KB step 16 is garbled: "On the OMSQL server, reinstall the following components:On the MPSSQL server, reinstall the following components: - ResourceManageDatabase.msi". The OMSQL heading lost its list (OMSQL\'s package, Pwdb40ssis.msi, is step 12) and the ResourceManager database lives on the MPS SQL server, so we reinstall ResourceManageDatabase.msi on every mpssql host, removing the old version first as the KB does for its other "reinstall" packages.',
  },
  checkFolder: {
    key: 'checkFolder',
    title: 'CheckFolderGroupsAndRMByPlan',
    msi: 'CheckFolderGroupsAndRMByPlan.msi',
    role: 'mps',
    reading:
      'Only for estates upgraded from HMC 4.0. "Copy ... to a location on the MPS engine server (MPS01)": the first mps host, where the Deployment Tool lives. Its config is pointed at the first mpssql host.',
  },
  dbFunctionUpdate: {
    key: 'dbFunctionUpdate',
    title: 'KB959196',
    msi: 'KB959196.msi',
    role: 'mpssql',
    reading:
      'The seed flattens the list, so it is unclear whether KB959196.msi belongs to the HMC 4.0 branch. It is a separate "Log on to the MPSSQL server" step and a database function update every estate needs (KB969820 ships it independently), so it runs in every no-UR5 estate.',
  },
} satisfies Record<string, StandaloneProduct>;

/** The same, for lookups by a key read at run time. */
export const STANDALONE: Record<string, StandaloneProduct> = STANDALONE_PRODUCTS;

/** Windows paths the runbook uses (as the host writes them). */
export const PATHS = {
  packageDir: 'C:\\temp\\QFERollupPackage',
  msiShare: 'C:\\MSIShare',
  backupRoot: 'C:\\temp\\QFERollupPackage\\backup',
  logDir: 'C:\\temp\\QFERollupPackage\\logs',
  mpsConfig: 'C:\\ConfigShare\\Config\\MpsConfig.xml',
  rpcHttpConfig: 'C:\\Program Files\\Microsoft Hosting\\Provisioning\\RPCHTTPConfig',
  agentDir: 'C:\\Program Files\\Microsoft\\Exchange Server\\TransportRoles\\Agents\\CategorizerOverrideAgent',
  agentConfig:
    'C:\\Program Files\\Microsoft\\Exchange Server\\TransportRoles\\Agents\\CategorizerOverrideAgent\\CategorizerOverrideAgent.dll.config',
  domainCacheConfig:
    'C:\\Program Files\\Microsoft Hosting\\Provisioning\\SmtpDomainCacheTask\\SMTPDomainCacheTask.exe.config',
  domainCacheExe:
    'C:\\Program Files\\Microsoft Hosting\\Provisioning\\SmtpDomainCacheTask\\SmtpDomainCacheTask.exe',
  checkFolderDir: 'C:\\Program Files\\Microsoft Hosting\\Provisioning\\CheckFolderGroupsAndRMByPlan',
  /** Where an x86 SmtpDomainCacheTask (the RTM build) keeps its config on an x64 hub. */
  domainCacheConfigX86:
    'C:\\Program Files (x86)\\Microsoft Hosting\\Provisioning\\SmtpDomainCacheTask\\SMTPDomainCacheTask.exe.config',
  /** The KB's and the HMC guide's InstallUtil (32-bit .NET 2.0): the one that loads the old 32-bit agent. */
  installUtil: '%WINDIR%\\Microsoft.NET\\Framework\\v2.0.50727\\InstallUtil.exe',
  /** 64-bit .NET 2.0 InstallUtil: the one that loads the x64 agent UR6 ships. */
  installUtil64: '%WINDIR%\\Microsoft.NET\\Framework64\\v2.0.50727\\InstallUtil.exe',
} as const;

export const AGENT = {
  /**
   * The KB's name for the agent: the registration name a hub that never had the agent gets
   * (`inputs.oofAgent.identity` overrides it). A hub with the old agent keeps the Identity its
   * registration has, which is discovered, never assumed.
   */
  name: 'Categorizer Override Agent',
  /** The agent's DLL as the KB and the HMC guide name it: how discovery finds its registration. */
  assemblyFile: 'CategorizerOverrideAgent.dll',
  /** Where the x64 package installs the new agent (the HMC guide's default deployment folder). */
  assembly: `${PATHS.agentDir}\\CategorizerOverrideAgent.dll`,
  counterKey: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Categorizer Override Agent',
  cacheRefreshKey: 'CacheRefresh',
  reading:
    'The KB says "note the Cache Refresh Time"; the HMC OOF-agent doc names the setting CacheRefresh in CategorizerOverrideAgent.dll.config. It is noted, with the old registration\'s Identity, TransportAgentFactory and folder (agents.config), on every hub before any hub changes, and written back after the reinstall; a hub that never had the agent keeps the x64 package\'s shipped value unless inputs.oofAgent.cacheRefresh gives one. The new agent is registered under the old Identity with the old factory (the x64 build of the same assembly). InstallUtil: the KB gives Framework\\v2.0.50727, which is right for /u of the old 32-bit agent; the x64 agent is installed with Framework64, whose InstallUtil loads 64-bit assemblies.',
} as const;

export const DOMAIN_CACHE_TASK = { name: 'SMTPDomainCacheTask', minutes: 60, runAs: 'SYSTEM' } as const;

/** The Prerequisites section, checked read-only in preflight. */
export const PREREQUISITES = {
  hmcVersion: '4.5',
  domainAdmins: true,
  deploymentToolOnFirstMps: true,
  exchangeServicePack: 2,
  minPowerShell: '2.0',
  /** Free space needed where files land, in MB. */
  freeMb: { mps: 200, other: 50 },
} as const;

/** The KB's "Restart requirement": the duties the runbook discharges. */
export const RESTART_DUTIES = [
  { role: 'mps', duty: 'restart the Provisioning Engine (COM+)' },
  { role: 'webServices', duty: 'restart IIS' },
  { role: 'exhub', duty: 'restart the Microsoft Exchange Transport service' },
] as const;

/** Registry evidence for an estate upgraded from HMC 4.0 (a stand-in marker; pin the fact when unsure). */
export const HMC40_UPGRADE_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Hosting\\Setup\\UpgradedFromHMC40';

/** Looks up a package file by any spelling. */
export function packageFile(name: string): { file: string; size: number } {
  const found = PACKAGE_FILES.find((f) => f.file.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`runbook data: ${name} is not in the KB's file table`);
  return found;
}
