/**
 * The simulated estate's keeping (split from `estate.ts`, which runs commands): the hosts' state
 * and files, the fault book, one event per command, and the state file saved ≤ 50 ms after a change.
 */
import type { Inventory } from '../../inventory/types.js';
import type { Phase, ScriptHeader } from '../../remote/header.js';
import { formatSentinel } from '../../remote/header.js';
import { DeployError } from '../../errors.js';
import { classifyExit } from '../../actions/catalog.js';
import type { LabClock } from './clock.js';
import { systemClock } from './clock.js';
import type { Fault } from './faults.js';
import { FaultBook } from './fault-book.js';
import type { FaultKind, HostState, LabState } from './state.js';
import { saveState } from './persist.js';
import { findKey } from './names.js';
import type { Outcome } from './actions/context.js';
import { HostFiles } from './host-files.js';
import type { LabKnowledge, LabRunbook } from './lab-profile.js';
import type { ScriptEngine } from './script-engine.js';

export type ExecOutcome =
  | { kind: 'exit'; stdout: string; stderr: string; exitCode: number }
  | { kind: 'drop'; stdout: string }
  | { kind: 'hang' };

/** A script header naming one of a step's phases (what one simulated phase acts on). */
export type StepHeader = ScriptHeader & { phase: Phase };

/** How one phase ended on the host; `ran`: the action touched the host state. */
export type Performed = (
  | { kind: 'exit'; ran: boolean; outcome: Outcome }
  | { kind: 'drop'; ran: boolean; outcome?: Outcome }
  | { kind: 'hang'; ran: false }
) & {
  /** When the phase was due to end: its start plus its duration (its start if it took none). */
  end: number;
};

export interface EstateOptions {
  /** Where the state persists (auto-saved ≤ 50 ms after each change); none: in memory only. */
  statePath?: string;
  faults?: Fault[];
  /** Multiplier on nominal durations (0, the default: instant). */
  timeScale?: number;
  clock?: LabClock;
  /** Runs the scripts instead of the model (`--lab-engine pwsh`); its owner starts and ends it. */
  engine?: ScriptEngine;
}

const SAVE_DEBOUNCE_MS = 50;

/** What an estate keeps: its hosts' state and files, the fault book, the events, the debounced state file. */
export class EstateStore {
  readonly state: LabState;
  protected readonly faults: FaultBook;
  protected readonly clock: LabClock;
  protected readonly timeScale: number;
  protected readonly files: HostFiles;
  protected saveTimer: NodeJS.Timeout | undefined;
  protected saving: Promise<void> = Promise.resolve();

  /** What the hosts know about the runbook's software (the runbook's lab port). */
  protected readonly lab: LabKnowledge;

  protected constructor(
    protected readonly inventory: Inventory,
    runbook: LabRunbook,
    state: LabState,
    protected readonly options: EstateOptions,
  ) {
    this.state = state;
    this.lab = runbook.lab.knowledge;
    this.clock = options.clock ?? systemClock;
    this.timeScale = options.timeScale ?? 0;
    const faults = options.faults ?? [];
    const unknown = faults.filter((f) => 'host' in f && findKey(state.hosts, f.host) === undefined);
    if (unknown.length > 0) {
      throw new DeployError('badInput', 'the fault file names hosts that are not in the inventory', {
        code: 'FAULTS_INVALID',
        problems: unknown.map((f) => `host "${'host' in f ? f.host : ''}" (${f.kind})`),
      });
    }
    this.faults = new FaultBook(faults, () => this.state.faultCounters);
    this.files = new HostFiles(this.lab, () => this.scheduleSave());
  }

  hostNames(): string[] {
    return Object.keys(this.state.hosts);
  }

  hostKey(host: string): { privateKey: string; fingerprint: string } {
    const { hostKey } = this.host(host).state;
    return { privateKey: hostKey.privatePem, fingerprint: hostKey.fingerprint };
  }

  /** A connection attempt: 'refuse' (consumes one refusal), 'down', or undefined to accept. */
  connectFault(host: string): 'refuse' | 'down' | undefined {
    const { name } = this.host(host);
    const fault = this.faults.connect(name);
    if (fault) this.scheduleSave();
    return fault;
  }

  /** An SFTP upload landed. Throws (the front answers a failure) when the file is locked or read-only. */
  writeFile(host: string, windowsPath: string, content: Buffer): void {
    this.files.write(this.host(host).state, windowsPath, content);
  }

  readFile(host: string, windowsPath: string): Buffer | undefined {
    return this.files.read(this.host(host).state, windowsPath);
  }

  statFile(host: string, windowsPath: string): { size: number } | undefined {
    return this.files.stat(this.host(host).state, windowsPath);
  }

  /** Whether `windowsPath` is a folder holding files (for SFTP stat/mkdir); additive to the brief's API. */
  isDirectory(host: string, windowsPath: string): boolean {
    return this.files.isDirectory(this.host(host).state, windowsPath);
  }

  /** One command through the options' engine: it runs the script, the estate keeps its faults and state. */
  protected async viaEngine(
    engine: ScriptEngine,
    name: string,
    header: ScriptHeader,
    script: string,
    start: number,
  ): Promise<ExecOutcome> {
    const done = await engine.run(
      { name, header, script, start },
      {
        state: this.state,
        inventory: this.inventory,
        lab: this.lab,
        clock: this.clock,
        timeScale: this.timeScale,
        takeFault: (phaseHeader) => this.faults.takeCommandFault(name, phaseHeader),
        slowFactor: () => this.faults.slowFactor(name),
        record: (event) => {
          this.state.seq += 1;
          this.state.events.push({ seq: this.state.seq, ...event });
          this.scheduleSave();
          return this.state.seq;
        },
      },
    );
    if (done.changed) this.scheduleSave();
    return this.durable(done.changed, done.outcome);
  }

  /**
   * An apply changed the host, so the state is on disk before the answer leaves: the orchestrator
   * journals the step as done once it reads the answer, and a crash of this process (the
   * in-process lab dies with the CLI) must not forget work the journal says was done.
   */
  protected async durable(applied: boolean, outcome: ExecOutcome): Promise<ExecOutcome> {
    if (applied && this.options.statePath !== undefined) await this.flush();
    return outcome;
  }

  /** Writes any pending change now (and waits for writes in flight). */
  async flush(force = false): Promise<void> {
    const pending = this.saveTimer !== undefined;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (pending || force) this.enqueueSave();
    await this.saving;
  }

  protected host(host: string): { name: string; state: HostState } {
    const name = findKey(this.state.hosts, host);
    if (name === undefined)
      throw new DeployError('internal', `no simulated host "${host}"`, { code: 'LAB_NO_HOST' });
    return { name, state: this.state.hosts[name] as HostState };
  }

  protected record(
    name: string,
    header: StepHeader,
    start: number,
    exitCode: number | null,
    fault?: FaultKind,
    command?: number,
  ): void {
    this.state.seq += 1;
    this.state.events.push({
      seq: this.state.seq,
      start,
      end: this.clock.now(),
      host: name,
      action: header.action,
      target: header.target,
      phase: header.phase,
      exitCode,
      step: header.step,
      run: header.run,
      ...(fault ? { fault } : {}),
      ...(command === undefined ? {} : { command }),
    });
    this.scheduleSave();
  }

  protected scheduleSave(): void {
    if (this.options.statePath === undefined || this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.enqueueSave();
    }, SAVE_DEBOUNCE_MS);
  }

  protected enqueueSave(): void {
    const path = this.options.statePath;
    if (path === undefined) return;
    // Writes are serialised so an older snapshot never lands after a newer one.
    this.saving = this.saving.catch(() => undefined).then(() => saveState(path, this.state));
    // A failed background save must not crash the process; flush() still rejects with it.
    this.saving.catch(() => undefined);
  }
}

export function exit(exitCode: number, stdout: string, stderr: string): ExecOutcome {
  return { kind: 'exit', exitCode, stdout, stderr };
}

/** Whether the catalog reads `exitCode` of `action` as work done (ok, restart pending, already done). */
export function isSuccessCode(action: string, exitCode: number): boolean {
  const verdict = classifyExit(action, exitCode);
  return verdict !== 'transient' && verdict !== 'permanent';
}

export function headerError(message: string): ExecOutcome {
  // The sentinel still ends stdout so the engine reads a definite failure, not a dropped command.
  return exit(1, `${formatSentinel(1)}\r\n`, `deploy-rollup lab: ${message}\r\n`);
}

export function installerBusy(): Outcome {
  return {
    exitCode: 1618,
    stdout: [],
    stderr: [
      'msiexec.exe exited with code 1618 (ERROR_INSTALL_ALREADY_RUNNING): Another installation is already in progress. Complete that installation before proceeding with this install.',
    ],
  };
}
