/**
 * The seam between the estate and something other than the model that runs a host's scripts
 * (`--lab-engine pwsh`: real PowerShell with the Windows stand-in, see src/lab/pwsh/). The estate
 * keeps what a host's powershell.exe does not decide: the fronts, the script's delivery and
 * header, a host that is down, a 32-bit PowerShell, the fault file's counters and the state
 * file. The engine runs the script and says what the host answered; it records one event per
 * phase through `record`, as the model does.
 */
import type { Inventory } from '../../inventory/types.js';
import type { Phase, ScriptHeader } from '../../remote/header.js';
import type { LabClock } from './clock.js';
import type { LabKnowledge } from './lab-profile.js';
import type { Fault } from './faults.js';
import type { LabEvent, LabState } from './state.js';

/** A header naming one phase of one step (a batch's step, or the script's own). */
export type PhaseHeader = ScriptHeader & { phase: Phase };

export type CommandFault = Extract<Fault, { kind: 'fail' | 'drop' | 'hang' }>;

export type EngineOutcome =
  | { kind: 'exit'; stdout: string; stderr: string; exitCode: number }
  | { kind: 'drop'; stdout: string }
  | { kind: 'hang' };

/** What the estate lends an engine for one command on one host. */
export interface EngineServices {
  state: LabState;
  inventory: Inventory;
  /** What the hosts know about the runbook's software (the estate's lab port). */
  lab: LabKnowledge;
  clock: LabClock;
  /** The estate's multiplier on nominal durations (0: instant). */
  timeScale: number;
  /** The fault file's fail/drop/hang for this phase, if one has firings left (consumes one). */
  takeFault(header: PhaseHeader): CommandFault | undefined;
  /** The host's `slow` factor, if the fault file names one. */
  slowFactor(): number | undefined;
  /** Appends an event (the estate numbers it) and returns its seq. */
  record(event: Omit<LabEvent, 'seq'>): number;
}

export interface EngineCommand {
  /** The host's name as the state spells it. */
  name: string;
  header: ScriptHeader;
  /** The script's text, as decoded from the command or standard input. */
  script: string;
  start: number;
}

export interface ScriptEngine {
  /**
   * Whether the engine runs this script; the model answers the rest (the simulated operator,
   * `lab.operator`, whose script does nothing: a person does the work in a GUI).
   */
  runs(header: ScriptHeader): boolean;
  /**
   * Runs one script on a host and replaces `services.state.hosts[name]` with the state after.
   * `changed`: the host state differs (the estate then saves it before the answer leaves).
   */
  run(
    command: EngineCommand,
    services: EngineServices,
  ): Promise<{ outcome: EngineOutcome; changed: boolean }>;
}
