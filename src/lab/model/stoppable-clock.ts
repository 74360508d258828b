/**
 * The wall clock for an in-process lab (`--lab`): when the run stops, {@link StoppableClock.stop}
 * cancels every wait (a `slow` host's command) so no timer keeps the process alive after
 * "run stopped". A cancelled wait never resolves: the command it belonged to is abandoned with
 * its connection, as on a host that was switched off.
 */
import type { LabClock } from './clock.js';

export class StoppableClock implements LabClock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    if (this.stopped) return new Promise<void>(() => undefined);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Cancels every wait, now and later. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Waits not yet over (for tests). */
  get pending(): number {
    return this.timers.size;
  }
}
