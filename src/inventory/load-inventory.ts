/**
 * Loads an inventory: parse (with positions) → shape (zod) → rules → normalize. Every problem in
 * the file is collected and reported at once, each as `file:line:col: path: what is wrong and
 * what would be right`, so an operator fixes the file in one pass rather than one error per run.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { DeployError } from '../errors.js';
import type { Inventory } from './types.js';
import { formatProblems, parseYamlSource } from './yaml-source.js';
import type { ParsedYaml } from './yaml-source.js';
import { validateShape } from './validate-shape.js';
import { validateRules } from './inventory-rules.js';
import { normalizeInventory } from './normalize-inventory.js';
import type { InventoryProfile } from './profile.js';
import { validateRunbookSections } from './runbook-rules.js';

export interface InventoryOptions {
  /** Environment used to expand `~` (HOME/USERPROFILE); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * The runbooks `runbook:` may name, by id, with their inventory profiles, and the one a file that
   * names none gets. Handed in by the composition root (src/cli/inventory.ts hands every runbook
   * this build ships): the loader knows no runbook of its own.
   */
  runbooks: Readonly<Record<string, { inventory: InventoryProfile }>>;
  defaultRunbook: string;
  /**
   * What this file was loaded into before (the run being resumed recorded it in run.json):
   * returned as it is, without parsing, when the file's path and text are the same and nothing in
   * it depends on the environment (a `~` anywhere sends it through the full parse). Parsing the
   * YAML is most of a 1,000-host resume's start-up.
   */
  recorded?: Inventory;
}

function reusable(recorded: Inventory | undefined, source: string, file: string): recorded is Inventory {
  return (
    recorded !== undefined &&
    recorded.source === source &&
    recorded.file === resolve(file) &&
    !source.includes('~')
  );
}

const HINT =
  'Fix the problems listed (each names file:line:column); inventory/prod.example.yaml explains every field.';

function invalid(file: string, problems: string[]): DeployError {
  return new DeployError('badInput', `inventory ${file} is not valid`, {
    code: 'INVENTORY_INVALID',
    problems,
    hint: HINT,
  });
}

function hostOrder(parsed: ParsedYaml): string[] {
  const hosts = parsed.document.get('hosts', true);
  if (!isMap(hosts)) return [];
  return hosts.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : []));
}

function toData(parsed: ParsedYaml, file: string): unknown {
  try {
    return parsed.document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Only alias abuse ("billion laughs") makes toJS throw after a clean parse.
    throw invalid(file, [`${file}:1:1: YAML could not be read: ${(error as Error).message}`]);
  }
}

/**
 * Parses and validates inventory YAML text without touching the file system.
 *
 * @param source the YAML text
 * @param file the file name used in messages and to resolve relative paths (made absolute)
 * @throws DeployError `badInput` / `INVENTORY_INVALID` with every problem in `problems`
 * @example
 * parseInventory('hosts:\n  hmc-mps-a: { address: 10.1.0.11, roles: [mps], auth: { agent: true } }\n', 'inv.yaml', {
 *   runbooks: RUNBOOKS,
 *   defaultRunbook: 'kb979704',
 * })
 */
export function parseInventory(source: string, file: string, options: InventoryOptions): Inventory {
  const { runbooks } = options;
  const result = parseYamlSource(source, file);
  if (!result.ok) throw invalid(file, result.problems);
  const { parsed } = result;

  if (parsed.document.contents === null) {
    throw invalid(file, [
      `${file}:1:1: the file is empty; expected a map with at least \`hosts:\` (see inventory/prod.example.yaml)`,
    ]);
  }

  const raw = toData(parsed, file);
  const shape = validateShape(raw);
  const rules = validateRules(raw, Object.keys(runbooks));
  // The runbook's own rules need to know which runbook: an unknown one is already a rule problem.
  const named = (raw as { runbook?: unknown } | null)?.runbook;
  const runbookId = typeof named === 'string' ? named : options.defaultRunbook;
  const profile = runbooks[runbookId]?.inventory;
  const sections = profile ? validateRunbookSections(raw, profile, runbookId) : { problems: [] };
  const problems = [...shape.problems, ...rules, ...sections.problems];
  if (problems.length > 0 || !shape.data || !profile)
    throw invalid(file, formatProblems(parsed, file, problems));

  return normalizeInventory(shape.data, profile, sections, {
    runbook: runbookId,
    file: resolve(file),
    source,
    hostOrder: hostOrder(parsed),
    env: options.env ?? process.env,
  });
}

/**
 * Reads and validates an inventory file.
 *
 * @throws DeployError `badInput` with code `INVENTORY_NOT_FOUND`, `INVENTORY_UNREADABLE` or
 *   `INVENTORY_INVALID` (every problem listed, each with file:line:column)
 */
export async function loadInventory(file: string, options: InventoryOptions): Promise<Inventory> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DeployError('badInput', `inventory ${file} was not found`, {
        code: 'INVENTORY_NOT_FOUND',
        hint: `Check the --inventory path (relative paths start from ${process.cwd()}); inventory/prod.example.yaml is a template.`,
        cause: error,
      });
    }
    const why =
      code === 'EISDIR' ? 'is a folder, not a YAML file' : `could not be read (${code ?? 'unknown error'})`;
    throw new DeployError('badInput', `inventory ${file} ${why}`, {
      code: 'INVENTORY_UNREADABLE',
      hint: 'Point --inventory at a readable YAML file.',
      cause: error,
    });
  }
  if (reusable(options.recorded, source, file)) return options.recorded;
  return parseInventory(source, file, options);
}
