/**
 * A counting semaphore for SSH channels. OpenSSH's `MaxSessions` (10 by default) refuses the
 * 11th concurrent channel on one connection with "Channel open failure", so commands beyond the
 * cap wait here instead of failing on the host.
 */

export interface Semaphore {
  /**
   * Waits for a slot; resolves with its release function (idempotent). Rejects with the
   * signal's reason when aborted while still waiting.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly active: number;
  readonly waiting: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1)
    throw new TypeError(`Expected a channel limit of at least 1, got ${limit}`);
  let active = 0;
  const queue: (() => void)[] = [];

  const makeRelease = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next();
      else active--;
    };
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (active < limit) {
        active++;
        return Promise.resolve(makeRelease());
      }
      return new Promise((resolve, reject) => {
        // A waiter handed a slot takes over the releasing holder's count: `active` is unchanged.
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(makeRelease());
        };
        const onAbort = (): void => {
          const index = queue.indexOf(grant);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(grant);
      });
    },
  };
}
