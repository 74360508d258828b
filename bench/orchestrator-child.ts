/**
 * The orchestrator in its own process: the real engine with the KB979704 runbook against a lab
 * served by lab-child.js, run as its bundle (scripts/bundle.ts) like the CLI.
 * `node dist/bundle/orchestrator-child.mjs <inventory> <stateDir>
 * <endpoints.json> fresh|resume [killAfterSteps]`. Prints one JSON line of figures. With
 * `killAfterSteps` it SIGKILLs itself once that many steps finished, like a crash.
 */
import { readFile } from 'node:fs/promises';
import { RUNBOOKS } from '../runbooks/index.js';
import { recordedInventory } from '../src/durability/run-dir.js';
import { loadInventory } from '../src/cli/inventory.js';
import { INVENTORY_FORMAT } from '../src/inventory/normalize-inventory.js';
import { runEngine } from './engine-run.js';

const [inventoryFile, stateDir, endpointsFile, mode, killAfter] = process.argv.slice(2);
if (!inventoryFile || !stateDir || !endpointsFile || (mode !== 'fresh' && mode !== 'resume'))
  throw new Error(
    'usage: orchestrator-child <inventory> <stateDir> <endpoints.json> fresh|resume [killAfterSteps]',
  );
const sinceStart = (): number => process.uptime() * 1000;
// As the CLI's --resume does: the inventory the run recorded, when the file is unchanged.
const recorded = mode === 'resume' ? recordedInventory(stateDir, inventoryFile, INVENTORY_FORMAT) : undefined;
const inventory = await loadInventory(inventoryFile, recorded ? { recorded } : {});
const runbook = RUNBOOKS[inventory.runbook];
if (!runbook) throw new Error(`no runbook ${inventory.runbook}`);
const endpoints = JSON.parse(await readFile(endpointsFile, 'utf8')) as Record<
  string,
  { address: string; port: number; fingerprint: string }
>;
const password = process.env.BENCH_LAB_PASSWORD ?? '';
let steps = 0;
let commands = 0;
let firstCommandMs: number | undefined;
let firstStepCommandMs: number | undefined;
/** Since process start: the engine began (modules and inventory loaded), preflight began and ended. */
const timeline: Record<string, number> = {};
/** When each stage started and ended, in ms since the run started (per-stage wall for the bench). */
const stages: Record<string, { startMs: number; endMs?: number }> = {};
const started = performance.now();
timeline.engineStartMs = sinceStart();
const result = await runEngine({
  inventory,
  runbook,
  stateDir,
  mode,
  endpoints,
  passwords: Object.fromEntries(inventory.hosts.map((h) => [h.name, password])),
  lab: true,
  onEvent: (event) => {
    if (event.type === 'command') {
      commands++;
      firstCommandMs ??= sinceStart();
      if (!event.stepId.startsWith('preflight/')) firstStepCommandMs ??= sinceStart();
    }
    if (event.type === 'preflight') timeline[`preflight.${event.status}Ms`] ??= sinceStart();
    if (event.type === 'stage.start') stages[event.stage] = { startMs: performance.now() - started };
    if (event.type === 'stage.done' && stages[event.stage])
      stages[event.stage]!.endMs = performance.now() - started;
    if (event.type === 'step.done' && ++steps === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write(
  JSON.stringify({
    exitCode: result.exitCode,
    message: result.message,
    runDir: result.runDir,
    wallMs: performance.now() - started,
    steps,
    commands,
    firstCommandMs,
    firstStepCommandMs,
    stages,
    timeline,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
process.exit(0);
