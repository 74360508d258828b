/**
 * The persistent PowerShell (`src/remote/persistent-shell.ts`) as both lab fronts serve it: the
 * ssh2 server's exec channel and the forced command behind sshd. After the bootstrap the host
 * reads standard input a line at a time, runs each line's script through the model exactly as a
 * stdin-delivered script runs, and writes the script's output followed by the end lines. The
 * fronts differ only in how one script reaches the model (the forced command takes the state
 * lock per line) and in how a shell's end is delivered.
 *
 * Lines are taken one at a time, in order, as powershell.exe's read loop takes them: while a
 * script runs the next line is not read. The input is paused meanwhile, so a client that sends
 * ahead is held back by flow control instead of being buffered here.
 */

import type { Readable, Writable } from 'node:stream';
import { encodedText, encodeCommand, POWERSHELL, STDIN_BOOTSTRAP } from '../../remote/deliver.js';
import { decodeRequest, endLines, persistentNonce } from '../../remote/persistent-shell.js';
import type { ExecOutcome } from './estate-port.js';
import { MAX_STDIN_BYTES, stdinTooLong } from './stdin.js';

/**
 * The most one line may hold. A real host has no such bound (powershell.exe reads a line of any
 * length); the lab keeps one so a client bug cannot make it buffer without end. It is the stdin
 * bound, so {@link stdinTooLong}'s message names the right number.
 */
export const MAX_LINE_BYTES = MAX_STDIN_BYTES;

/**
 * Each line runs as the stdin bootstrap's standard input: the model then decodes and refuses it
 * by the rules it keeps for every stdin-delivered script, in one place.
 */
const STDIN_COMMAND = `${POWERSHELL} -EncodedCommand ${encodeCommand(STDIN_BOOTSTRAP)}`;

/** How a shell ends at the client's EOF: powershell.exe leaves its read loop and exits 0. */
const SHELL_EXIT: ExecOutcome = { kind: 'exit', stdout: '', stderr: '', exitCode: 0 };

/**
 * The nonce of an exec command that starts the persistent shell; undefined for any other command,
 * including one that carries the persistent marker without being the exact bootstrap (the model
 * answers that as the unknown command it is).
 */
export function persistentShellNonce(command: string): string | undefined {
  const text = encodedText(command);
  return text === undefined ? undefined : persistentNonce(text);
}

export interface PersistentShellIo {
  /** The nonce the client chose (from {@link persistentShellNonce}). */
  nonce: string;
  stdin: Readable;
  /** The channel's output; once it is no longer writable the client has closed the channel. */
  stdout: Writable;
  stderr: Writable;
  /**
   * Runs one command with its standard input through the model, for the front's host; `early`
   * takes the stdout it writes before it ends.
   */
  exec: (command: string, stdin: string, early: (stdout: string) => void) => Promise<ExecOutcome>;
}

/**
 * Serves one shell until it ends. Resolves with what the front still has to deliver: an exit
 * with status 0 after the client's EOF (every line before it answered), or the `drop` or `hang`
 * a script ended in (nothing more is read); undefined when the client closed the channel, so
 * there is no one to answer. Rejects only when `exec` does.
 */
export async function servePersistentShell(shell: PersistentShellIo): Promise<ExecOutcome | undefined> {
  const lines = readLines(shell.stdin, MAX_LINE_BYTES);
  try {
    for (;;) {
      const line = await lines.next();
      if (line === 'closed' || !shell.stdout.writable) return undefined;
      if (line === 'eof') return SHELL_EXIT;
      const outcome = await runLine(line, shell.exec, (text) => {
        if (shell.stdout.writable) shell.stdout.write(text);
      });
      if (!shell.stdout.writable) return undefined; // the client closed the channel mid-script
      if (outcome.kind !== 'exit') return outcome;
      const end = endLines(shell.nonce, outcome.exitCode); // the full code: $LASTEXITCODE as text
      await Promise.all([
        write(shell.stdout, outcome.stdout + end.stdout),
        write(shell.stderr, outcome.stderr + end.stderr),
      ]);
    }
  } finally {
    lines.stop();
  }
}

function runLine(
  line: Line,
  exec: PersistentShellIo['exec'],
  early: (stdout: string) => void,
): Promise<ExecOutcome> {
  if (line.kind === 'tooLong') return Promise.resolve(stdinTooLong());
  // The shell's own refusal, before any script runs (the model would word it as the stdin bootstrap's).
  const request = decodeRequest(line.text);
  if ('refused' in request)
    return Promise.resolve({ kind: 'exit', stdout: '', stderr: `${request.refused}\r\n`, exitCode: 1 });
  return exec(STDIN_COMMAND, line.text, early);
}

type Line = { kind: 'line'; text: string } | { kind: 'tooLong' };

interface LineSource {
  /** The next line; `eof` once the input ended and every line was taken; `closed` if it broke off. */
  next(): Promise<Line | 'eof' | 'closed'>;
  /** Stops reading: the input stays paused, its remaining lines unread. */
  stop(): void;
}

/**
 * Cuts `stream` into lines as .NET's `TextReader.ReadLine` does: a line ends at "\n", "\r\n" or a
 * lone "\r", and text after the last line end is a last line of its own. Bytes are read as
 * latin1, so any non-ASCII byte stays a character no base64 alphabet holds. A line over `limit`
 * is kept only as the fact that it was too long; the rest of it is discarded as it arrives.
 */
function readLines(stream: Readable, limit: number): LineSource {
  const lines: Line[] = [];
  let partial = '';
  let tooLong = false;
  let afterCr = false;
  let state: 'open' | 'eof' | 'closed' = 'open';
  let wake = (): void => undefined;

  const endLine = (): void => {
    lines.push(tooLong ? { kind: 'tooLong' } : { kind: 'line', text: partial });
    partial = '';
    tooLong = false;
  };
  const append = (text: string): void => {
    if (tooLong || text === '') return;
    if (partial.length + text.length > limit) {
      tooLong = true;
      partial = '';
    } else partial += text;
  };
  const onData = (chunk: Buffer | string): void => {
    const raw = Buffer.isBuffer(chunk) ? chunk.toString('latin1') : chunk;
    if (raw === '') return;
    const text = afterCr && raw.startsWith('\n') ? raw.slice(1) : raw; // "\r\n" cut between chunks
    afterCr = raw.endsWith('\r');
    let at = 0;
    for (const end of text.matchAll(/\r\n|\r|\n/g)) {
      append(text.slice(at, end.index));
      endLine();
      at = end.index + end[0].length;
    }
    append(text.slice(at));
    if (lines.length > 0) {
      stream.pause(); // the next line waits until the shell asks for it
      wake();
    }
  };
  const onEnd = (): void => {
    if (partial !== '' || tooLong) endLine();
    state = 'eof';
    wake();
  };
  const onClose = (): void => {
    if (state === 'open') state = 'closed'; // broke off without an EOF (after it, a close is normal)
    wake();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('close', onClose);
  stream.on('error', onClose);

  return {
    async next() {
      for (;;) {
        if (state === 'closed') return 'closed';
        const line = lines.shift();
        if (line) return line;
        if (state === 'eof') return 'eof';
        const waited = new Promise<void>((resolve) => (wake = resolve));
        stream.resume();
        await waited;
      }
    },
    stop() {
      stream.pause();
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
    },
  };
}

function write(target: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    target.write(text, () => resolve());
  });
}
