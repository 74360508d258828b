/**
 * Runs the zod schema and turns its issues into located-later {@link InventoryProblem}s: one
 * problem per unknown key (each at its own key), every other issue at its value.
 */
import type { z } from 'zod';
import { ALLOWED_KEYS_PREFIX, inventorySchema, OPTIONAL_SECTIONS } from './inventory-schema.js';
import type { InventoryYaml } from './inventory-schema.js';
import { suggestAmong } from './inventory-problem.js';
import type { InventoryProblem } from './inventory-problem.js';

/** A plaintext password key, refused wherever it appears (reported by the rules, not as "unknown"). */
export function isPasswordKey(key: string): boolean {
  return /^(password|passwd|pwd)$/i.test(key);
}

/** One zod issue as problems, its path under `prefix` (a runbook section's schema sees only the section). */
export function toProblems(
  issue: z.core.$ZodIssue,
  prefix: readonly (string | number)[] = [],
): InventoryProblem[] {
  const path = [
    ...prefix,
    ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
  ];
  if (issue.code === 'unrecognized_keys') {
    const allowed = issue.message.startsWith(ALLOWED_KEYS_PREFIX)
      ? issue.message.slice(ALLOWED_KEYS_PREFIX.length).split(', ')
      : [];
    return issue.keys
      .filter((key) => !isPasswordKey(key))
      .map((key) => ({
        path: [...path, key],
        at: 'key' as const,
        message: `unknown key "${key}"${suggestAmong(key, allowed, 'allowed keys')}`,
      }));
  }
  if (issue.code === 'invalid_key') {
    return [{ path, at: 'key', message: issue.issues[0]?.message ?? issue.message }];
  }
  return [{ path, message: issue.message }];
}

/**
 * Validates the document's data against the inventory schema. Empty optional sections
 * (`facts:` with nothing under it) count as absent.
 */
export function validateShape(raw: unknown): { data?: InventoryYaml; problems: InventoryProblem[] } {
  let input = raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const copy: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const section of OPTIONAL_SECTIONS) if (copy[section] === null) delete copy[section];
    input = copy;
  }
  const result = inventorySchema.safeParse(input);
  if (result.success) return { data: result.data, problems: [] };
  return { problems: result.error.issues.flatMap((issue) => toProblems(issue)) };
}
