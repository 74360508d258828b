/**
 * What a runbook tells the inventory loader: the roles its hosts may have, the facts it branches
 * on, and the shape of its own `lab:` and `inputs:` sections. The loader reads `runbook:` first,
 * then judges the rest of the file against that runbook's profile, so a role or fact another
 * runbook uses is an error that lists this runbook's choices.
 */
import type { z } from 'zod';

export interface NamedItem {
  id: string;
  /** One line for `deploy-rollup runbooks` and for error messages. */
  description: string;
}

export interface InventoryProfile {
  roles: readonly NamedItem[];
  /** Roles at least one host must have, with the reason given when none does. */
  requiredRoles: readonly { role: string; why: string }[];
  /** Boolean facts the statechart's guards read (pinned under `facts:`, else probed). */
  facts: readonly NamedItem[];
  /** `lab:` (the simulated estate's starting state): a strict zod object with defaults. */
  lab: z.ZodType<Record<string, unknown>>;
  /** Keys of `lab:` whose value is a list of host names of this inventory. */
  labHostLists?: readonly string[];
  /** `inputs:` (values the runbook needs from the operator), a strict zod object; absent: none. */
  inputs?: z.ZodType<Record<string, unknown>>;
  /**
   * Keys of `inputs:` whose value names an environment variable holding a secret (a password
   * a script needs). The CLI reads them before a run, refuses when unset, and redacts them.
   */
  secretInputs?: readonly string[];
  /** Package folder used when the inventory names none; absent: the runbook needs no package. */
  defaultPackage?: string;
}
