/**
 * The fence: what a run checks before each side effect, so that nothing new starts once it must
 * not. Two points, in every path a step may take (one command, `run`, `applyVerify`, a batch,
 * a gate's simulated operator, an upload, `--abandon`'s remedies):
 *
 * - before an intent is journalled (`beforeIntent`, synchronous, so nothing can slip in between
 *   the check and the append that follows it in the same turn of the event loop);
 * - before a command that may apply is sent (`beforeApply`), after its intent is on disk.
 *
 * Each point refuses once the run is halting (the first Ctrl-C/SIGTERM, a failure), once this
 * process no longer holds its run lock or its journal's lock (a file removed or replaced), and,
 * before an apply, unless the estate lease is still ours (see `lease.ts`). Commands already sent
 * finish and are journalled; a refused one is journalled `notRun` (never sent), so the journal
 * stays resumable and says exactly what ran.
 */
import { DeployError, EXIT, isDeployError } from '../errors.js';
import type { RunControl } from './control.js';

export interface Fence {
  /** Throws (a {@link isFenceError}) when no new intent may be journalled. */
  beforeIntent(): void;
  /** Resolves when a command that may apply can be sent to `host`; rejects otherwise. */
  beforeApply(host: string): Promise<void>;
}

/** The codes a fence refuses with: the command was never sent. */
export const FENCE_CODES: ReadonlySet<string> = new Set([
  'HALTED',
  'LOCK_LOST',
  'LEASE_LOST',
  'LEASE_UNCHECKED',
]);

export function isFenceError(error: unknown): error is DeployError {
  return isDeployError(error) && FENCE_CODES.has(error.code);
}

function haltedError(reason: string): DeployError {
  return new DeployError('state', `not started: the run is stopping (${reason})`, { code: 'HALTED' });
}

export interface FenceParts {
  control: RunControl;
  /** The operator's Ctrl-C/SIGTERM: may fire before the control listens (during preflight). */
  signal?: AbortSignal;
  /** Synchronous checks that this process still holds what it locked (each throws when not). */
  holds: (() => void)[];
  /** The estate lease's check before an apply (a round trip to the lease host, shared). */
  lease?: (host: string) => Promise<void>;
}

/**
 * The run's fence. A lost lock or lease halts the run with its own message (exit 4; a lease
 * that could not be checked: exit 1) before the
 * refusal, so the operator reads why it stopped, not that a step was not started.
 */
export function createFence(parts: FenceParts): Fence {
  const { control, signal } = parts;
  const stopFor = (error: unknown): never => {
    if (isDeployError(error) && !control.halted) {
      control.halt({
        reason: error.message,
        exitCode: error.code === 'HALTED' ? EXIT.failed : error.exitCode,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw error;
  };
  const check = (): void => {
    if (signal?.aborted && !control.halted)
      control.halt({ reason: 'interrupted by the operator', exitCode: EXIT.failed });
    if (control.halted) throw haltedError(control.halted.reason);
    try {
      for (const holds of parts.holds) holds();
    } catch (error) {
      stopFor(error);
    }
  };
  return {
    beforeIntent: check,
    async beforeApply(host) {
      check();
      if (parts.lease) await parts.lease(host).catch(stopFor);
      // The lease's round trip took time: a halt that came meanwhile still stops this command.
      check();
    },
  };
}
