/**
 * The root command: run, resume, abandon or dry-run an inventory's runbook.
 */
import { writeFile } from 'node:fs/promises';
import { NO_JOURNAL } from '../engine/journal-port.js';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { runbookFor } from '../../runbooks/index.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type Prompter } from '../engine/context.js';
import { runSession } from '../engine/session.js';
import { DeployError, EXIT } from '../errors.js';
import { recordedInventory, stateDirFor, runPaths } from '../durability/run-dir.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { INVENTORY_FORMAT } from '../inventory/normalize-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { createRunLogger, type RunLogger } from '../log/logger.js';
import type { LiveStage } from '../log/live-view.js';
import { stageContext } from '../plan/build-plan.js';
import { renderConsoleSummary } from '../report/render-report.js';
import { writeRunReport } from '../report/write-report.js';
import { renderPlanText } from '../plan/render-text.js';
import type { Runbook } from '../plan/types.js';
import {
  labEstate,
  makeDeps,
  makeTransportPool,
  readPasswords,
  readSecrets,
  realEstate,
  type Estate,
} from './compose.js';
import { labEngineFlag } from './lab-engine.js';
import { checkSavedPlan, livePlan, offlinePlan } from './plan-command.js';

export interface RunFlags {
  inventory: string;
  dryRun?: boolean;
  offline?: boolean;
  format?: string;
  resume?: string | boolean;
  confirm?: string[];
  yes?: boolean;
  acceptNewHostKeys?: boolean;
  abandon?: boolean;
  cleanup?: boolean;
  savePlan?: string;
  plan?: string;
  stateDir?: string;
  lab?: boolean;
  /** `--lab-engine`: model (default) or pwsh. */
  labEngine?: string;
  faults?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  stepTimeout?: string;
  retries?: string;
  retryDelay?: string;
  /** False with `--no-batch`. */
  batch?: boolean;
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new DeployError('badInput', `${flag} expects a whole number, got "${value}"`, { code: 'USAGE' });
  return n;
}

function engineOptions(flags: RunFlags, interactive: boolean): EngineOptions {
  return {
    ...DEFAULT_ENGINE_OPTIONS,
    interactive,
    yes: flags.yes === true,
    confirm: flags.confirm ?? [],
    lab: flags.lab === true,
    operator: `${userInfo().username}@${process.env.HOSTNAME ?? 'localhost'}`,
    stepTimeoutMs:
      positiveInt(flags.stepTimeout, '--step-timeout', DEFAULT_ENGINE_OPTIONS.stepTimeoutMs / 1000) * 1000,
    probeTimeoutMs: Math.min(
      DEFAULT_ENGINE_OPTIONS.probeTimeoutMs,
      positiveInt(flags.stepTimeout, '--step-timeout', 120) * 1000,
    ),
    retries: positiveInt(flags.retries, '--retries', DEFAULT_ENGINE_OPTIONS.retries),
    retryMinMs: positiveInt(flags.retryDelay, '--retry-delay', DEFAULT_ENGINE_OPTIONS.retryMinMs),
    retryMaxMs: Math.max(
      positiveInt(flags.retryDelay, '--retry-delay', DEFAULT_ENGINE_OPTIONS.retryMinMs),
      DEFAULT_ENGINE_OPTIONS.retryMaxMs,
    ),
    batch: flags.batch !== false,
  };
}

/** Stage ids and titles for the live view (titles need a context; any facts give the same titles). */
function stageList(runbook: Runbook, inventory: Inventory): LiveStage[] {
  const context = stageContext(runbook, inventory, Object.fromEntries(runbook.facts.map((f) => [f, true])));
  return runbook.stageIds.map((id) => {
    try {
      return { id, title: runbook.buildStage(id, context).title };
    } catch {
      return { id, title: id };
    }
  });
}

/** The live frame must not redraw over a question the operator is answering. */
function pausing(prompter: Prompter, logger: RunLogger): Prompter {
  return {
    ask: async (question) => {
      logger.suspend();
      try {
        return await prompter.ask(question);
      } finally {
        logger.resume();
      }
    },
  };
}

function terminalPrompter(): Prompter {
  return {
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return (await rl.question(question)).trim();
      } finally {
        rl.close();
      }
    },
  };
}

export async function runCommand(flags: RunFlags, signal: AbortSignal): Promise<number> {
  // Carrying on a run (or abandoning it): the inventory it recorded, if the file is unchanged,
  // saves parsing it.
  const carryOn = flags.abandon === true || (flags.resume !== undefined && flags.resume !== false);
  const recorded = carryOn
    ? recordedInventory(
        stateDirFor(flags.inventory, flags.stateDir),
        flags.inventory,
        INVENTORY_FORMAT,
        typeof flags.resume === 'string' ? flags.resume : undefined,
      )
    : undefined;
  const inventory = await loadInventory(flags.inventory, recorded ? { recorded } : {});
  const runbook = runbookFor(inventory);
  const format = flags.format ?? 'text';
  if (!['text', 'json', 'mermaid'].includes(format))
    throw new DeployError('badInput', `--format must be text, json or mermaid, got "${format}"`, {
      code: 'USAGE',
    });
  if (flags.offline && !flags.dryRun)
    throw new DeployError('badInput', '--offline only makes sense with --dry-run', {
      code: 'USAGE',
      hint: 'add --dry-run',
    });
  if (flags.savePlan && !flags.dryRun)
    throw new DeployError('badInput', '--save-plan only makes sense with --dry-run', { code: 'USAGE' });

  const print = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  if (flags.dryRun && flags.offline) {
    const plan = await offlinePlan(runbook, inventory);
    print(format === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
    if (flags.savePlan)
      await writeFile(flags.savePlan, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
    return EXIT.done;
  }

  const stateDir = stateDirFor(inventory.file, flags.stateDir);
  const labEngine = labEngineFlag(flags);
  const estate: Estate = flags.lab
    ? await labEstate(inventory, stateDir, flags.faults, labEngine)
    : realEstate(inventory, stateDir, flags.acceptNewHostKeys === true);
  const secrets = readSecrets(inventory, runbook);
  const passwords = readPasswords(inventory);
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI;
  const live = !flags.json && !flags.dryRun && process.stderr.isTTY === true;
  const logger = createRunLogger({
    console: flags.json ? 'json' : format === 'json' && flags.dryRun ? 'quiet' : live ? 'live' : 'lines',
    ...(live ? { stages: stageList(runbook, inventory) } : {}),
    color: flags.color !== false && !process.env.NO_COLOR && process.stderr.isTTY === true,
    secrets: [...Object.values(passwords), ...secrets],
    verbose: flags.verbose === true,
  });
  const pool = makeTransportPool(inventory, estate, passwords, logger.emit);
  const options = engineOptions(flags, interactive);
  const build = (runId: string, journal: Parameters<typeof makeDeps>[0]['journal']) =>
    makeDeps({
      runbook,
      inventory,
      runId,
      pool,
      journal,
      emit: logger.emit,
      options,
      ...(interactive ? { prompt: pausing(terminalPrompter(), logger) } : {}),
    });
  try {
    if (flags.dryRun) {
      const plan = await livePlan(build('dry-run', NO_JOURNAL));
      print(format === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
      if (flags.savePlan)
        await writeFile(flags.savePlan, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
      return EXIT.done;
    }
    if (flags.plan) await checkSavedPlan(flags.plan, await livePlan(build('plan-check', NO_JOURNAL)));
    const mode = flags.abandon
      ? {
          kind: 'abandon' as const,
          ...(typeof flags.resume === 'string' ? { runId: flags.resume } : {}),
          cleanup: flags.cleanup !== false,
        }
      : flags.resume
        ? { kind: 'resume' as const, ...(typeof flags.resume === 'string' ? { runId: flags.resume } : {}) }
        : { kind: 'fresh' as const };
    const result = await runSession(
      { inventoryFile: inventory.file, inventory, runbook: runbook.id, runbookVersion: runbook.version },
      {
        stateDir,
        mode,
        signal,
        makeDeps: (runId, runDir, journal) => {
          logger.attachAudit(runPaths(runDir).audit);
          logger.emit({ type: 'run.start', runId, runbook: runbook.id, resumed: mode.kind !== 'fresh' });
          return build(runId, journal);
        },
      },
    );
    logger.emit({
      type: 'run.end',
      status:
        result.exitCode === 0
          ? 'done'
          : result.exitCode === EXIT.waitingForOperator
            ? 'waiting for operator'
            : 'stopped',
      exitCode: result.exitCode,
    });
    // Closing flushes audit.jsonl, so the final report sees every command's exit code.
    await logger.close();
    const written = await writeRunReport(result.runDir, { runId: result.runId, runbook, inventory }).catch(
      (error: unknown) => error as Error,
    );
    if (flags.json) {
      // --json keeps stderr pure JSON lines, the outcome included.
      const report =
        written instanceof Error ? { reportError: written.message } : { report: written.markdownPath };
      process.stderr.write(
        JSON.stringify({
          at: new Date().toISOString(),
          type: 'result',
          exitCode: result.exitCode,
          message: result.message,
          ...(result.hint ? { hint: result.hint } : {}),
          runDir: result.runDir,
          ...report,
        }) + '\n',
      );
      return result.exitCode;
    }
    const summary =
      written instanceof Error
        ? `could not write the run report: ${written.message}\n`
        : renderConsoleSummary(written.report, written.markdownPath);
    process.stderr.write(
      `${summary}${result.message}\n${result.hint ? `next: ${result.hint}\n` : ''}run directory: ${result.runDir}\n`,
    );
    return result.exitCode;
  } finally {
    await pool.closeAll();
    await estate.close();
    await logger.close();
  }
}
