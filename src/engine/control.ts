/**
 * Stopping at a resumable point. A halt (a permanent failure, a gate waiting for its operator,
 * Ctrl-C) lets work already in flight finish, starts nothing new, and resolves `quiesced`
 * once every stage has parked. The statechart never sees the halt: its snapshot still has the
 * stage in flight, so resume re-enters it exactly as after a crash.
 */
import { setMaxListeners } from 'node:events';

export interface HaltReason {
  reason: string;
  exitCode: number;
  hint?: string;
}

export class RunControl {
  halted: HaltReason | undefined;
  private active = 0;
  private resolveQuiesced!: (reason: HaltReason) => void;
  readonly quiesced: Promise<HaltReason>;
  private readonly abort = new AbortController();
  /** Stages held by `--limit`/`--exclude` (see limit.ts), and the halt once nothing else runs. */
  private readonly held = new Set<string>();
  private whenIdle: (() => HaltReason) | undefined;

  constructor() {
    // Every command in flight listens for the halt: checks that span hosts and parallel lanes
    // have dozens at once, which is expected, not a leak.
    setMaxListeners(1000, this.abort.signal);
    this.quiesced = new Promise((resolve) => (this.resolveQuiesced = resolve));
  }

  /** Aborted on halt: long waits (prompts, backoff) give up. In-flight commands are not killed. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  halt(reason: HaltReason): void {
    if (this.halted) return;
    this.halted = reason;
    this.abort.abort(new Error(reason.reason));
    this.check();
  }

  /**
   * Holds a stage (it parks instead of completing, so the statechart never passes it) and stops
   * the run at a resumable point once every other stage has finished or is held too.
   */
  hold(stageId: string, haltWhenIdle: () => HaltReason): void {
    this.held.add(stageId);
    this.whenIdle = haltWhenIdle;
  }

  isHeld(stageId: string): boolean {
    return this.held.has(stageId);
  }

  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
    this.check();
  }

  private check(): void {
    if (this.halted && this.active === 0) this.resolveQuiesced(this.halted);
    // A finished stage's successor starts a moment after it leaves: look again once that settled.
    if (!this.halted && this.whenIdle && this.active === 0)
      setImmediate(() => {
        if (!this.halted && this.whenIdle && this.active === 0) this.halt(this.whenIdle());
      });
  }
}

/** A promise that never settles: a halted stage parks on it. */
export function parked(): Promise<never> {
  return new Promise<never>(() => undefined);
}
