/**
 * The root command: run, resume, abandon or dry-run an inventory's runbook.
 */
import { writeFile } from 'node:fs/promises';
import { NO_JOURNAL } from '../engine/journal-port.js';
import { userInfo } from 'node:os';
import { runbookFor } from '../../runbooks/index.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from '../engine/context.js';
import { runSession } from '../engine/session.js';
import { DeployError, EXIT } from '../errors.js';
import { recordedInventory, stateDirFor, runPaths } from '../durability/run-dir.js';
import { loadInventory } from './inventory.js';
import { INVENTORY_FORMAT } from '../inventory/normalize-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { createRunLogger, type RunLogger } from '../log/logger.js';
import { renderConsoleSummary } from '../report/render-report.js';
import { renderControlsConsole } from '../report/controls-report.js';
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
import { InFlightSteps, type Interrupts } from './interrupt.js';
import { validateRunFlags, wholeNumber, type RunFlags } from './run-flags.js';
import { checkConfirmedGates, pausing, stageList, terminalPrompter } from './run-support.js';
import { resumeCommand, shellQuote } from '../engine/carry-on.js';
import type { EventSink } from '../log/events.js';
import { stagesDoneEarlier } from '../log/stages-done.js';
import { checkSavedPlan, livePlan, offlinePlan } from './plan-command.js';
import { controlsEntry, readControls, withRollout } from './controls.js';
import { markExcluded } from '../plan/limit-plan.js';
import type { PlanDocument } from '../plan/types.js';
import { redactText, shortSecretWarnings } from '../log/secrets.js';

export type { RunFlags } from './run-flags.js';

/** A validated whole-number flag, or its default. */
function numberFlag(value: string | undefined, min: number, fallback: number): number {
  return wholeNumber(value, min) ?? fallback;
}

/** The flags a pasted `next:` command needs to reach the same run the same way, shell-quoted. */
function resumePrefix(flags: RunFlags): string {
  const words = ['deploy-rollup', '--inventory', flags.inventory];
  if (flags.lab) words.push('--lab');
  if (flags.labEngine !== undefined) words.push('--lab-engine', flags.labEngine);
  if (flags.stateDir !== undefined) words.push('--state-dir', flags.stateDir);
  if (flags.faults !== undefined) words.push('--faults', flags.faults);
  return words.map(shellQuote).join(' ');
}

function engineOptions(flags: RunFlags, interactive: boolean): EngineOptions {
  return {
    ...DEFAULT_ENGINE_OPTIONS,
    interactive,
    yes: flags.yes === true,
    confirm: flags.confirm ?? [],
    lab: flags.lab === true,
    operator: `${userInfo().username}@${process.env.HOSTNAME ?? 'localhost'}`,
    stepTimeoutMs: numberFlag(flags.stepTimeout, 1, DEFAULT_ENGINE_OPTIONS.stepTimeoutMs / 1000) * 1000,
    probeTimeoutMs: Math.min(
      DEFAULT_ENGINE_OPTIONS.probeTimeoutMs,
      numberFlag(flags.stepTimeout, 1, 120) * 1000,
    ),
    retries: numberFlag(flags.retries, 0, DEFAULT_ENGINE_OPTIONS.retries),
    retryMinMs: numberFlag(flags.retryDelay, 0, DEFAULT_ENGINE_OPTIONS.retryMinMs),
    retryMaxMs: Math.max(
      numberFlag(flags.retryDelay, 0, DEFAULT_ENGINE_OPTIONS.retryMinMs),
      DEFAULT_ENGINE_OPTIONS.retryMaxMs,
    ),
    batch: flags.batch !== false,
    resumePrefix: resumePrefix(flags),
  };
}

export async function runCommand(
  flags: RunFlags,
  signal: AbortSignal,
  interrupts?: Interrupts,
): Promise<number> {
  // Every flag is checked before anything is read, served or connected.
  validateRunFlags(flags);
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
  checkConfirmedGates(flags.confirm ?? [], runbook, inventory);
  // Operator controls: checked now, before anything starts (exit 2 on a bad value).
  const controls = readControls(flags, inventory);
  const runInventory = withRollout(inventory, controls);
  const print = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  /** A dry run's end, offline or live: the plan printed (and saved with --save-plan). */
  const showPlan = async (built: PlanDocument): Promise<number> => {
    const plan = markExcluded(built, controls.selection);
    print(format === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
    if (flags.savePlan)
      await writeFile(flags.savePlan, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
    return EXIT.done;
  };
  if (flags.dryRun && flags.offline) return showPlan(await offlinePlan(runbook, runInventory));

  const stateDir = stateDirFor(inventory.file, flags.stateDir);
  const labEngine = labEngineFlag(flags);
  const estate: Estate = flags.lab
    ? await labEstate(inventory, stateDir, flags.faults, labEngine)
    : realEstate(inventory, stateDir, flags.acceptNewHostKeys === true);
  // From here on the estate (the lab's servers and timers) ends with the command, however it ends.
  let logger: RunLogger | undefined;
  let pool: ReturnType<typeof makeTransportPool> | undefined;
  try {
    const secrets = readSecrets(inventory, runbook);
    const passwords = readPasswords(inventory);
    const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI;
    const live = !flags.json && !flags.dryRun && process.stderr.isTTY === true;
    const runLogger = createRunLogger({
      console: flags.json ? 'json' : format === 'json' && flags.dryRun ? 'quiet' : live ? 'live' : 'lines',
      ...(live ? { stages: stageList(runbook, inventory) } : {}),
      color: flags.color !== false && !process.env.NO_COLOR && process.stderr.isTTY === true,
      secrets: [...Object.values(passwords), ...secrets],
      verbose: flags.verbose === true,
    });
    logger = runLogger;
    for (const message of shortSecretWarnings()) runLogger.emit({ type: 'note', message });
    if (estate.note) runLogger.emit({ type: 'note', message: estate.note });
    const inFlight = new InFlightSteps();
    const emit = inFlight.watch(runLogger.emit);
    const transports = makeTransportPool(inventory, estate, passwords, emit);
    pool = transports;
    const options = {
      ...engineOptions(flags, interactive),
      ...(controls.selection ? { selection: controls.selection } : {}),
      pauseAfterFirst: flags.pauseAfterFirstHub === true || inventory.rollout.pauseAfterFirstHub === true,
    };
    interrupts?.attach({
      waitingFor: () => inFlight.describe(options.stepTimeoutMs),
      resume: () =>
        inFlight.runId === undefined ? undefined : resumeCommand(options, inventory.file, inFlight.runId),
      say: (message) => emit({ type: 'note', message }),
    });
    const build = (runId: string, journal: Parameters<typeof makeDeps>[0]['journal']) =>
      makeDeps({
        runbook,
        inventory: runInventory,
        runId,
        pool: transports,
        journal,
        emit,
        options,
        ...(interactive ? { prompt: pausing(terminalPrompter(signal), runLogger) } : {}),
      });
    return await runAndReport({
      ...{ flags, runbook, inventory, stateDir, signal, build, emit, estate },
      logger: runLogger,
      journalled: controlsEntry(controls, options.operator),
      showPlan,
    });
  } finally {
    interrupts?.attach(undefined);
    await pool?.closeAll();
    await estate.close();
    await logger?.close();
  }
}

async function runAndReport(input: {
  flags: RunFlags;
  runbook: Runbook;
  inventory: Inventory;
  stateDir: string;
  signal: AbortSignal;
  build: (runId: string, journal: Parameters<typeof makeDeps>[0]['journal']) => ReturnType<typeof makeDeps>;
  logger: RunLogger;
  emit: EventSink;
  estate: Estate;
  journalled: ReturnType<typeof controlsEntry>;
  showPlan: (plan: PlanDocument) => Promise<number>;
}): Promise<number> {
  const { flags, runbook, inventory, stateDir, signal, build, logger, emit, estate } = input;
  const { journalled, showPlan } = input;
  if (flags.dryRun) return showPlan(await livePlan(build('dry-run', NO_JOURNAL)));
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
    {
      inventoryFile: inventory.file,
      inventory,
      runbook: runbook.id,
      runbookVersion: runbook.version,
      lab: flags.lab === true,
    },
    {
      stateDir,
      mode,
      signal,
      takeOverLease: flags.takeOverLease === true,
      ...(journalled ? { controls: journalled } : {}),
      makeDeps: (runId, runDir, journal) => {
        logger.attachAudit(runPaths(runDir).audit);
        if (mode.kind !== 'fresh') logger.doneEarlier(stagesDoneEarlier(journal.readAll()));
        emit({
          type: 'run.start',
          runId,
          runbook: runbook.id,
          resumed: mode.kind !== 'fresh',
          mode: mode.kind,
        });
        return { ...build(runId, journal), runDir, redact: redactText };
      },
    },
  );
  // Once the run is over (a stop can still reach the fault later): a drill that never fired
  // tested nothing, so it is said.
  const unfired = result.exitCode === EXIT.done ? (estate.unfiredFaults?.() ?? []) : [];
  if (unfired.length > 0)
    emit({
      type: 'note',
      message: `${unfired.length} fault(s) of ${flags.faults ?? 'the fault file'} never fired in this run:\n${unfired.map((f) => `  - ${f}`).join('\n')}`,
    });
  emit({
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
      : renderConsoleSummary(written.report, written.markdownPath) +
        renderControlsConsole(written.report)
          .map((line) => `${line}\n`)
          .join('');
  process.stderr.write(
    `${summary}${result.message}\n${result.hint ? `next: ${result.hint}\n` : ''}run directory: ${result.runDir}\n`,
  );
  return result.exitCode;
}
