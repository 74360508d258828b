/**
 * The normalize phase: validated YAML data → the {@link Inventory} everything downstream reads.
 * Runs only on data that passed the shape and rule phases, so it fills defaults and resolves
 * paths but judges nothing.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { AuthSpec, HostSpec, Inventory } from './types.js';
import type { InventoryProfile } from './profile.js';
import type { RunbookSections } from './runbook-rules.js';
import type { AuthYaml, InventoryYaml } from './inventory-schema.js';

export const DEFAULT_USER = 'administrator';
export const DEFAULT_ROLLOUT = { window: 5, hubWindow: 1, errorBudget: 0 } as const;
/**
 * The shape of the {@link Inventory} this code produces. A run records it in run.json beside
 * the normalized inventory; resume reuses that inventory only when it matches (bump it when a
 * field is added, renamed or normalized differently).
 */
export const INVENTORY_FORMAT = 1;

export interface NormalizeContext {
  /** The runbook's id (`runbook:`, or the default). */
  runbook: string;
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

/** Builds the normalized inventory from validated data. */
export function normalizeInventory(
  data: InventoryYaml,
  profile: InventoryProfile,
  sections: Pick<RunbookSections, 'lab' | 'inputs'>,
  context: NormalizeContext,
): Inventory {
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
      roles: [...new Set(host.roles)],
    };
    if (host.hostKey !== undefined) spec.hostKey = host.hostKey;
    if ((host.powershell ?? defaults.powershell) === 'persistent') spec.powershell = 'persistent';
    return [spec];
  });

  const roles: Record<string, string[]> = Object.fromEntries(profile.roles.map((role) => [role.id, []]));
  for (const host of hosts) for (const role of host.roles) (roles[role] ??= []).push(host.name);

  const inventory: Inventory = {
    file: context.file,
    runbook: context.runbook,
    packageDir: resolveUserPath(data.package ?? profile.defaultPackage ?? './package', base, context.env),
    facts: { ...data.facts },
    hosts,
    roles,
    rollout: {
      window: data.rollout?.window ?? DEFAULT_ROLLOUT.window,
      hubWindow: data.rollout?.hubWindow ?? DEFAULT_ROLLOUT.hubWindow,
      errorBudget: data.rollout?.errorBudget ?? DEFAULT_ROLLOUT.errorBudget,
      ...(data.rollout?.pauseAfterFirstHub === true ? { pauseAfterFirstHub: true } : {}),
    },
    source: context.source,
  };
  if (data.versions) inventory.versions = { ...data.versions };
  if (sections.lab) inventory.lab = sections.lab;
  if (sections.inputs) inventory.inputs = sections.inputs;
  return inventory;
}
