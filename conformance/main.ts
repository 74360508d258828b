/**
 * `npm run conformance [-- --json] [-- --only <text>]`: every conformance case (cases.ts) both
 * ways, mismatches listed; with --json the last stdout line is the summary as JSON. A developer
 * tool beside the product (like bench/): the cases are the runbooks' fixtures, the comparer is
 * src/lab/pwsh/conformance.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadInventory } from '../src/cli/inventory.js';
import type { Inventory } from '../src/inventory/types.js';
import { checkCase, type Verdict } from '../src/lab/pwsh/conformance.js';
import { conformanceCases, INVENTORY_FILES } from './cases.js';
import { ShimHost } from '../src/lab/pwsh/shim-host.js';

/** The repository root: the nearest folder up from here holding inventory/lab.yaml. */
function repoRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'inventory', 'lab.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no inventory/lab.yaml above ${from}`);
}

export interface Summary {
  pwsh: string;
  scripts: number;
  actions: number;
  states: number;
  mismatches: number;
}

export async function runConformance(
  options: { only?: string; log?: (line: string) => void } = {},
): Promise<{ summary: Summary; verdicts: Verdict[] }> {
  const root = repoRoot(import.meta.dirname);
  const inventories: Record<string, Inventory> = {};
  for (const file of INVENTORY_FILES)
    inventories[file] = await loadInventory(join(root, 'inventory', file), {
      env: { ...process.env, HOME: process.env.HOME ?? root },
    });
  const cases = conformanceCases(inventories).filter(
    (c) => options.only === undefined || `${c.action} ${c.label}`.includes(options.only),
  );
  const shim = await ShimHost.start();
  const verdicts: Verdict[] = [];
  try {
    for (const c of cases) {
      for (const v of await checkCase(shim, c)) {
        verdicts.push(v);
        if (!v.ok) options.log?.(`MISMATCH ${v.case} ${v.phase}\n  ${v.differences.join('\n  ')}`);
      }
    }
  } finally {
    await shim.close();
  }
  const summary: Summary = {
    pwsh: shim.version,
    scripts: verdicts.length,
    actions: new Set(cases.map((c) => c.action)).size,
    states: cases.length,
    mismatches: verdicts.filter((v) => !v.ok).length,
  };
  return { summary, verdicts };
}

const isMain = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isMain) {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const { summary } = await runConformance({
    ...(only === undefined ? {} : { only }),
    log: (l) => console.log(l),
  });
  console.log(
    `${summary.scripts} scripts (${summary.actions} actions, ${summary.states} states) run in pwsh ${summary.pwsh} and in the model: ${summary.mismatches} mismatches`,
  );
  if (args.includes('--json')) console.log(JSON.stringify(summary));
  process.exitCode = summary.mismatches === 0 ? 0 : 1;
}
