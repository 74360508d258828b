import { describe, expect, test } from '@jest/globals';
import { DeployError } from '../../src/errors.js';
import { withRetry, type RetryInfo } from '../../src/transport/retry.js';

const FAST = { minTimeoutMs: 1, maxTimeoutMs: 4 };
const transient = (): DeployError =>
  new DeployError('remote', 'connection reset', { code: 'SSH_CONNECT', retryable: true });
const permanent = (): DeployError =>
  new DeployError('remote', 'bad password', { code: 'SSH_AUTH', retryable: false });

describe('withRetry', () => {
  test('a retryable error is retried until success, and attempts are numbered from 1', async () => {
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw transient();
        return 'done';
      },
      { retries: 5, ...FAST },
    );
    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
  });

  test('retries stop at the cap and the last error is thrown', async () => {
    const retries: RetryInfo[] = [];
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { retries: 3, ...FAST, onRetry: (info) => retries.push(info) },
    );
    await expect(failing).rejects.toMatchObject({ code: 'SSH_CONNECT' });
    expect(calls).toBe(4);
    expect(retries.map((info) => [info.attempt, info.retriesLeft])).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
    ]);
  });

  test('a non-retryable DeployError stops at once', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw permanent();
        },
        { retries: 5, ...FAST },
      ),
    ).rejects.toMatchObject({ code: 'SSH_AUTH' });
    expect(calls).toBe(1);
  });

  test('an error that is not a DeployError is never retried', async () => {
    let calls = 0;
    const error = Object.assign(new Error('bug'), { retryable: true });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw error;
        },
        { retries: 5, ...FAST },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  test('an aborted signal stops retrying', async () => {
    const controller = new AbortController();
    let calls = 0;
    const running = withRetry(
      async () => {
        calls++;
        controller.abort(new Error('operator pressed Ctrl-C'));
        throw transient();
      },
      { retries: 5, minTimeoutMs: 50, maxTimeoutMs: 50, signal: controller.signal },
    );
    await expect(running).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
