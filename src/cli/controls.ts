/**
 * The operator controls of one invocation: `--limit` / `--exclude` (hosts by name or role) and
 * `--window` / `--hub-window` / `--error-budget` (the inventory's rollout settings, for this run
 * only). Read and checked before anything starts: a bad value is exit 2 and touches nothing.
 */
import { DeployError } from '../errors.js';
import { wholeNumber } from './run-flags.js';
import type { Inventory } from '../inventory/types.js';
import type { HostSelection } from '../engine/limit.js';

export interface ControlFlags {
  limit?: string;
  exclude?: string;
  window?: string;
  hubWindow?: string;
  errorBudget?: string;
}

export interface RunControls {
  /** Rollout settings this invocation overrides (only those given). */
  rollout: Partial<Inventory['rollout']>;
  /** The hosts left out by `--limit` / `--exclude`; absent: every host. */
  selection?: HostSelection;
}

function whole(value: string | undefined, flag: string, min: number): number | undefined {
  const n = wholeNumber(value, min);
  if (Number.isNaN(n))
    throw new DeployError('badInput', `${flag} expects a whole number of at least ${min}, got "${value}"`, {
      code: 'USAGE',
      hint: `e.g. ${flag} ${Math.max(min, 1)}`,
    });
  return n;
}

/** Host names for a comma-separated list of names or roles; an unknown word is exit 2. */
function hostsNamed(inventory: Inventory, list: string, flag: string): Set<string> {
  const words = list
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0)
    throw new DeployError('badInput', `${flag} needs host names or roles, comma-separated`, {
      code: 'USAGE',
      hint: `e.g. ${flag} ${inventory.hosts[0]?.name ?? 'HOST'}`,
    });
  const hosts = new Set<string>();
  for (const word of words) {
    const host = inventory.hosts.find((h) => h.name.toLowerCase() === word.toLowerCase());
    const role = Object.keys(inventory.roles).find((r) => r.toLowerCase() === word.toLowerCase());
    if (host) hosts.add(host.name);
    else if (role) for (const name of inventory.roles[role] ?? []) hosts.add(name);
    else
      throw new DeployError(
        'badInput',
        `${flag}: "${word}" is neither a host nor a role of ${inventory.file}`,
        {
          code: 'USAGE',
          hint: `hosts: ${inventory.hosts.map((h) => h.name).join(', ')}; roles: ${Object.keys(inventory.roles).join(', ')}`,
        },
      );
  }
  return hosts;
}

/** Reads and checks the controls against the inventory; throws exit-2 errors. */
export function readControls(flags: ControlFlags, inventory: Inventory): RunControls {
  const rollout: Partial<Inventory['rollout']> = {};
  const window = whole(flags.window, '--window', 1);
  const hubWindow = whole(flags.hubWindow, '--hub-window', 1);
  const errorBudget = whole(flags.errorBudget, '--error-budget', 0);
  if (window !== undefined) rollout.window = window;
  if (hubWindow !== undefined) rollout.hubWindow = hubWindow;
  if (errorBudget !== undefined) rollout.errorBudget = errorBudget;
  if (flags.limit === undefined && flags.exclude === undefined) return { rollout };
  const all = inventory.hosts.map((h) => h.name);
  const limited = flags.limit === undefined ? new Set(all) : hostsNamed(inventory, flags.limit, '--limit');
  const excluded =
    flags.exclude === undefined ? new Set<string>() : hostsNamed(inventory, flags.exclude, '--exclude');
  const included = all.filter((name) => limited.has(name) && !excluded.has(name));
  if (included.length === 0)
    throw new DeployError('badInput', '--limit / --exclude leave no host to work on', {
      code: 'USAGE',
      hint: 'name at least one host (or role) that is not excluded',
    });
  const described = [
    ...(flags.limit !== undefined ? [`--limit ${flags.limit}`] : []),
    ...(flags.exclude !== undefined ? [`--exclude ${flags.exclude}`] : []),
  ].join(' ');
  return {
    rollout,
    selection: { excluded: all.filter((name) => !included.includes(name)), described },
  };
}

/** The inventory the engine works from this run: the file's, with the rollout overrides. */
export function withRollout(inventory: Inventory, controls: RunControls): Inventory {
  if (Object.keys(controls.rollout).length === 0) return inventory;
  return { ...inventory, rollout: { ...inventory.rollout, ...controls.rollout } };
}

/** What the journal records of this invocation's controls (nothing when none were given). */
export function controlsEntry(
  controls: RunControls,
  by: string,
):
  | {
      type: 'run.controls';
      by: string;
      rollout: Partial<Inventory['rollout']>;
      excluded: string[];
      flags: string;
    }
  | undefined {
  const given = Object.keys(controls.rollout).length > 0 || controls.selection !== undefined;
  if (!given) return undefined;
  const flags = [
    ...Object.entries(controls.rollout).map(
      ([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`,
    ),
    ...(controls.selection ? [controls.selection.described] : []),
  ].join(' ');
  return {
    type: 'run.controls',
    by,
    rollout: controls.rollout,
    excluded: controls.selection?.excluded ?? [],
    flags,
  };
}
