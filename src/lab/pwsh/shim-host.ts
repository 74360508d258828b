/**
 * One long-lived pwsh running shim-runner.ps1 (starting pwsh costs about a second, a script
 * tens of milliseconds): scripts go one at a time over stdin, each with the host state the
 * Windows stand-in acts on, and come back with their output, exit code and the state after.
 * A native program a script starts is answered here, synchronously, by `natives`.
 *
 * Every wait is bounded: start-up by `startTimeoutMs`, each script by `scriptTimeoutMs`;
 * `close()` ends stdin and kills the process by its pid if it has not exited in time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostState } from '../model/state.js';
import type { NativeCall, NativeResult } from './natives.js';

/**
 * shim-runner.ps1 beside this module, or in the source tree when this is the build under dist/
 * (dist/src/lab/pwsh/, or the bundle's dist/bundle/ and dist/bundle/chunks/).
 */
export const SHIM_RUNNER =
  [
    join(import.meta.dirname, 'shim-runner.ps1'),
    join(import.meta.dirname, '..', '..', '..', '..', 'src', 'lab', 'pwsh', 'shim-runner.ps1'),
    join(import.meta.dirname, '..', '..', 'src', 'lab', 'pwsh', 'shim-runner.ps1'),
    join(import.meta.dirname, '..', '..', '..', 'src', 'lab', 'pwsh', 'shim-runner.ps1'),
  ].find((file) => existsSync(file)) ?? join(import.meta.dirname, 'shim-runner.ps1');

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The pwsh to use: `pwsh` on PATH, else `$HOME/.dotnet/tools/pwsh`; undefined when neither is there. */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['pwsh.exe', 'pwsh'] : ['pwsh'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) if (executable(join(dir, name))) return join(dir, name);
  }
  const fallback = join(env.HOME ?? homedir(), '.dotnet', 'tools', 'pwsh');
  return executable(fallback) ? fallback : undefined;
}

/** What the stand-in needs besides the host: the clock and the names Windows behaviour hangs on. */
export interface ShimRequest {
  host: HostState;
  now: number;
  facts: Record<string, string>;
}

export interface ShimRun {
  stdout: string[];
  stderr: string;
  /** `exit`'s code; null when the script ended without one (a runner-level crash). */
  exitCode: number | null;
  crash: string | null;
  host: HostState;
}

interface Message {
  ready?: boolean;
  version?: string;
  id?: number;
  native?: NativeCall;
  host?: HostState;
  stdout?: string[] | string | null;
  stderr?: string;
  exitCode?: number | null;
  crash?: string | null;
}

type Natives = (host: HostState, call: NativeCall) => NativeResult;

export class ShimHost {
  readonly pid: number;
  version = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private waiter: ((message: Message) => void) | undefined;
  private failure: Error | undefined;
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<void>;
  private nextId = 1;

  private constructor(child: ChildProcessWithoutNullStreams) {
    if (child.pid === undefined) throw new Error('pwsh did not start');
    this.child = child;
    this.pid = child.pid;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.failure ??= new Error(
          `pwsh exited (${signal ?? code ?? '?'}): ${this.stderr.trim().slice(0, 2000)}`,
        );
        resolve();
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (this.stderr.length < 20_000) this.stderr += chunk;
    });
    child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        this.failure ??= new Error(`pwsh wrote a line that is not JSON: ${line.slice(0, 500)}`);
        return;
      }
      this.waiter?.(message);
    });
  }

  static async start(options: { executable?: string; startTimeoutMs?: number } = {}): Promise<ShimHost> {
    const file = options.executable ?? findPwsh();
    if (!file) throw new Error('pwsh was not found on PATH nor in ~/.dotnet/tools');
    const child = spawn(file, ['-NoProfile', '-NonInteractive', '-NoLogo', '-File', SHIM_RUNNER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: the dotnet tool's pwsh is a launcher that starts `dotnet pwsh.dll`
      // as a child, which killing the launcher alone would leave running.
      detached: process.platform !== 'win32',
      env: {
        ...process.env,
        POWERSHELL_TELEMETRY_OPTOUT: '1',
        POWERSHELL_UPDATECHECK: 'Off',
        DOTNET_NOLOGO: '1',
      },
    });
    const host = new ShimHost(child);
    try {
      const ready = await host.next(options.startTimeoutMs ?? 60_000);
      host.version = ready.version ?? '';
    } catch (error) {
      await host.close(0);
      throw error;
    }
    return host;
  }

  /** The next message, or a rejection after `timeoutMs` or when pwsh exits. */
  private next(timeoutMs: number): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`pwsh gave no answer for ${timeoutMs} ms: ${this.stderr.trim().slice(0, 500)}`));
        this.kill();
      }, timeoutMs);
      void this.exit.then(() => {
        clearTimeout(timer);
        reject(this.failure ?? new Error('pwsh exited'));
      });
      this.waiter = (message) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(message);
      };
    });
  }

  /** Runs `script` against `request.host` (not changed: the state after comes back in the result). */
  async run(
    request: ShimRequest,
    script: string,
    natives: Natives,
    scriptTimeoutMs = 60_000,
  ): Promise<ShimRun> {
    const id = this.nextId++;
    const pending = this.next(scriptTimeoutMs);
    this.child.stdin.write(`${JSON.stringify({ id, request, script })}\n`);
    // A script starts at most this many programs; more is a loop in the script or the shim.
    for (let calls = 0; calls < 1000; calls++) {
      const message = await (calls === 0 ? pending : this.next(scriptTimeoutMs));
      if (message.native && message.host) {
        const result = natives(message.host, message.native);
        this.child.stdin.write(`${JSON.stringify({ ...result, host: message.host })}\n`);
        continue;
      }
      if (message.id !== id || !message.host)
        throw new Error(`pwsh answered out of turn: ${JSON.stringify(message).slice(0, 300)}`);
      const out = message.stdout;
      return {
        stdout: Array.isArray(out) ? out : typeof out === 'string' ? [out] : [],
        stderr: message.stderr ?? '',
        exitCode: message.exitCode ?? null,
        crash: message.crash ?? null,
        host: message.host,
      };
    }
    throw new Error('a script started more than 1000 native programs');
  }

  private kill(): void {
    if (this.exited) return;
    try {
      process.kill(process.platform === 'win32' ? this.pid : -this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** Ends the process: closes stdin, waits up to `graceMs` for it to exit, then kills it by pid. */
  async close(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.kill();
    await this.exit;
  }
}
