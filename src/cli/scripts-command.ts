/**
 * `deploy-rollup scripts`: every script the plan's steps would send, one file each, with
 * index.json, for a change-advisory board to review before the window. Nothing is written
 * until every script is built, so bad input leaves the output folder as it was.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runbookFor } from '../../runbooks/index.js';
import { stateDirFor } from '../durability/run-dir.js';
import { DEFAULT_ENGINE_OPTIONS } from '../engine/context.js';
import { NO_JOURNAL } from '../engine/journal-port.js';
import { checkPackage } from '../engine/package-check.js';
import { exportSteps } from '../engine/step-scripts.js';
import { DeployError, EXIT } from '../errors.js';
import { loadInventory } from './inventory.js';
import type { Inventory } from '../inventory/types.js';
import { createRunLogger } from '../log/logger.js';
import { planStages, toPlanDocument } from '../plan/build-plan.js';
import type { PackageContents, PlanDocument, PlanStep, Runbook } from '../plan/types.js';
import { labEstate, makeDeps, makeTransportPool, readPasswords, realEstate } from './compose.js';
import { checkSavedPlan, livePlan, planFingerprint } from './plan-command.js';
import { layout } from './scripts-layout.js';

export interface ScriptsFlags {
  inventory: string;
  out: string;
  offline?: boolean;
  plan?: string;
  stateDir?: string;
  lab?: boolean;
  runId?: string;
  acceptNewHostKeys?: boolean;
}

/** The run id a header names when the export cannot know it: a run gets its id when it starts. */
export const EXPORT_RUN_ID = 'RUN_ID';

interface Planned {
  steps: PlanStep[];
  pkg: { contents: PackageContents; hashes: Record<string, string> };
  probes: Map<string, boolean>;
}

function refuseOut(out: string): void {
  if (!existsSync(out)) return;
  const empty = statSync(out).isDirectory() && readdirSync(out).length === 0;
  if (!empty)
    throw new DeployError('badInput', `--out ${out} exists and is not an empty folder`, {
      code: 'SCRIPTS_OUT_NOT_EMPTY',
      hint: 'name a new or empty folder, so the export holds only this plan’s scripts',
    });
}

async function readSaved(file: string): Promise<PlanDocument> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PlanDocument;
  } catch (error) {
    throw new DeployError('badInput', `cannot read the saved plan ${file}: ${(error as Error).message}`, {
      code: 'PLAN_UNREADABLE',
      hint: 'save one with --dry-run --save-plan FILE',
    });
  }
}

/**
 * Offline, a saved plan is rebuilt from its own facts and the package here; it must come out
 * the same (steps, params, package) and, when it has a fingerprint, not have been edited since.
 */
function compareSaved(file: string, saved: PlanDocument, rebuilt: PlanDocument): void {
  const problems: string[] = [];
  if (saved.fingerprint !== undefined && planFingerprint(saved) !== saved.fingerprint)
    problems.push('its fingerprint does not match its contents: the file was edited after it was saved');
  const key = (s: PlanDocument) =>
    new Map(
      s.stages.flatMap((st) =>
        st.steps.map((step) => [
          step.id,
          JSON.stringify([step.host, step.action, step.target, step.params ?? null]),
        ]),
      ),
    );
  const [before, after] = [key(saved), key(rebuilt)];
  for (const [id, what] of after)
    if (!before.has(id)) problems.push(`+ ${id} (new step)`);
    else if (before.get(id) !== what) problems.push(`~ ${id}: host, action, target or params differ`);
  for (const id of before.keys()) if (!after.has(id)) problems.push(`- ${id} (no longer planned)`);
  const files = new Map((saved.package?.files ?? []).map((f) => [f.name.toLowerCase(), f.sha256]));
  for (const f of rebuilt.package?.files ?? [])
    if (files.has(f.name.toLowerCase()) && files.get(f.name.toLowerCase()) !== f.sha256)
      problems.push(`package ${f.name}: sha256 differs from the plan's`);
  if (problems.length > 0)
    throw new DeployError('preflight', `the saved plan ${file} does not match this inventory and package`, {
      code: 'PLAN_STALE',
      problems: problems.slice(0, 50),
      hint: 'save a new plan with --dry-run --save-plan, or export without --plan',
    });
}

async function offlineSteps(runbook: Runbook, inventory: Inventory, planFile?: string): Promise<Planned> {
  const checked = await checkPackage(inventory.packageDir, runbook.packageFiles);
  if (checked.problems.length > 0)
    throw new DeployError(
      'badInput',
      `the package folder ${inventory.packageDir} cannot give the scripts their hashes and product codes`,
      {
        code: 'PACKAGE_UNREADABLE',
        problems: checked.problems.slice(0, 20),
        hint: `put the extracted rollup in ${inventory.packageDir} ("package:" in the inventory; for the lab: deploy-rollup lab package --out ${inventory.packageDir})`,
      },
    );
  const saved = planFile ? await readSaved(planFile) : undefined;
  const facts = saved ? saved.facts : { ...inventory.facts };
  const stages = await planStages(runbook, inventory, facts, checked.contents);
  if (saved && planFile)
    compareSaved(planFile, saved, toPlanDocument(runbook, facts, stages, checked.contents));
  return {
    steps: stages.flatMap((s) => s.lanes.flatMap((l) => l.steps)),
    pkg: { contents: checked.contents, hashes: checked.hashes },
    probes: new Map(),
  };
}

async function liveSteps(runbook: Runbook, inventory: Inventory, flags: ScriptsFlags): Promise<Planned> {
  const stateDir = stateDirFor(inventory.file, flags.stateDir);
  const estate = flags.lab
    ? await labEstate(inventory, stateDir)
    : realEstate(inventory, stateDir, flags.acceptNewHostKeys === true);
  const passwords = readPasswords(inventory);
  const logger = createRunLogger({
    console: 'lines',
    color: false,
    secrets: Object.values(passwords),
    verbose: false,
  });
  const pool = makeTransportPool(inventory, estate, passwords, logger.emit);
  try {
    const deps = makeDeps({
      runbook,
      inventory,
      runId: 'scripts',
      pool,
      journal: NO_JOURNAL,
      emit: logger.emit,
      options: { ...DEFAULT_ENGINE_OPTIONS, lab: flags.lab === true },
    });
    const plan = await livePlan(deps);
    if (flags.plan) await checkSavedPlan(flags.plan, plan);
    const stages = await planStages(runbook, inventory, plan.facts, deps.package);
    const probes = new Map(
      plan.stages.flatMap((s) =>
        s.steps.flatMap((st) => (st.probe ? [[st.id, st.probe.done] as const] : [])),
      ),
    );
    return {
      steps: stages.flatMap((s) => s.lanes.flatMap((l) => l.steps)),
      pkg: { contents: deps.package, hashes: deps.packageHashes },
      probes,
    };
  } finally {
    await pool.closeAll();
    await estate.close();
    await logger.close();
  }
}

/** Builds the export in memory: relative file → text, and index.json's entries. */
export async function buildExport(
  runbook: Runbook,
  inventory: Inventory,
  planned: Planned,
  runId: string,
): Promise<ReturnType<typeof layout>> {
  try {
    return layout(exportSteps(planned.steps, planned.pkg, runId), runId, planned.probes);
  } catch (error) {
    if (error instanceof TypeError)
      throw new DeployError(
        'badInput',
        `a step of ${inventory.file} cannot be written as a script: ${error.message}`,
        {
          code: 'SCRIPT_BUILD',
          hint: `check the values the inventory gives runbook ${runbook.id}`,
        },
      );
    throw error;
  }
}

export async function scriptsCommand(flags: ScriptsFlags): Promise<number> {
  const out = resolve(flags.out);
  refuseOut(out);
  if (flags.runId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(flags.runId))
    throw new DeployError('badInput', `--run-id ${JSON.stringify(flags.runId)} is not a run id`, {
      code: 'USAGE',
      hint: 'give the id of a run directory (letters, digits, ".", "_", "-"), as status and report.md show it',
    });
  if (flags.offline && flags.lab)
    throw new DeployError('badInput', '--offline and --lab exclude each other', {
      code: 'USAGE',
      hint: '--offline reads facts from the inventory; --lab probes the simulated estate',
    });
  const inventory = await loadInventory(flags.inventory);
  const runbook = runbookFor(inventory);
  const planned = flags.offline
    ? await offlineSteps(runbook, inventory, flags.plan)
    : await liveSteps(runbook, inventory, flags);
  const runId = flags.runId ?? EXPORT_RUN_ID;
  const { files, index } = await buildExport(runbook, inventory, planned, runId);
  for (const [file, text] of files) {
    const path = join(out, ...file.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
  }
  await writeFile(join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n', 'utf8');
  const marked = index.filter((e) => !e.exact).length;
  process.stdout.write(
    `wrote ${index.length} script(s) for ${planned.steps.length} step(s) to ${out} (index.json lists them)\n` +
      (marked > 0
        ? `${marked} hold run-time values as "<run-time …>" markers (index.json: exact=false, runtime)\n`
        : '') +
      (flags.runId ? '' : `headers name the run as ${EXPORT_RUN_ID}: a run gets its id when it starts\n`),
  );
  return EXIT.done;
}
