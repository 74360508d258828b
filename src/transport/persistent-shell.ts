/**
 * The client side of the persistent PowerShell (`src/remote/persistent-shell.ts`): one exec
 * channel running powershell.exe that takes the host's scripts one at a time on its standard
 * input. A script costs one line out and its output back, instead of a channel open, an exec
 * request and a process start; every script is still journalled on its own by the engine.
 *
 * A shell serves one script at a time. When a script's deadline passes or its signal fires, the
 * channel is closed, which ends powershell.exe and the script with it (as for a per-step
 * command), and the shell is gone: the next script starts a new one.
 */

import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { encodeRequest, findEnd, persistentCommand } from '../remote/persistent-shell.js';
import { CHANNEL_CLOSE_GRACE_MS } from './ssh-command.js';
import { startDeadline } from './deadline.js';
import { createTailBuffer, type TailBuffer } from './tail-buffer.js';
import type { RawResult, RunOptions } from './types.js';

type Stream = 'stdout' | 'stderr';

/** The text kept back unsearched-for: enough for a whole end line to arrive in pieces. */
const END_LINE_ROOM = 64;

/** One stream of the script in flight: its kept output and the text not yet searched for the end. */
interface StreamRead {
  tail: TailBuffer;
  pending: string;
  ended: boolean;
  exitCode?: number;
}

interface InFlight {
  stdout: StreamRead;
  stderr: StreamRead;
  finish: (outcome: 'ended' | 'closed') => void;
  /** Sees the script's stdout as it arrives (its deadline may move with it). */
  watch: (text: string) => void;
}

export interface PersistentShell {
  /** False once the channel closed or a script was stopped: the shell takes no more scripts. */
  readonly alive: boolean;
  /** Runs one script (one at a time); never rejects. `durationMs` is the caller's to add. */
  run(script: string, options: RunOptions): Promise<Omit<RawResult, 'durationMs'>>;
  /** Ends the shell (EOF, then close); resolves when the channel closed, or after a grace period. */
  close(): Promise<void>;
  /** Resolves when the channel is closed (confirmed by the host, or given up after a grace period). */
  readonly whenClosed: Promise<void>;
}

/**
 * Starts a shell on `exec` (a function opening an exec channel for a command, as ssh2's
 * `Client.exec` does). `isConnectionClosed` tells a dropped connection from a shell that ended.
 */
export async function openPersistentShell(
  exec: (command: string) => Promise<ClientChannel>,
  isConnectionClosed: () => boolean,
): Promise<PersistentShell> {
  const nonce = randomBytes(16).toString('hex');
  const channel = await exec(persistentCommand(nonce));
  let alive = true;
  let exitCode: number | undefined;
  let current: InFlight | undefined;
  let markClosed = (): void => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let markEnding = (): void => undefined;
  const ending = new Promise<void>((resolve) => (markEnding = resolve));
  // OpenSSH counts the channel until it confirms the close; a host that never does is given up
  // on a grace period after we asked.
  const whenClosed = Promise.race([
    closed,
    ending.then(() => new Promise<void>((resolve) => setTimeout(resolve, CHANNEL_CLOSE_GRACE_MS).unref())),
  ]);

  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const onData = (stream: Stream, chunk: Buffer): void => {
    const text = decoders[stream].write(chunk);
    const read = current?.[stream];
    if (!current || !read || read.ended) return; // nothing asked for: not a script's output
    if (stream === 'stdout') current.watch(text);
    read.pending += text;
    const end = findEnd(read.pending, nonce, stream);
    if (end) {
      read.tail.push(Buffer.from(read.pending.slice(0, end.index)));
      read.pending = '';
      read.ended = true;
      if (end.exitCode !== undefined) read.exitCode = end.exitCode;
      if (current.stdout.ended && current.stderr.ended) current.finish('ended');
    } else if (read.pending.length > END_LINE_ROOM * 2) {
      const cut = read.pending.length - END_LINE_ROOM;
      read.tail.push(Buffer.from(read.pending.slice(0, cut)));
      read.pending = read.pending.slice(cut);
    }
  };
  channel.on('data', (chunk: Buffer) => onData('stdout', chunk));
  channel.stderr.on('data', (chunk: Buffer) => onData('stderr', chunk));
  channel.on('exit', (code: number | null) => {
    if (typeof code === 'number') exitCode = code;
  });
  channel.on('close', () => {
    alive = false;
    current?.finish('closed');
    markClosed();
  });
  channel.on('error', () => undefined); // always followed by 'close'

  const stop = (): void => {
    alive = false;
    markEnding();
    channel.close();
  };

  return {
    get alive() {
      return alive;
    },
    whenClosed,

    async run(script, options) {
      if (current) throw new Error('the persistent shell already runs a script');
      // Closed before the script could be sent (the host ended it, or a stop): it did not run,
      // but say "dropped", so the engine probes before any retry, as for a lost connection.
      if (!alive)
        return {
          exitCode: undefined,
          stdout: '',
          stderr: '',
          timedOut: false,
          cancelled: false,
          dropped: true,
        };
      const streamRead = (): StreamRead => ({ tail: createTailBuffer(), pending: '', ended: false });
      const stdout = streamRead();
      const stderr = streamRead();
      let settle = (_outcome: 'ended' | 'closed' | 'timeout' | 'abort'): void => undefined;
      const outcome = new Promise<'ended' | 'closed' | 'timeout' | 'abort'>((resolve) => (settle = resolve));
      const deadline = startDeadline(options, () => settle('timeout'));
      current = { stdout, stderr, finish: settle, watch: (text) => deadline.watch(text) };
      const onAbort = (): void => settle('abort');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) settle('abort');
      else channel.write(encodeRequest(script));
      try {
        const how = await outcome;
        if (how === 'timeout' || how === 'abort') stop();
        for (const read of [stdout, stderr])
          if (read.pending !== '') read.tail.push(Buffer.from(read.pending));
        const truncatedBytes = stdout.tail.droppedBytes + stderr.tail.droppedBytes;
        const output = {
          stdout: stdout.tail.text(),
          stderr: stderr.tail.text(),
          ...(truncatedBytes > 0 ? { truncatedBytes } : {}),
        };
        if (how === 'timeout' || how === 'abort') {
          const timedOut = how === 'timeout';
          return { exitCode: undefined, ...output, timedOut, cancelled: !timedOut, dropped: false };
        }
        if (how === 'closed') {
          // powershell.exe ended mid-script (its exit status, if any), or the connection went.
          const dropped = exitCode === undefined && isConnectionClosed();
          return { exitCode, ...output, timedOut: false, cancelled: false, dropped };
        }
        return { exitCode: stdout.exitCode, ...output, timedOut: false, cancelled: false, dropped: false };
      } finally {
        current = undefined;
        deadline.clear();
        options.signal?.removeEventListener('abort', onAbort);
      }
    },

    async close() {
      if (alive) {
        alive = false;
        markEnding();
        channel.end(); // EOF: the shell's read loop ends, it removes its script file and exits
      }
      await whenClosed;
      channel.close();
    },
  };
}

export interface ShellPool {
  /** An idle shell, or a new one while fewer than `max` exist; undefined when `signal` fired first. */
  take(signal?: AbortSignal): Promise<PersistentShell | undefined>;
  /** Hands a shell back after a script (a shell that is gone is forgotten). */
  give(shell: PersistentShell): void;
  /** Ends the idle shells (EOF), bounded by the close grace period. */
  closeAll(): Promise<void>;
}

/**
 * The shells of one host: as many as scripts run on it at once, at most `max`, each kept open
 * for the next script. `open` starts one (undefined when `signal` fired first); a shell counts
 * until its channel is closed.
 */
export function createShellPool(
  open: (signal?: AbortSignal) => Promise<PersistentShell | undefined>,
  max: number,
): ShellPool {
  const idle: PersistentShell[] = [];
  const waiters = new Set<() => void>();
  let count = 0;
  const wakeOne = (): void => {
    const [first] = waiters;
    if (first) {
      waiters.delete(first);
      first();
    }
  };
  const forget = (): void => {
    count--;
    wakeOne();
  };
  const waitForChange = (signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  return {
    async take(signal) {
      for (;;) {
        if (signal?.aborted) return undefined;
        for (let shell = idle.pop(); shell; shell = idle.pop()) if (shell.alive) return shell;
        if (count < max) {
          count++;
          const shell = await open(signal).catch((error: unknown) => {
            forget();
            throw error;
          });
          if (!shell) {
            forget();
            return undefined;
          }
          void shell.whenClosed.then(forget);
          return shell;
        }
        await waitForChange(signal);
      }
    },
    give(shell) {
      if (!shell.alive) return;
      idle.push(shell);
      wakeOne();
    },
    async closeAll() {
      await Promise.all(idle.splice(0).map((shell) => shell.close()));
    },
  };
}
