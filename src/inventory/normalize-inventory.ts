/**
 * The normalize phase: validated YAML data → the {@link Inventory} everything downstream reads.
 * Runs only on data that passed the shape and rule phases, so it fills defaults and resolves
 * paths but judges nothing.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ROLES } from './types.js';
import type { AuthSpec, HostSpec, Inventory, LabSpec, Role } from './types.js';
import type { AuthYaml, InventoryYaml } from './inventory-schema.js';

export const DEFAULT_RUNBOOK = 'kb979704';
export const DEFAULT_PACKAGE = './packages/ur6';
export const DEFAULT_USER = 'administrator';
export const DEFAULT_ROLLOUT = { window: 5, hubWindow: 1, errorBudget: 0 } as const;

export interface NormalizeContext {
  /** Absolute path of the inventory file. */
  file: string;
  source: string;
  /** Host names in the order the file lists them (JS objects reorder integer-like keys). */
  hostOrder: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** `~` and `~/x` expand to the home directory; other relative paths resolve against `base`. */
export function resolveUserPath(path: string, base: string, env: NodeJS.ProcessEnv): string {
  if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) {
    const home = env.HOME ?? env.USERPROFILE ?? homedir();
    return resolve(home, path.slice(2));
  }
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

function toAuth(auth: AuthYaml, base: string, env: NodeJS.ProcessEnv): AuthSpec {
  if (auth.keyFile !== undefined) return { keyFile: resolveUserPath(auth.keyFile, base, env) };
  if (auth.passwordEnv !== undefined) return { passwordEnv: auth.passwordEnv };
  return { agent: true };
}

function toLab(lab: NonNullable<InventoryYaml['lab']>, hosts: readonly HostSpec[]): LabSpec {
  // The rules accepted names case-insensitively; downstream compares exactly, so use the host's spelling.
  const canonical = (names: string[] | undefined): string[] | undefined =>
    names?.map((name) => hosts.find((host) => host.name.toLowerCase() === name.toLowerCase())?.name ?? name);
  const spec: LabSpec = {
    ur5Installed: lab.ur5Installed ?? false,
    upgradedFromHmc40: lab.upgradedFromHmc40 ?? false,
    notDomainAdmin: lab.notDomainAdmin ?? false,
    noDeploymentTool: lab.noDeploymentTool ?? false,
  };
  const missingSp2 = canonical(lab.missingSp2);
  const powershell1 = canonical(lab.powershell1);
  if (missingSp2) spec.missingSp2 = missingSp2;
  if (powershell1) spec.powershell1 = powershell1;
  return spec;
}

/** Builds the normalized inventory from validated data. */
export function normalizeInventory(data: InventoryYaml, context: NormalizeContext): Inventory {
  const base = dirname(context.file);
  const defaults = data.defaults ?? {};
  const hosts: HostSpec[] = context.hostOrder.flatMap((name) => {
    const host = data.hosts[name];
    if (!host) return [];
    const auth = host.auth ?? defaults.auth;
    if (!auth) return []; // unreachable: the rules require auth on the host or in defaults
    const spec: HostSpec = {
      name,
      address: host.address,
      port: host.port ?? defaults.port ?? 22,
      user: host.user ?? defaults.user ?? DEFAULT_USER,
      auth: toAuth(auth, base, context.env),
      transport: host.transport ?? defaults.transport ?? 'ssh',
      roles: [...new Set(host.roles)] as Role[],
    };
    if (host.hostKey !== undefined) spec.hostKey = host.hostKey;
    return [spec];
  });

  const roles = Object.fromEntries(ROLES.map((role) => [role, [] as string[]])) as Record<Role, string[]>;
  for (const host of hosts) for (const role of host.roles) roles[role].push(host.name);

  const facts: Inventory['facts'] = {};
  if (data.facts?.ur5Installed !== undefined) facts.ur5Installed = data.facts.ur5Installed;
  if (data.facts?.upgradedFromHmc40 !== undefined) facts.upgradedFromHmc40 = data.facts.upgradedFromHmc40;

  const inventory: Inventory = {
    file: context.file,
    runbook: data.runbook ?? DEFAULT_RUNBOOK,
    packageDir: resolveUserPath(data.package ?? DEFAULT_PACKAGE, base, context.env),
    facts,
    hosts,
    roles,
    rollout: {
      window: data.rollout?.window ?? DEFAULT_ROLLOUT.window,
      hubWindow: data.rollout?.hubWindow ?? DEFAULT_ROLLOUT.hubWindow,
      errorBudget: data.rollout?.errorBudget ?? DEFAULT_ROLLOUT.errorBudget,
    },
    source: context.source,
  };
  if (data.versions) inventory.versions = { ...data.versions };
  if (data.lab) inventory.lab = toLab(data.lab, hosts);
  return inventory;
}
