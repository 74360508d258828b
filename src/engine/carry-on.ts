/**
 * Carrying a run on: the exact command an operator pastes to resume it (the flags it was started
 * with, shell-quoted), and the refusal to resume a rehearsal against real hosts or the reverse.
 */
import { DeployError } from '../errors.js';
import type { EngineOptions } from './context.js';

/** A word as a POSIX shell reads it back unchanged: bare if safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `deploy-rollup … --resume RUN_ID EXTRA…`: the CLI's own flags (`options.resumePrefix`:
 * `--lab`, `--state-dir`, `--faults`, the inventory as given) or, without them, the inventory.
 */
export function resumeCommand(
  options: Pick<EngineOptions, 'resumePrefix'>,
  inventoryFile: string,
  runId: string,
  ...extra: string[]
): string {
  const prefix = options.resumePrefix ?? `deploy-rollup --inventory ${shellQuote(inventoryFile)}`;
  return [prefix, '--resume', runId, ...extra.map(shellQuote)].join(' ');
}

/**
 * Refuses to carry on a run whose rehearsal flag differs from this invocation's: a `--lab` run
 * resumed without `--lab` would reach the inventory's real addresses. Runs recorded before the
 * flag existed (`recorded` undefined) are not judged.
 */
export function refuseMixedRehearsal(runId: string, recorded: boolean | undefined, lab: boolean): void {
  if (recorded === undefined || recorded === lab) return;
  throw new DeployError(
    'badInput',
    recorded
      ? `run ${runId} is a rehearsal on the simulated estate (--lab); this command would carry it on against real hosts`
      : `run ${runId} ran against real hosts; this command would carry it on in the simulated estate (--lab)`,
    {
      code: 'REHEARSAL_MISMATCH',
      hint: recorded
        ? 'add --lab (and the --state-dir and --faults it was started with)'
        : 'drop --lab (and --lab-engine, --faults)',
    },
  );
}
