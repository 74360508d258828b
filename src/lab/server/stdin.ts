/**
 * Standard input of a stdin-delivered script, as both fronts (the ssh2 server and the forced
 * command behind sshd) read it: everything the client sends up to its EOF. A client that closes
 * the channel part-way ends the input there too, as sshd ends the pipe of the process it runs;
 * what arrived is then judged like any input (a cut base64 text is refused, or is a cut script).
 * A real host has no bound on the input; the lab keeps one so a client bug cannot make it
 * buffer without end.
 */

import type { Readable } from 'node:stream';
import type { ExecOutcome } from './estate-port.js';

/** The most standard input the lab accepts for one command (a long script is tens of KB). */
export const MAX_STDIN_BYTES = 1024 * 1024;

export type StdinRead =
  /** The input ended; the bytes as text (base64 is ASCII; any other byte stays a non-base64 char). */
  | { kind: 'eof'; text: string }
  /** More than `limit` bytes arrived before EOF (what came after the limit was discarded). */
  | { kind: 'tooLong' }
  /** The stream broke off without ending (an error): there is no one to answer. */
  | { kind: 'closed' };

/** Reads `stream` to EOF, keeping at most `limit` bytes. Never rejects. */
export function readStdin(stream: Readable, limit = MAX_STDIN_BYTES): Promise<StdinRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += bytes.length;
      if (size <= limit) chunks.push(bytes);
    };
    const finish = (read: StdinRead): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(read);
    };
    const onEnd = (): void =>
      finish(
        size > limit ? { kind: 'tooLong' } : { kind: 'eof', text: Buffer.concat(chunks).toString('latin1') },
      );
    const onClose = (): void => finish({ kind: 'closed' });
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

/** The answer to standard input over the lab's bound: a failure, as a host out of memory would give. */
export function stdinTooLong(): ExecOutcome {
  return {
    kind: 'exit',
    stdout: '',
    stderr: `deploy-rollup lab: standard input over ${MAX_STDIN_BYTES} bytes refused\r\n`,
    exitCode: 1,
  };
}
