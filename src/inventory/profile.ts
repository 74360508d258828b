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

/**
 * `Inputs` and `Lab`: what the runbook's own schemas make of its `inputs:` and `lab:` sections,
 * so a runbook reads them typed (see {@link readSection}); the registry sees the defaults.
 */
export interface InventoryProfile<
  Inputs extends Record<string, unknown> = Record<string, unknown>,
  Lab extends Record<string, unknown> = Record<string, unknown>,
> {
  roles: readonly NamedItem[];
  /** Roles at least one host must have, with the reason given when none does. */
  requiredRoles: readonly { role: string; why: string }[];
  /** Boolean facts the statechart's guards read (pinned under `facts:`, else probed). */
  facts: readonly NamedItem[];
  /** `lab:` (the simulated estate's starting state): a strict zod object with defaults. */
  lab: z.ZodType<Lab>;
  /** Keys of `lab:` whose value is a list of host names of this inventory. */
  labHostLists?: readonly string[];
  /** `inputs:` (values the runbook needs from the operator), a strict zod object; absent: none. */
  inputs?: z.ZodType<Inputs>;
  /**
   * Keys of `inputs:` whose value names an environment variable holding a secret (a password
   * a script needs). The CLI reads them before a run, refuses when unset, and redacts them.
   */
  secretInputs?: readonly string[];
  /** Package folder used when the inventory names none; absent: the runbook needs no package. */
  defaultPackage?: string;
}

/**
 * A section of the inventory read back by the runbook, typed: `schema` parses what the loader
 * stored. The loader stored the runbook's schema's output, so this is a check, not a cast; a
 * schema whose transforms do not parse their own output (a folder's trimmed `X:\`) reads back
 * with a form that takes that output as it is (`windowsFolder` → `checkedFolder`).
 */
export function readSection<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `${what} is not what its runbook's schema makes of it: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
  );
}
