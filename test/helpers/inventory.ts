/** Builds a normalized Inventory in code, for tests that must not depend on the YAML loader. */
import type { Facts, Inventory, Role } from '../../src/inventory/types.js';
import { ROLES } from '../../runbooks/kb979704/inventory.js';

/** The operator inputs the shipped lab inventory gives (every branch of the UR6 runbook needs some). */
export const UR6_INPUTS = {
  mpsSql: {
    instance: 'MPSSQL01',
    resourceManagerDb: 'ResourceManager',
    planManagerDb: 'PlanManager',
    backupFolder: 'D:\\Backups\\KB979704',
  },
  msiProperties: { 'RPCHttpConfigTool.msi': {}, 'Pwdb40ssis.msi': {}, 'DNSClient.msi': {} },
  rpcHttpCustomized: ['web.config', 'logo.gif'],
  checkFolderGroupsKeys: ['ResourceManagerDatabaseServer', 'PlanManagerDatabaseServer'],
};

export function makeInventory(
  hosts: Record<string, Role[]>,
  facts: Facts = {},
  extra: Partial<Inventory> = {},
): Inventory {
  const roles: Record<Role, string[]> = Object.fromEntries(ROLES.map((r) => [r, []]));
  let port = 22000;
  const specs = Object.entries(hosts).map(([name, hostRoles]) => {
    for (const role of hostRoles) (roles[role] ??= []).push(name);
    return {
      name,
      address: '127.0.0.1',
      port: port++,
      user: 'administrator',
      auth: { passwordEnv: 'TEST_PASSWORD' } as const,
      transport: 'ssh' as const,
      roles: hostRoles,
    };
  });
  return {
    file: '/tmp/test-inventory.yaml',
    runbook: 'kb979704',
    packageDir: '/tmp/package',
    facts,
    hosts: specs,
    roles,
    rollout: { window: 5, hubWindow: 1, errorBudget: 0 },
    source: '',
    inputs: UR6_INPUTS,
    ...extra,
  };
}

/** The KB's own estate shape with the KB's names. */
export const KB_ESTATE: Record<string, Role[]> = {
  MPS01: ['mps'],
  MPS02: ['mps'],
  PROV01: ['prov', 'webServices'],
  OMSQL01: ['omsql'],
  MPSSQL01: ['mpssql'],
  DNS01: ['dns'],
  EXHUB01: ['exhub'],
  EXHUB02: ['exhub'],
};

/** Several hosts per role, names nobody would guess. */
export const ODD_ESTATE: Record<string, Role[]> = {
  'zeta-engine': ['mps'],
  'alpha-engine': ['mps'],
  'omega-engine': ['mps'],
  'web-b': ['webServices'],
  'web-a': ['webServices', 'prov'],
  'prov-x': ['prov'],
  'reports-1': ['omsql'],
  'rm-db': ['mpssql'],
  'ns-1': ['dns'],
  'ns-2': ['dns'],
  'mail-3': ['exhub'],
  'mail-1': ['exhub'],
  'mail-2': ['exhub'],
};
