/**
 * Session channels of one authenticated connection: exec requests answered by the host model
 * (one command, or a persistent PowerShell that runs a script per line of standard input), the
 * SFTP subsystem, and OpenSSH's per-connection cap on concurrent sessions.
 */

import type { Socket } from 'node:net';
import type { Connection, ServerChannel } from 'ssh2';
import { isStdinBootstrap } from '../../remote/deliver.js';
import type { EstatePort, ExecOutcome } from './estate-port.js';
import { persistentShellNonce, servePersistentShell } from './persistent-shell.js';
import { serveSftp, type SftpBackend } from './sftp-handler.js';
import { readStdin, stdinTooLong } from './stdin.js';

/**
 * OpenSSH's default `MaxSessions`: the 11th concurrent channel on one connection fails with
 * "Channel open failure". Real hosts impose it, so the simulator must too, or a client that
 * opens too many channels would pass here and fail in production.
 */
export const MAX_SESSIONS = 10;

/** How long a dropped connection may take to flush before it is cut regardless. */
const DROP_GRACE_MS = 1000;

export interface SessionContext {
  host: string;
  estate: EstatePort;
  /** The TCP socket under the SSH connection, cut when the model says "drop". */
  socket: Socket;
  log: (line: string) => void;
}

/** Serves session channels on an authenticated connection. */
export function serveSessions(client: Connection, context: SessionContext): void {
  let open = 0;
  client.on('session', (accept, reject) => {
    if (open >= MAX_SESSIONS) {
      context.log(`${context.host}: session refused, ${MAX_SESSIONS} already open (MaxSessions)`);
      reject();
      return;
    }
    open++;
    const session = accept();
    session.once('close', () => open--);
    session.on('exec', (acceptExec, _rejectExec, info) => {
      const stream = acceptExec();
      const nonce = persistentShellNonce(info.command);
      void (nonce === undefined
        ? runExec(stream, info.command, context)
        : runPersistentShell(stream, nonce, context));
    });
    session.on('sftp', (acceptSftp) => {
      const sftp = acceptSftp();
      // Close our side when the client ends its side, as sftp-server does; clients wait for it.
      sftp.once('end', () => sftp.end());
      serveSftp(sftp, estateBackend(context.host, context.estate), (line) =>
        context.log(`${context.host}: ${line}`),
      );
    });
  });
}

/**
 * For the stdin bootstrap, the script is on the channel's standard input: read it to the
 * client's EOF first, as powershell.exe's `$input` does (a client that never sends EOF waits,
 * as it would on a real host, until it gives up). Other commands do not read standard input.
 */
async function answer(
  stream: ServerChannel,
  command: string,
  context: SessionContext,
): Promise<ExecOutcome | undefined> {
  const early = (text: string): void => {
    if (stream.writable) stream.write(text);
  };
  if (!isStdinBootstrap(command)) return context.estate.exec(context.host, command, undefined, early);
  const stdin = await readStdin(stream);
  if (stdin.kind === 'closed') return undefined;
  if (stdin.kind === 'tooLong') return stdinTooLong();
  return context.estate.exec(context.host, command, stdin.text, early);
}

async function runExec(stream: ServerChannel, command: string, context: SessionContext): Promise<void> {
  const outcome = await answer(stream, command, context).catch((error: unknown) =>
    simulatorError(error, context),
  );
  if (!outcome) return; // the channel broke off while its input was read
  await finish(stream, outcome, context);
}

/**
 * The persistent shell: each line's script is answered on this channel, a model bug as a script
 * that failed with 255; the channel ends as the shell does (exit 0 at the client's EOF).
 */
async function runPersistentShell(
  stream: ServerChannel,
  nonce: string,
  context: SessionContext,
): Promise<void> {
  const end = await servePersistentShell({
    nonce,
    stdin: stream,
    stdout: stream,
    stderr: stream.stderr,
    exec: (command, stdin, early) =>
      context.estate
        .exec(context.host, command, stdin, early)
        .catch((error: unknown) => simulatorError(error, context)),
  });
  if (end) await finish(stream, end, context);
}

/** A model bug must not look like a host answer: report it the way sshd reports its own failures. */
function simulatorError(error: unknown, context: SessionContext): ExecOutcome {
  const message = error instanceof Error ? error.message : String(error);
  context.log(`${context.host}: simulator error: ${message}`);
  return { kind: 'exit', stdout: '', stderr: `lab simulator error: ${message}\n`, exitCode: 255 };
}

/** Delivers how a command (or a shell) ended: output, exit status and close, a drop, or nothing. */
async function finish(stream: ServerChannel, outcome: ExecOutcome, context: SessionContext): Promise<void> {
  if (outcome.kind === 'hang') return; // the channel stays open until the client gives up
  if (!stream.writable) return; // the client closed the channel while the model worked
  if (outcome.kind === 'drop') {
    stream.write(outcome.stdout);
    dropConnection(context.socket);
    return;
  }
  await Promise.all([write(stream, outcome.stdout), write(stream.stderr, outcome.stderr)]);
  // exit-status goes out ahead of buffered data, so it waits until the output is handed over.
  stream.exit(outcome.exitCode);
  stream.end();
}

function write(target: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    target.write(text, () => resolve());
  });
}

/** Ends TCP after what was written so far (no exit status, no channel close), like a host that died. */
function dropConnection(socket: Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), DROP_GRACE_MS).unref();
}

function estateBackend(host: string, estate: EstatePort): SftpBackend {
  return {
    writeFile: async (path, content) => estate.writeFile(host, path, content),
    readFile: async (path) => estate.readFile(host, path),
    statFile: async (path) => estate.statFile(host, path),
    isDirectory: async (path) => estate.isDirectory?.(host, path) ?? false,
  };
}
