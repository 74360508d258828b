/**
 * The runbook phase: judges what only the chosen runbook can judge — its roles, its facts, its
 * `lab:` and `inputs:` sections — and parses those two sections with the runbook's schemas.
 * Reads the raw data leniently, like the rules phase, so every problem is reported in one pass.
 */
import { controlCharacterProblems } from './input-characters.js';
import { formatPath, suggestAmong } from './inventory-problem.js';
import type { InventoryProblem } from './inventory-problem.js';
import type { InventoryProfile } from './profile.js';
import { toProblems } from './validate-shape.js';

type RawMap = Record<string, unknown>;

function isMap(value: unknown): value is RawMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface RunbookSections {
  problems: InventoryProblem[];
  lab?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

function checkRoles(hosts: RawMap, profile: InventoryProfile, runbook: string, out: InventoryProblem[]) {
  const known = profile.roles.map((role) => role.id);
  const seen = new Set<string>();
  for (const [name, host] of Object.entries(hosts)) {
    if (!isMap(host) || !Array.isArray(host.roles)) continue;
    host.roles.forEach((role, index) => {
      if (typeof role !== 'string') return;
      if (known.includes(role)) seen.add(role);
      else {
        out.push({
          path: ['hosts', name, 'roles', index],
          message: `unknown role "${role}" for runbook ${runbook}${suggestAmong(role, known, 'its roles are')}`,
        });
      }
    });
  }
  // Without a usable host there is nothing to judge (the shape and rules phases said so already).
  const anyHost = Object.values(hosts).some((host) => isMap(host) && Array.isArray(host.roles));
  for (const { role, why } of profile.requiredRoles) {
    if (anyHost && !seen.has(role)) {
      out.push({
        path: ['hosts'],
        at: 'key',
        message: `no host has role ${role}; runbook ${runbook} needs at least one (${why}). Its roles are: ${known.join(', ')}`,
      });
    }
  }
}

function checkFacts(facts: unknown, profile: InventoryProfile, runbook: string, out: InventoryProblem[]) {
  if (!isMap(facts)) return;
  const known = profile.facts.map((fact) => fact.id);
  for (const key of Object.keys(facts)) {
    if (known.includes(key)) continue;
    const choices =
      known.length === 0
        ? '; it decides no facts, remove `facts:`'
        : suggestAmong(key, known, 'its facts are');
    out.push({
      path: ['facts', key],
      at: 'key',
      message: `unknown fact "${key}" for runbook ${runbook}${choices}`,
    });
  }
}

/** Lab settings that list hosts must name hosts of this inventory; returns them spelt as under `hosts:`. */
function canonicalHostLists(
  lab: Record<string, unknown>,
  keys: readonly string[],
  names: string[],
  out: InventoryProblem[],
): Record<string, unknown> {
  const byLower = new Map(names.map((name) => [name.toLowerCase(), name]));
  const result = { ...lab };
  for (const key of keys) {
    const list = lab[key];
    if (!Array.isArray(list)) continue;
    result[key] = list.map((entry: unknown, index) => {
      const name = typeof entry === 'string' ? byLower.get(entry.toLowerCase()) : undefined;
      if (name === undefined) {
        out.push({
          path: ['lab', key, index],
          message: `"${String(entry)}" is not a host in this inventory${suggestAmong(String(entry), names, 'hosts are')}`,
        });
      }
      return name ?? entry;
    });
  }
  return result;
}

/**
 * Checks `raw` (the whole document's data) against the runbook's profile.
 * @param runbook the runbook's id, for messages
 */
export function validateRunbookSections(
  raw: unknown,
  profile: InventoryProfile,
  runbook: string,
): RunbookSections {
  const out: InventoryProblem[] = [];
  if (!isMap(raw)) return { problems: out };
  const hosts = isMap(raw.hosts) ? raw.hosts : {};
  checkRoles(hosts, profile, runbook, out);
  checkFacts(raw.facts, profile, runbook, out);
  const result: RunbookSections = { problems: out };

  if (isMap(raw.lab)) {
    const parsed = profile.lab.safeParse(raw.lab);
    if (parsed.success) {
      result.lab = canonicalHostLists(parsed.data, profile.labHostLists ?? [], Object.keys(hosts), out);
    } else out.push(...parsed.error.issues.flatMap((issue) => toProblems(issue, ['lab'])));
  }

  // Refused whatever the runbook's schema says (SECURITY.md): no control character, no line break.
  const unprintable = controlCharacterProblems(raw.inputs);
  out.push(...unprintable);
  // Reported alone: the schema's view of a value with a line feed in it adds nothing.
  if (unprintable.length > 0) return result;
  if (profile.inputs) {
    const parsed = profile.inputs.safeParse(isMap(raw.inputs) ? raw.inputs : {});
    if (parsed.success) result.inputs = parsed.data;
    else {
      // Without an `inputs:` section there is no line to point at: name the missing path instead.
      const present = isMap(raw.inputs);
      for (const problem of parsed.error.issues.flatMap((issue) => toProblems(issue, ['inputs']))) {
        out.push(
          present
            ? problem
            : {
                path: [],
                message: `${formatPath(problem.path)}: ${problem.message}; add an \`inputs:\` section`,
              },
        );
      }
    }
  } else if (isMap(raw.inputs) && Object.keys(raw.inputs).length > 0) {
    out.push({
      path: ['inputs'],
      at: 'key',
      message: `runbook ${runbook} takes no inputs; remove \`inputs:\``,
    });
  }
  return result;
}
