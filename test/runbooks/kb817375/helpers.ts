/** Shared pieces for the KB817375 tests: inventories built in code, and the stand-in hotfix. */
import type { Facts, Inventory, LabSpec } from '../../../src/inventory/types.js';
import { standinBytes } from '../../../src/lab/package/generate.js';
import { FIXED_FILE, HOTFIX_PACKAGE, PATHS } from '../../../runbooks/kb817375/data.js';

export const HOSTS = ['exch-a', 'exch-b', 'exch-c'];

/** A normalized KB817375 inventory with three exchange hosts. */
export function exchangeInventory(
  facts: Facts = {},
  lab?: Partial<LabSpec>,
  extra: Partial<Inventory> = {},
): Inventory {
  return {
    file: '/tmp/kb817375-test.yaml',
    runbook: 'kb817375',
    packageDir: '/tmp/kb817375-package',
    facts,
    hosts: HOSTS.map((name, i) => ({
      name,
      address: '127.0.0.1',
      port: 23150 + i,
      user: 'administrator',
      auth: { passwordEnv: 'TEST_PASSWORD' },
      transport: 'ssh' as const,
      roles: ['exchange'],
    })),
    roles: { exchange: [...HOSTS] },
    inputs: { exchangeDir: 'C:\\Program Files\\Exchsrvr' },
    rollout: { window: 1, hubWindow: 1, errorBudget: 0 },
    source: '',
    ...(lab ? { lab: { ...lab } } : {}),
    ...extra,
  };
}

export const MAPI32 = 'C:\\Program Files\\Exchsrvr\\bin\\mapi32.dll';
export const PACKAGE_PATH = `${PATHS.stagingDir}\\${HOTFIX_PACKAGE.file}`;

/** The stand-in hotfix package's bytes (Mapi32.dll 6.0.6448.0). */
export function hotfixBytes(): Buffer {
  return standinBytes(
    { product: FIXED_FILE.name, version: FIXED_FILE.version, file: HOTFIX_PACKAGE.file },
    HOTFIX_PACKAGE.size,
  );
}

export const HOTFIX_PARAMS = {
  path: PACKAGE_PATH,
  args: ['-q', '-z'],
  file: MAPI32,
  version: FIXED_FILE.version,
};
