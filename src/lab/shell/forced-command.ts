/**
 * The simulated host behind a real OpenSSH `sshd`: the program sshd runs as its `ForceCommand`
 * for every session of a lab host. It answers the command in `SSH_ORIGINAL_COMMAND` from the
 * same host model as the in-process ssh2 front. For the stdin bootstrap it first reads its own
 * standard input (the channel's, which sshd ends at the client's EOF), before taking the lock.
 *
 * Every session is a new process sharing one state file with all other hosts' sessions, so each
 * command runs as load → exec → save under an exclusive lock, and the answer is delivered only
 * after the lock is released (a hanging host must not block the estate). A persistent PowerShell
 * keeps its process for the whole shell, and each line's script takes the lock on its own, so
 * other sessions run between the scripts of a shell.
 *
 * Differences from the ssh2 front, forced by sshd:
 * - Exit codes above 255 reach the client modulo 256 (a Unix exit status), as older
 *   Win32-OpenSSH builds misreport them; the `__RC__=` sentinel in stdout carries the real code
 *   (and a persistent shell's end lines do, being text).
 * - Connection faults (refuse, down) can only act once sshd has accepted the session: the
 *   connection is cut at the first command (in a persistent shell, at the next script) instead
 *   of before the handshake.
 */

import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStdinBootstrap } from '../../remote/deliver.js';
import type { EstatePort, ExecOutcome } from '../server/estate-port.js';
import { persistentShellNonce, servePersistentShell } from '../server/persistent-shell.js';
import type { SftpBackend } from '../server/sftp-handler.js';
import { readStdin, stdinTooLong } from '../server/stdin.js';
import { serveSftpOverStdio } from './sftp-stdio.js';
import { dropSshdSession, findSshdSession, waitWhileSessionLives } from './sshd-session.js';
import { withStateLock } from './state-lock.js';

/** The estate as one forced-command process uses it: opened from the state file, saved back. */
export interface ShellEstate extends EstatePort {
  flush(): Promise<void>;
}

export interface ForcedCommandOptions {
  host: string;
  statePath: string;
  /** `SSH_ORIGINAL_COMMAND`: what the client asked to run (or the sftp subsystem). */
  originalCommand: string | undefined;
  /** Loads the estate from the state file; called under the lock, once per command. */
  openEstate: () => Promise<ShellEstate>;
  /** The channel's standard input: a stdin-delivered script, or the SFTP protocol. */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Cuts the SSH connection without an exit status; default: end the sshd session process. */
  dropConnection?: () => boolean;
  /** Lasts while the connection does; default: until the sshd session process ends (bounded). */
  waitForDisconnect?: () => Promise<void>;
}

/** A hang lasts at most this long even if the session cannot be watched. */
const MAX_HANG_MS = 6 * 60 * 60 * 1000;

/**
 * Time sshd gets to forward output already written before a drop cuts the session. Without it
 * the kill can overtake the pipe; with it the output usually arrives (a real drop may lose it).
 */
const DROP_FLUSH_MS = 100;

/** Exit status sshd reports when the session ends abnormally. */
export const CONNECTION_LOST = 255;

/** Runs one session's command; resolves with the process exit code. */
export async function runForcedCommand(options: ForcedCommandOptions): Promise<number> {
  // Found now, while sshd is surely still our ancestor: a client that hangs up while the command
  // is worked on (a busy machine) ends that process, and a hang must then end at once instead of
  // waiting out its bound for a session it can no longer find.
  const session = findSshdSession();
  const command = options.originalCommand?.trim() ?? '';
  if (command === '') {
    options.stderr.write('This account only runs deploy-rollup lab commands; no interactive shell.\n');
    return 1;
  }
  if (isSftpSubsystem(command)) {
    await serveSftp(options);
    return 0;
  }
  const nonce = persistentShellNonce(command);
  if (nonce !== undefined) return runPersistentShell(nonce, options, session);
  let stdin: string | undefined;
  if (isStdinBootstrap(command)) {
    // Read before the lock: a slow client must not hold up the other hosts' sessions.
    const read = await readStdin(options.stdin);
    if (read.kind === 'closed') return CONNECTION_LOST;
    if (read.kind === 'tooLong') return deliver(stdinTooLong(), options, session);
    stdin = read.text;
  }
  return deliver(await execLocked(options, command, stdin), options, session);
}

/**
 * One command as load → connection-fault check → exec → save, under the state lock; a batch's
 * output up to each step it starts leaves at once (`early`), the rest with the answer.
 */
function execLocked(
  options: ForcedCommandOptions,
  command: string,
  stdin: string | undefined,
  early: (stdout: string) => void = (text) => options.stdout.write(text),
): Promise<ExecOutcome> {
  return withStateLock(options.statePath, async () => {
    const estate = await options.openEstate();
    const fault = estate.connectFault(options.host);
    const result: ExecOutcome = fault
      ? { kind: 'drop', stdout: '' }
      : await estate.exec(options.host, command, stdin, early);
    await estate.flush();
    return result;
  });
}

/**
 * The persistent shell: one process for all its lines, each script under the lock on its own
 * and answered after the lock is released; exit 0 at the client's EOF.
 */
async function runPersistentShell(
  nonce: string,
  options: ForcedCommandOptions,
  session: number | undefined,
): Promise<number> {
  const end = await servePersistentShell({
    nonce,
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    exec: (command, stdin, early) => execLocked(options, command, stdin, early),
  });
  return end ? deliver(end, options, session) : CONNECTION_LOST;
}

/** sshd hands the subsystem's configured command to the forced command. */
export function isSftpSubsystem(command: string): boolean {
  return command === 'internal-sftp' || /(^|\/)sftp-server(\s|$)/.test(command);
}

async function deliver(
  outcome: ExecOutcome,
  options: ForcedCommandOptions,
  session: number | undefined,
): Promise<number> {
  const waitForDisconnect = options.waitForDisconnect ?? (() => waitWhileSessionLives(session, MAX_HANG_MS));
  if (outcome.kind === 'hang') {
    await waitForDisconnect();
    return CONNECTION_LOST;
  }
  await write(options.stdout, outcome.stdout);
  if (outcome.kind === 'drop') {
    if (outcome.stdout !== '' && !options.dropConnection) await sleep(DROP_FLUSH_MS);
    const dropped = (options.dropConnection ?? (() => dropSshdSession(session)))();
    if (dropped) await waitForDisconnect();
    return CONNECTION_LOST;
  }
  await write(options.stderr, outcome.stderr);
  return outcome.exitCode;
}

async function serveSftp(options: ForcedCommandOptions): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  // Each request takes the lock on its own: an SFTP session can stay open for a whole run.
  const locked = <T>(work: (estate: ShellEstate) => Promise<T>): Promise<T> => {
    const promise = withStateLock(options.statePath, async () => {
      const estate = await options.openEstate();
      const result = await work(estate);
      await estate.flush(); // nothing may be saved after the lock is gone
      return result;
    });
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };
  const backend: SftpBackend = {
    writeFile: (path, content) => locked(async (estate) => estate.writeFile(options.host, path, content)),
    readFile: (path) => locked(async (estate) => estate.readFile(options.host, path)),
    statFile: (path) => locked(async (estate) => estate.statFile(options.host, path)),
    isDirectory: (path) => locked(async (estate) => estate.isDirectory?.(options.host, path) ?? false),
  };
  await serveSftpOverStdio(options.stdin, options.stdout, backend, (line) =>
    options.stderr.write(`${line}\n`),
  );
  await Promise.allSettled([...pending]);
}

function write(target: Writable, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    target.write(text, () => resolve());
  });
}
