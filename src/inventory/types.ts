/**
 * The normalized inventory: what the loader (`load-inventory.ts`) produces after parsing and
 * validating the operator's YAML. Nothing downstream reads raw YAML.
 */

/** A host role; which roles exist is the runbook's (its inventory profile lists them). */
export type Role = string;

export type AuthSpec = { agent: true } | { keyFile: string } | { passwordEnv: string };

export interface HostSpec {
  /** The operator's own name for the host (never assume MPS01). */
  name: string;
  address: string;
  port: number;
  user: string;
  auth: AuthSpec;
  /** `SHA256:...` fingerprint pinned in the inventory, if any. */
  hostKey?: string;
  /** `ssh` (default) or `local` when the tool runs on that Windows host itself. */
  transport: 'ssh' | 'local';
  /**
   * `persistent`: over SSH, one powershell.exe per connection runs the host's scripts one at a
   * time (`src/remote/persistent-shell.ts`). Absent (`per-step` in YAML, the default): every
   * script starts its own powershell.exe on its own exec channel.
   */
  powershell?: 'persistent';
  roles: Role[];
}

/**
 * Facts decide the runbook's branches (the runbook names them). Pinned in the inventory or
 * probed in preflight.
 */
export type Facts = Record<string, boolean>;

/**
 * The simulated estate's starting state (only meaningful with `--lab` / `lab up`), as the
 * runbook's lab schema parsed it (defaults filled, host names spelt as under `hosts:`).
 */
export type LabSpec = Record<string, unknown>;

export interface Inventory {
  /** Absolute path of the YAML file. */
  file: string;
  /** Runbook id, e.g. `kb979704`. */
  runbook: string;
  /** Absolute path of the rollup package (folder), resolved against the inventory's folder. */
  packageDir: string;
  facts: Facts;
  hosts: HostSpec[];
  /** Host names per role, in inventory order; every role of the runbook has an entry. */
  roles: Record<Role, string[]>;
  /** The runbook's own inputs (`inputs:`), as its schema parsed them. */
  inputs?: Record<string, unknown>;
  /** Version markers overriding the runbook's (`versions:` in YAML). */
  versions?: Record<string, string>;
  /** Rollout tuning: window (hosts at once per role) and error budget. */
  rollout: { window: number; hubWindow: number; errorBudget: number; pauseAfterFirstHub?: boolean };
  lab?: LabSpec;
  /** The raw YAML text, for fingerprints and diffs. */
  source: string;
}

/** The hosts with `role`, in inventory order (none when no host has it). */
export function hostsWithRole(inventory: Pick<Inventory, 'roles'>, role: Role): string[] {
  return inventory.roles[role] ?? [];
}
