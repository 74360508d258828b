/**
 * PowerShell's own parser for the tests, through one long-lived pwsh process (starting pwsh costs
 * about a second, parsing a script a few milliseconds). `test/pwsh/ps-parse.ps1` is the other
 * end: it reads one JSON line per script on stdin and answers one JSON line per script with the
 * parse errors and the PowerShell 3.0+ constructs it found by walking the AST. Both directions
 * are ASCII (non-ASCII as \uXXXX escapes), so no encoding default of either side matters.
 *
 * Every wait is bounded: start-up by `startTimeoutMs`, and a pending parse by `idleTimeoutMs`
 * without any answer (requests are pipelined, so a per-request clock would count the queue).
 * `close()` ends stdin and kills the process by its pid if it has not exited in time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';

export const PS_PARSE_SCRIPT = join(import.meta.dirname, 'ps-parse.ps1');

/** A PowerShell ParseError. `text` is the whole source line it is on. */
export interface PwshParseError {
  line: number;
  column: number;
  id: string;
  message: string;
  text: string;
}

/** A construct Windows PowerShell 2.0 does not have. `text` is its source line, trimmed. */
export interface Ps3Finding {
  line: number;
  column: number;
  construct: string;
  instead: string;
  text: string;
}

export interface PwshResult {
  errors: PwshParseError[];
  findings: Ps3Finding[];
  /** How many AST nodes the walk visited (0 when the parse gave nothing to walk). */
  nodes: number;
}

/** The pwsh to use: the product's own lookup (`pwsh` on PATH, else the .NET tool). */
export { findPwsh };

/** JSON with every non-ASCII character escaped, so the line is ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

interface Pending {
  resolve: (result: PwshResult) => void;
  reject: (error: Error) => void;
}

interface Answer {
  id?: number;
  ready?: boolean;
  version?: string;
  fatal?: string;
  errors?: PwshParseError[];
  findings?: Ps3Finding[];
  nodes?: number;
}

export interface PwshOptions {
  executable?: string;
  startTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** One pwsh process running ps-parse.ps1. Start it with {@link PwshParser.start}. */
export class PwshParser {
  readonly pid: number;
  /** pwsh's `$PSVersionTable.PSVersion`. */
  version = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly idleTimeoutMs: number;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(child: ChildProcessWithoutNullStreams, idleTimeoutMs: number) {
    if (child.pid === undefined) throw new Error('pwsh did not start');
    this.child = child;
    this.pid = child.pid;
    this.idleTimeoutMs = idleTimeoutMs;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.fail(new Error(`pwsh exited (${signal ?? code ?? '?'}): ${this.stderr.trim().slice(0, 2000)}`));
        resolve();
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (this.stderr.length < 20_000) this.stderr += chunk;
    });
    // A closed pipe surfaces as an exit; nothing to add here.
    child.stdin.on('error', () => undefined);
  }

  /** Starts pwsh with ps-parse.ps1 and waits for its ready line. Rejects (and kills it) on timeout. */
  static async start(options: PwshOptions = {}): Promise<PwshParser> {
    const file = options.executable ?? findPwsh();
    if (!file) throw new Error('pwsh was not found on PATH nor in ~/.dotnet/tools');
    const child = spawn(file, ['-NoProfile', '-NonInteractive', '-NoLogo', '-File', PS_PARSE_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        POWERSHELL_TELEMETRY_OPTOUT: '1',
        POWERSHELL_UPDATECHECK: 'Off',
        DOTNET_CLI_TELEMETRY_OPTOUT: '1',
        DOTNET_NOLOGO: '1',
      },
    });
    const parser = new PwshParser(child, options.idleTimeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`pwsh did not become ready within ${options.startTimeoutMs ?? 30_000} ms`)),
        options.startTimeoutMs ?? 30_000,
      );
      parser.onReady = (version) => {
        clearTimeout(timer);
        parser.version = version;
        resolve();
      };
      parser.onStartFailure = (error) => {
        clearTimeout(timer);
        reject(error);
      };
    });
    lines.on('line', (line) => parser.receive(line));
    try {
      await ready;
    } catch (error) {
      await parser.close(0);
      throw error;
    }
    return parser;
  }

  private onReady: (version: string) => void = () => undefined;
  private onStartFailure: (error: Error) => void = () => undefined;

  private receive(line: string): void {
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      this.fail(new Error(`pwsh wrote a line that is not JSON: ${line.slice(0, 500)}`));
      return;
    }
    if (answer.ready) {
      this.onReady(answer.version ?? '');
      return;
    }
    const pending = answer.id === undefined ? undefined : this.pending.get(answer.id);
    if (!pending || answer.id === undefined) {
      this.fail(new Error(`pwsh answered an unknown request: ${line.slice(0, 500)}`));
      return;
    }
    this.pending.delete(answer.id);
    this.rearm();
    if (answer.fatal !== undefined) pending.reject(new Error(`ps-parse.ps1 failed: ${answer.fatal}`));
    else
      pending.resolve({
        errors: answer.errors ?? [],
        findings: answer.findings ?? [],
        nodes: answer.nodes ?? 0,
      });
  }

  /** Fails every pending request (and any later one) with `error`, and kills the process. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.onStartFailure(error);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error);
    }
    this.kill();
  }

  /** The idle clock: running while requests are pending, restarted by every answer. */
  private rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer =
      this.pending.size === 0
        ? undefined
        : setTimeout(
            () => this.fail(new Error(`pwsh gave no answer for ${this.idleTimeoutMs} ms`)),
            this.idleTimeoutMs,
          );
  }

  /** Parses `script` in pwsh: its parse errors and PowerShell 3.0+ findings. */
  parse(script: string): Promise<PwshResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const result = new Promise<PwshResult>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (!this.timer) this.rearm();
    this.child.stdin.write(`${asciiJson({ id, script })}\n`);
    return result;
  }

  private kill(): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** Ends the process: closes stdin, waits up to `graceMs` for it to exit, then kills it by pid. */
  async close(graceMs = 5_000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.exited) {
      this.child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exit,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      this.kill();
      await this.exit;
    }
  }
}
