/**
 * One command (or one file upload) on an established SSH connection: deadlines, cancellation,
 * bounded output and drop detection. The connection is described structurally (what node-ssh's
 * `NodeSSH` offers) so this module does not import the SDK; `ssh.ts` is its only user.
 */

import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { Delivery } from '../remote/deliver.js';
import { unlessAborted } from '../abortable.js';
import type { TransportLog } from './events.js';
import { makeDirectories, parentOf } from './sftp-ops.js';
import type { SftpSession } from './sftp-session.js';
import { startDeadline } from './deadline.js';
import { createTailBuffer } from './tail-buffer.js';
import type { RawResult, RunOptions } from './types.js';

/** How long a closed channel may take to be confirmed before its slot is reused anyway. */
export const CHANNEL_CLOSE_GRACE_MS = 5000;

/** The part of an open node-ssh connection a command needs. */
export interface CommandSession {
  execCommand(
    command: string,
    options: {
      /** Written to the channel, which is then ended (EOF); without it the channel is ended at once. */
      stdin?: string;
      onChannel: (channel: ClientChannel) => void;
      onStdout: (chunk: Buffer) => void;
      onStderr: (chunk: Buffer) => void;
    },
  ): Promise<{ code: number | null; signal: string | null }>;
}

export interface CommandContext {
  session: CommandSession;
  hostName: string;
  /** Whether the connection has gone (read after the command ends, to tell a drop from a kill). */
  isClosed(): boolean;
  log: TransportLog;
  /** Keeps the channel slot taken until the promise settles. */
  holdSlot(until: Promise<unknown>): void;
}

type Stop = 'timeout' | 'abort';

const graceAfter = (stopped: Promise<void>): Promise<unknown> =>
  stopped.then(() => new Promise((resolve) => setTimeout(resolve, CHANNEL_CLOSE_GRACE_MS).unref()));

/**
 * Delivers and runs one script on one exec channel: its command line, then (stdin delivery) the
 * script on standard input and EOF. Resolves when it exits, when its deadline or the signal
 * stops it (the channel is closed so the host ends the process), or when the connection drops
 * under it. Rejects only when the command could not be started (channel refused, connection
 * already gone).
 */
export async function executeCommand(
  context: CommandContext,
  delivery: Delivery,
  runOptions: RunOptions,
): Promise<Omit<RawResult, 'durationMs'>> {
  const stdout = createTailBuffer();
  const stderr = createTailBuffer();
  let channel: ClientChannel | undefined;
  let stopped: Stop | undefined;
  let onStop = (): void => undefined;
  const whenStopped = new Promise<void>((resolve) => (onStop = resolve));
  const stop = (why: Stop): void => {
    if (stopped) return;
    stopped = why;
    channel?.close();
    onStop();
  };
  const deadline = startDeadline(runOptions, () => stop('timeout'));
  const onAbort = (): void => stop('abort');
  runOptions.signal?.addEventListener('abort', onAbort, { once: true });

  const work = (async () => {
    const { scriptName } = runOptions;
    const commandLength = delivery.command.length;
    context.log({ type: 'exec', host: context.hostName, scriptName, delivery: delivery.kind, commandLength });
    return context.session.execCommand(delivery.command, {
      ...(delivery.kind === 'stdin' ? { stdin: delivery.stdin } : {}),
      onChannel: (opened) => {
        channel = opened;
        if (stopped) opened.close();
      },
      onStdout: (chunk) => {
        deadline.watch(chunk);
        stdout.push(chunk);
      },
      onStderr: (chunk) => stderr.push(chunk),
    });
  })();
  // The slot stays taken until the server confirms the channel closed (bounded), even when a
  // timeout lets the caller go on earlier: OpenSSH still counts the channel until then.
  context.holdSlot(Promise.race([work.catch(() => undefined), graceAfter(whenStopped)]));
  try {
    const outcome = await Promise.race([work, whenStopped.then(() => 'stopped' as const)]);
    const truncatedBytes = stdout.droppedBytes + stderr.droppedBytes;
    const output = {
      stdout: stdout.text(),
      stderr: stderr.text(),
      ...(truncatedBytes > 0 ? { truncatedBytes } : {}),
    };
    if (outcome === 'stopped' || stopped) {
      work.catch(() => undefined);
      const timedOut = stopped === 'timeout';
      return { exitCode: undefined, ...output, timedOut, cancelled: !timedOut, dropped: false };
    }
    return {
      exitCode: outcome.code ?? undefined,
      ...output,
      timedOut: false,
      cancelled: false,
      // No exit status and the connection is gone: the command may or may not have finished.
      dropped: outcome.code === null && outcome.signal === null && context.isClosed(),
    };
  } finally {
    deadline.clear();
    runOptions.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Uploads a local file over the connection's SFTP session, creating the remote folders it does
 * not know. Resolves `'done'`, `'timeout'` or `'cancelled'` (the caller then ends the session:
 * the transfer may still be writing); rejects on SFTP errors. The deadline covers opening the
 * session too.
 */
export async function uploadFile(
  session: SftpSession,
  putFile: (localPath: string, remotePath: string, sftp: SFTPWrapper) => Promise<void>,
  localPath: string,
  sftpPath: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<'done' | 'timeout' | 'cancelled'> {
  const transfer = (async () => {
    const sftp = await session.sftp;
    const folder = parentOf(sftpPath);
    if (!session.folders.has(folder)) {
      await makeDirectories(sftp, folder);
      session.folders.add(folder);
    }
    await putFile(localPath, sftpPath, sftp);
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)),
  );
  try {
    const outcome = await Promise.race([
      transfer.then(() => 'done' as const),
      unlessAborted(deadline, options.signal).then((reached) => reached ?? ('cancelled' as const)),
    ]);
    if (outcome !== 'done') transfer.catch(() => undefined);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
