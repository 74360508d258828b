/**
 * `verify`: read-only. Exit 0 only when every end-state step of the runbook (engines enabled
 * and running, components and MSIs at the rollup's version, agents registered and enabled,
 * config values and tasks in place) probes as done on every host; otherwise list what is
 * missing per host.
 */
import { existsSync } from 'node:fs';
import { NO_JOURNAL } from '../engine/journal-port.js';
import { EXIT, isDeployError } from '../errors.js';
import { DEFAULT_ENGINE_OPTIONS } from '../engine/context.js';
import { probeStep } from '../engine/execute-step.js';
import { Ledger } from '../engine/ledger.js';
import { checkPackage } from '../engine/package-check.js';
import { preflight } from '../engine/preflight.js';
import { stateDirFor } from '../durability/run-dir.js';
import { loadInventory } from './inventory.js';
import { createRunLogger } from '../log/logger.js';
import { planStages } from '../plan/build-plan.js';
import { labEstate, makeDeps, makeTransportPool, readPasswords, readSecrets, realEstate } from './compose.js';
import { labEngineFlag } from './lab-engine.js';
import { runbookFor } from '../../runbooks/index.js';
import { END_STATE_ACTIONS, NOTE_ACTIONS } from '../actions/catalog.js';

/** Actions whose "done" is part of the finished estate, and read-only ones noted first (from the action modules). */
const END_STATE = END_STATE_ACTIONS;
const NOTES = NOTE_ACTIONS;

export async function verifyCommand(flags: {
  inventory: string;
  stateDir?: string;
  lab?: boolean;
  /** `--lab-engine`: model (default) or pwsh. */
  labEngine?: string;
  acceptNewHostKeys?: boolean;
}): Promise<number> {
  const inventory = await loadInventory(flags.inventory);
  const runbook = runbookFor(inventory);
  const stateDir = stateDirFor(inventory.file, flags.stateDir);
  const labEngine = labEngineFlag(flags);
  const estate = flags.lab
    ? await labEstate(inventory, stateDir, undefined, labEngine)
    : realEstate(inventory, stateDir, flags.acceptNewHostKeys === true);
  const passwords = readPasswords(inventory);
  const secrets = readSecrets(inventory, runbook);
  const logger = createRunLogger({
    console: 'quiet',
    color: false,
    secrets: [...Object.values(passwords), ...secrets],
  });
  const pool = makeTransportPool(inventory, estate, passwords, logger.emit);
  const journal = NO_JOURNAL;
  const deps = makeDeps({
    runbook,
    inventory,
    runId: 'verify',
    pool,
    journal,
    emit: logger.emit,
    options: { ...DEFAULT_ENGINE_OPTIONS, retries: 1 },
  });
  try {
    // What the package says each MSI installs is what "applied" means: read it first.
    const pkg = existsSync(inventory.packageDir)
      ? await checkPackage(inventory.packageDir, runbook.packageFiles)
      : { hashes: {}, contents: {} };
    deps.packageHashes = pkg.hashes;
    deps.package = pkg.contents;
    const checked = await preflight(deps, { checkPackage: false });
    const ledger = new Ledger(journal);
    const missing = new Map<string, string[]>();
    let checkedCount = 0;
    for (const stage of await planStages(runbook, inventory, checked.facts, pkg.contents)) {
      for (const step of stage.lanes.flatMap((l) => l.steps)) {
        if (NOTES.has(step.action)) {
          const noted = await probeStep(deps, ledger, step);
          await ledger.record({
            type: 'step.probe',
            stepId: step.id,
            host: step.host,
            done: noted.done,
            evidence: noted.evidence,
          });
          continue;
        }
        if (!END_STATE.has(step.action)) continue;
        try {
          const probe = await probeStep(deps, ledger, step);
          checkedCount++;
          if (probe.done) continue;
          for (const host of step.verifyOn ?? [step.host]) {
            if (step.verifyOn && probe.evidence[`${host}.state`] === 'done') continue;
            missing.set(host, [...(missing.get(host) ?? []), `${step.action} ${step.target}`.trim()]);
          }
        } catch (error) {
          if (
            isDeployError(error) &&
            (error.code === 'PACKAGE_HASH_MISSING' ||
              error.code === 'PACKAGE_IDENTITY_MISSING' ||
              error.code === 'CAPTURE_MISSING')
          )
            continue;
          throw error;
        }
      }
    }
    const facts = Object.entries(checked.facts)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    if (missing.size === 0) {
      process.stdout.write(
        `verified: the runbook is fully applied (${checkedCount} checks on ${inventory.hosts.length} hosts; ${facts})\n`,
      );
      return EXIT.done;
    }
    process.stdout.write(`NOT fully applied (${facts}):\n`);
    for (const [host, items] of missing)
      process.stdout.write(`  ${host}:\n${items.map((i) => `    - ${i}\n`).join('')}`);
    return EXIT.failed;
  } finally {
    await pool.closeAll();
    await estate.close();
  }
}
