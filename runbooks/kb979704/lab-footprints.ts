/**
 * What installing or removing a UR6 product leaves on a simulated host beyond its Add or Remove
 * Programs entry (the lab port's `footprint`): the files it owns, the database it deploys.
 * Installs write DEFAULT configs, so a tool that forgets to restore a customisation
 * (CacheRefresh, RPCHTTPConfig files) is caught.
 */
import { binaryFile, textFile } from '../../src/lab/model/files.js';
import type { Footprint } from '../../src/lab/model/lab-profile.js';
import { sameName } from '../../src/lab/model/names.js';
import { AGENT, PATHS } from './data.js';
import { standinProduct } from './lab-products.js';
import {
  AGENT_X86_ASSEMBLY,
  AGENT_X86_CONFIG,
  DOMAIN_CACHE_X86_CONFIG,
  DOMAIN_CACHE_X86_EXE,
} from './lab-oof-agent.js';

/** The stand-in ProductNames of the two agent packages (footprints are keyed by ProductName). */
export const AGENT_X64_PRODUCT = standinProduct('CategorizerOverrideAgent-x64.msi').productName;
export const AGENT_X86_PRODUCT = standinProduct('CategorizerOverrideAgent.msi').productName;
const nameOf = (file: string): string => standinProduct(file).productName;

export const DEFAULT_CACHE_REFRESH = '60';
export const AGENT_DEFAULT_CONFIG = `<configuration><appSettings><add key="${AGENT.cacheRefreshKey}" value="${DEFAULT_CACHE_REFRESH}" /></appSettings></configuration>`;
export const DOMAIN_CACHE_DEFAULT_CONFIG =
  '<configuration><appSettings><add key="DatabaseServer" value="localhost" /><add key="CacheFolder" value="C:\\Program Files\\Microsoft Hosting\\Provisioning\\SmtpDomainCacheTask\\Cache" /></appSettings></configuration>';
export const RPC_DEFAULT_WEB_CONFIG =
  '<configuration><appSettings><add key="ExchangeServerName" value="mail.example.com" /><add key="CompanyName" value="" /></appSettings></configuration>';

export const CHECK_FOLDER_EXE = `${PATHS.checkFolderDir}\\CheckFolderGroupsAndRMByPlan.exe`;
export const CHECK_FOLDER_CONFIG = `${CHECK_FOLDER_EXE}.config`;
/** The shipped config points nowhere useful; the KB has the operator edit it. */
export const CHECK_FOLDER_PLACEHOLDER = 'SQLSERVERNAME';
/** The stand-in tool's config keys for the two database servers (the real schema is unpublished). */
export const CHECK_FOLDER_KEYS = ['ResourceManagerDatabaseServer', 'PlanManagerDatabaseServer'] as const;
const CHECK_FOLDER_DEFAULT_CONFIG =
  '<configuration><appSettings>' +
  CHECK_FOLDER_KEYS.map((key) => `<add key="${key}" value="${CHECK_FOLDER_PLACEHOLDER}" />`).join('') +
  '</appSettings></configuration>';

/** The databases the stand-in Resource Manager database package deploys, as the lab names them. */
export const LAB_DATABASES = { resourceManager: 'ResourceManager', planManager: 'PlanManager' } as const;

const rpc = (name: string) => `${PATHS.rpcHttpConfig}\\${name}`;

const FOOTPRINTS: Record<string, Footprint> = {
  [AGENT_X64_PRODUCT]: {
    files: (version) => ({
      [AGENT.assembly]: binaryFile(`CategorizerOverrideAgent-x64.dll@${version}`, 61_440),
      [PATHS.agentConfig]: textFile(AGENT_DEFAULT_CONFIG),
    }),
    owned: [AGENT.assembly, AGENT_X86_ASSEMBLY, PATHS.agentConfig, AGENT_X86_CONFIG],
  },
  [AGENT_X86_PRODUCT]: {
    files: (version) => ({
      [AGENT_X86_ASSEMBLY]: binaryFile(`CategorizerOverrideAgent-x86.dll@${version}`, 57_344),
      [AGENT_X86_CONFIG]: textFile(AGENT_DEFAULT_CONFIG),
    }),
    // The estate's pre-UR6 agent is this 32-bit build, in the KB's default folder (where the
    // KB runs InstallUtil) or under Program Files (x86).
    owned: [AGENT.assembly, AGENT_X86_ASSEMBLY, PATHS.agentConfig, AGENT_X86_CONFIG],
  },
  [nameOf('SmtpDomainCacheTask-x64.msi')]: {
    files: (version) => ({
      [PATHS.domainCacheExe]: binaryFile(`SmtpDomainCacheTask.exe@${version}`, 45_056),
      [PATHS.domainCacheConfig]: textFile(DOMAIN_CACHE_DEFAULT_CONFIG),
    }),
    owned: [PATHS.domainCacheExe, PATHS.domainCacheConfig, DOMAIN_CACHE_X86_EXE, DOMAIN_CACHE_X86_CONFIG],
    // Whether the MSI touches the task is unknown; the lab leaves it behind, still running the
    // program the removal deleted, so only a task.ensure that compares the command repairs it.
  },
  [nameOf('RPCHttpConfigTool.msi')]: {
    files: (version) => ({
      [rpc('web.config')]: textFile(RPC_DEFAULT_WEB_CONFIG),
      [rpc('logo.gif')]: binaryFile('rpc-default-logo.gif', 2_048),
      [rpc('default.aspx')]: binaryFile(`rpc-default.aspx@${version}`, 6_144),
    }),
    owned: [rpc('web.config'), rpc('logo.gif'), rpc('default.aspx')],
  },
  // A database-deploying package: removing it drops the database, installing it creates an empty
  // one (a new generation). Whether the real MSI drops it is unknown; the lab assumes the worst,
  // so a backup taken after the removal has nothing to back up.
  [nameOf('ResourceManageDatabase.msi')]: {
    files: () => ({}),
    owned: [],
    onInstall: (host) => {
      const databases = (host.sql ??= { instances: [], databases: {} }).databases;
      const old = databases[LAB_DATABASES.resourceManager];
      databases[LAB_DATABASES.resourceManager] = { sizeMb: 12, generation: (old?.generation ?? 0) + 1 };
    },
    onUninstall: (host) => {
      const db = host.sql?.databases[LAB_DATABASES.resourceManager];
      if (db) db.dropped = true;
    },
  },
  [nameOf('CheckFolderGroupsAndRMByPlan.msi')]: {
    files: (version) => ({
      [CHECK_FOLDER_EXE]: binaryFile(`CheckFolderGroupsAndRMByPlan.exe@${version}`, 36_864),
      // Shipped read-only: the KB tells the operator to clear the flag before editing.
      [CHECK_FOLDER_CONFIG]: textFile(CHECK_FOLDER_DEFAULT_CONFIG, true),
    }),
    owned: [CHECK_FOLDER_EXE, CHECK_FOLDER_CONFIG],
  },
};

/** What `product` (a stand-in ProductName, any case) lays down; undefined for anything else. */
export function footprintOf(product: string): Footprint | undefined {
  const key = Object.keys(FOOTPRINTS).find((name) => sameName(name, product));
  return key === undefined ? undefined : FOOTPRINTS[key];
}
