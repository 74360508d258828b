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
 * How long before a deadline the wall clock's timer fires; the rest is waited out on the event
 * loop. A timer that wakes an idle process is late by the wake-up itself (0.3-0.4 ms a command
 * on the bench's VM), which would otherwise lengthen every simulated command.
 */
export const EARLY_WAKE_MS = 1;

/** The longest delay setTimeout takes as given (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Wall-clock time. A wait that is already over resolves at once: a timer would still take its
 * ~1 ms, which a phase whose deadline has passed (or that takes no time) would add for nothing.
 * A real wait ends at its deadline, never before it (see {@link EARLY_WAKE_MS}).
 */
export const systemClock: LabClock = {
  now: () => Date.now(),
  sleep: (ms) => {
    if (ms <= 0) return Promise.resolve();
    const due = performance.now() + ms;
    return new Promise((resolve) => {
      const check = (): void => {
        const left = due - performance.now();
        if (left <= 0) resolve();
        else if (left <= EARLY_WAKE_MS) setImmediate(check);
        // A timer longer than setTimeout's limit (~24.8 days) is re-armed rather than clamped.
        else setTimeout(check, Math.min(left - EARLY_WAKE_MS, MAX_TIMER_MS));
      };
      check();
    });
  },
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
