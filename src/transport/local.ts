/**
 * The local transport, for when deploy-rollup runs on the Windows host itself: the only module
 * that imports execa, and only once a script runs here (execa and its dependencies are a
 * hundred modules, and SSH-only estates never need them). Scripts are delivered exactly as over
 * SSH (`-EncodedCommand`, or for long ones the stdin bootstrap with the script on the process's
 * standard input), so the same scripts and the same sentinel apply.
 */

import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeployError } from '../errors.js';
import type { HostSpec } from '../inventory/types.js';
import { planDelivery } from '../remote/deliver.js';
import type { TransportLog } from './events.js';
import { startDeadline } from './deadline.js';
import { createTailBuffer } from './tail-buffer.js';
import type { RawResult, Transport } from './types.js';

export interface LocalTransportOptions {
  /**
   * The command that starts PowerShell, before its flags (default `['powershell.exe']`). Tests
   * put a fake here, e.g. `[process.execPath, 'fake-powershell.mjs']`.
   */
  shell?: string[];
  log?: TransportLog;
}

/**
 * Kills the whole process tree: a script that started msiexec or a service helper must not
 * leave it holding our pipes (execa would wait for them) or running after a timeout.
 */
async function killTree(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      const { execa } = await import('execa');
      await execa('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false, windowsHide: true });
    } else {
      // Negative pid: the process group `detached: true` created, i.e. the child and everything it started.
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    // Already gone.
  }
}

/** Creates the transport that runs scripts on this machine. */
export function createLocalTransport(host: HostSpec, options: LocalTransportOptions = {}): Transport {
  const [file = 'powershell.exe', ...prefix] = options.shell ?? ['powershell.exe'];
  const log = options.log ?? (() => undefined);

  return {
    host: host.name,

    async connect() {
      // Nothing to open; the shell is checked by the first script (and by preflight).
    },

    async run(script, runOptions): Promise<RawResult> {
      const started = Date.now();
      const { signal, scriptName } = runOptions;
      const delivery = planDelivery(script);
      // The arguments of the command line the SSH transport would send: its flags and the
      // base64 have no spaces, so splitting after `powershell.exe` gives them exactly.
      const args = delivery.command.split(' ').slice(1);
      if (signal?.aborted) {
        return {
          exitCode: undefined,
          stdout: '',
          stderr: '',
          durationMs: 0,
          timedOut: false,
          cancelled: true,
          dropped: false,
        };
      }
      log({
        type: 'exec',
        host: host.name,
        scriptName,
        delivery: delivery.kind,
        commandLength: args.join(' ').length,
      });

      const stdout = createTailBuffer();
      const stderr = createTailBuffer();
      const { execa } = await import('execa');
      const subprocess = execa(file, [...prefix, ...args], {
        reject: false,
        cancelSignal: signal,
        detached: true,
        buffer: false,
        // Stdin delivery: the script, then EOF. Otherwise nothing: PowerShell must not wait on it.
        ...(delivery.kind === 'stdin' ? { input: delivery.stdin } : { stdin: 'ignore' as const }),
        windowsHide: true,
      });
      // execa kills only the direct child on timeout or cancel; the tree goes here.
      let timedOut = false;
      let cancelled = false;
      const deadline = startDeadline(runOptions, () => {
        timedOut = true;
        void killTree(subprocess.pid);
      });
      subprocess.stdout.on('data', (chunk: Buffer) => {
        deadline.watch(chunk);
        stdout.push(chunk);
      });
      subprocess.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const onAbort = (): void => {
        cancelled = true;
        void killTree(subprocess.pid);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let result: Awaited<typeof subprocess>;
      try {
        result = await subprocess;
      } finally {
        deadline.clear();
        signal?.removeEventListener('abort', onAbort);
      }

      timedOut ||= result.timedOut;
      cancelled ||= result.isCanceled;
      if (!timedOut && !cancelled && result.exitCode === undefined && result.signal === undefined) {
        throw new DeployError('remote', `cannot start ${file} on ${host.name}: ${result.shortMessage}`, {
          code: 'LOCAL_SHELL',
          hint: 'The local transport needs Windows PowerShell (powershell.exe) on the PATH.',
          cause: result,
        });
      }
      const stopped = timedOut || cancelled;
      const truncatedBytes = stdout.droppedBytes + stderr.droppedBytes;
      const raw: RawResult = {
        exitCode: stopped ? undefined : result.exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Date.now() - started,
        timedOut: timedOut && !cancelled,
        cancelled,
        dropped: false,
        ...(truncatedBytes > 0 ? { truncatedBytes } : {}),
      };
      log({
        type: 'execEnd',
        host: host.name,
        scriptName,
        exitCode: raw.exitCode,
        durationMs: raw.durationMs,
        timedOut: raw.timedOut,
        cancelled: raw.cancelled,
        dropped: false,
        truncatedBytes,
      });
      return raw;
    },

    async upload(localPath, windowsPath, uploadOptions) {
      if (uploadOptions.signal?.aborted) {
        throw new DeployError('remote', `copy of ${localPath} to ${windowsPath} was cancelled`, {
          code: 'CANCELLED',
        });
      }
      const started = Date.now();
      const { size } = await stat(localPath).catch(() => {
        throw new DeployError(
          'badInput',
          `cannot copy ${localPath} to ${windowsPath}: the file does not exist or is unreadable`,
          {
            code: 'UPLOAD_SOURCE_MISSING',
            hint: 'Check the package folder the inventory names.',
          },
        );
      });
      await mkdir(dirname(windowsPath), { recursive: true });
      await copyFile(localPath, windowsPath);
      log({
        type: 'upload',
        host: host.name,
        path: windowsPath,
        bytes: size,
        durationMs: Date.now() - started,
      });
    },

    async close() {
      // No connection to close.
    },
  };
}
