/**
 * The normalized inventory: what the loader (`load-inventory.ts`) produces after parsing and
 * validating the operator's YAML. Nothing downstream reads raw YAML.
 */

export const ROLES = ['mps', 'webServices', 'prov', 'omsql', 'mpssql', 'dns', 'exhub'] as const;
export type Role = (typeof ROLES)[number];

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
  roles: Role[];
}

/** Facts decide the runbook's branches. Pinned in the inventory or probed in preflight. */
export interface Facts {
  ur5Installed?: boolean;
  upgradedFromHmc40?: boolean;
}

/** The simulated estate's starting state (only meaningful with `--lab` / `lab up`). */
export interface LabSpec {
  ur5Installed: boolean;
  upgradedFromHmc40: boolean;
  /** Scenario switches for missing prerequisites. */
  missingSp2?: string[];
  notDomainAdmin?: boolean;
  noDeploymentTool?: boolean;
  /** Hosts whose PowerShell is 1.0 (to drill the preflight). */
  powershell1?: string[];
}

export interface Inventory {
  /** Absolute path of the YAML file. */
  file: string;
  /** Runbook id, e.g. `kb979704`. */
  runbook: string;
  /** Absolute path of the rollup package (folder), resolved against the inventory's folder. */
  packageDir: string;
  facts: Facts;
  hosts: HostSpec[];
  /** Host names per role, in inventory order (the first `mps` host runs the Deployment Tool). */
  roles: Record<Role, string[]>;
  /** Version markers overriding the runbook's (`versions:` in YAML). */
  versions?: Record<string, string>;
  /** Rollout tuning: window (hosts at once per role) and error budget. */
  rollout: { window: number; hubWindow: number; errorBudget: number };
  lab?: LabSpec;
  /** The raw YAML text, for fingerprints and diffs. */
  source: string;
}
