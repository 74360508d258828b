/**
 * Retries around transient failures: the only module that imports p-retry. Only a
 * {@link DeployError} that says `retryable: true` (connection refused or reset, SSH drop,
 * msiexec 1618, ...) is tried again; anything else — an auth failure, a changed host key, a bug —
 * stops at once, because repeating it cannot help and may hurt (lockouts, duplicate effects).
 */

import pRetry from 'p-retry';
import { isDeployError } from '../errors.js';

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  error: unknown;
  retriesLeft: number;
}

export interface RetryOptions {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Delay before the first retry; it doubles (with jitter) on each retry... */
  minTimeoutMs: number;
  /** ...up to this cap. */
  maxTimeoutMs: number;
  /** Stops waiting and retrying; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each retry (not after the last failure), e.g. to journal or log it. */
  onRetry?: (info: RetryInfo) => void;
}

/** Whether an error says a retry could help. */
export function isRetryable(error: unknown): boolean {
  return isDeployError(error) && error.retryable;
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or the retries are spent; rejects
 * with the last error.
 *
 * @example
 * const result = await withRetry((attempt) => transport.run(script, opts), { retries: 3, minTimeoutMs: 1000, maxTimeoutMs: 30000 });
 */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  return pRetry(fn, {
    retries: options.retries,
    minTimeout: options.minTimeoutMs,
    maxTimeout: options.maxTimeoutMs,
    factor: 2,
    // Jitter keeps hosts that failed together (a switch blip) from reconnecting in lockstep.
    randomize: true,
    signal: options.signal,
    shouldRetry: ({ error, attemptNumber, retriesLeft }) => {
      if (!isRetryable(error)) return false;
      options.onRetry?.({ attempt: attemptNumber, error, retriesLeft });
      return true;
    },
  });
}
