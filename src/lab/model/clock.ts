/**
 * Time for the simulated estate, injected so tests control it (no real waiting, no timing
 * assertions) and `lab up` can scale nominal durations.
 */
export interface LabClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/**
 * Wall-clock time. A wait that is already over resolves at once: a timer would still take its
 * ~1 ms, which a phase whose deadline has passed (or that takes no time) would add for nothing.
 */
export const systemClock: LabClock = {
  now: () => Date.now(),
  sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))),
};

/**
 * A clock that only moves when told to: `sleep` waits until `advance` passes its deadline.
 * For tests that need overlapping commands without real waiting.
 */
export class ManualClock implements LabClock {
  private current: number;
  private readonly waiting: { at: number; resolve: () => void }[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ at: this.current + ms, resolve }));
  }

  /** Moves time forward and wakes every sleeper whose deadline has passed. */
  advance(ms: number): void {
    this.current += ms;
    for (const sleeper of this.waiting.filter((w) => w.at <= this.current)) {
      this.waiting.splice(this.waiting.indexOf(sleeper), 1);
      sleeper.resolve();
    }
  }

  /** How many commands are currently waiting on this clock. */
  get pending(): number {
    return this.waiting.length;
  }
}
