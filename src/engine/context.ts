/**
 * Everything the engine needs, as one object a test can replace whole (the composition root
 * in `src/cli/` builds the real one).
 */
import type { Inventory } from '../inventory/types.js';
import type { EventSink } from '../log/events.js';
import type { PackageContents, Runbook } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import type { Fence } from './fence.js';
import type { JournalWriter } from './journal-port.js';
import type { HostSelection } from './limit.js';
import type { FamilyBuilder } from '../actions/scripts/helpers.js';

export interface EngineOptions {
  /** A person is at a terminal: gates and guided failure prompt. */
  interactive: boolean;
  /** Confirm every gate (lab rehearsals). */
  yes: boolean;
  /** Gates confirmed on the command line (`--confirm GATE_ID`). */
  confirm: string[];
  /** The estate is the simulated lab: a confirmed gate's work is done by the simulated operator. */
  lab: boolean;
  /** Who confirms gates and makes decisions (recorded in the journal). */
  operator: string;
  probeTimeoutMs: number;
  stepTimeoutMs: number;
  retries: number;
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Send consecutive steps of a host's lane as one `batch` script where they can (see
   * `run-batch.ts`); false: every step as its own command (`--no-batch`).
   */
  batch: boolean;
  /** `--limit` / `--exclude`: the hosts this invocation leaves out (see `limit.ts`). */
  selection?: HostSelection;
  /** Pause after the first host of a stage that allows it (`--pause-after-first-hub`; see first-host-pause.ts). */
  pauseAfterFirst?: boolean;
  /**
   * The command that carries this run on, up to `--resume` (`deploy-rollup --inventory F --lab
   * --state-dir D …`, shell-quoted): every printed `next:` command starts with it.
   */
  resumePrefix?: string;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  interactive: false,
  yes: false,
  confirm: [],
  lab: false,
  operator: 'unknown',
  probeTimeoutMs: 120_000,
  stepTimeoutMs: 1_800_000,
  retries: 4,
  retryMinMs: 500,
  retryMaxMs: 15_000,
  batch: true,
};

export interface Prompter {
  /** Shows the question, returns the trimmed answer. */
  ask(question: string): Promise<string>;
}

/**
 * The lab's simulated operator (a lab port the composition root hands over with `--lab`): the
 * action name and script of the one command that makes the simulated estate do a confirmed gate's work.
 */
export interface SimulatedOperator {
  action: string;
  script: FamilyBuilder;
}

export interface EngineDeps {
  runbook: Runbook;
  inventory: Inventory;
  runId: string;
  transport(host: string): Transport;
  journal: JournalWriter;
  emit: EventSink;
  options: EngineOptions;
  packageHashes: Record<string, string>;
  /** The package as preflight read it: each MSI's identity, which the steps are built from. */
  package: PackageContents;
  prompt?: Prompter;
  now(): number;
  /**
   * Set while a resume is still connecting its hosts (see `reachEveryHost`): resolves true once
   * `host` (without one: every host) was reached, false if it cannot be. Absent: all reached.
   */
  ready?: (host?: string) => Promise<boolean>;
  /** The run's directory (absent for work without one: dry runs, verify); msiexec logs go there. */
  runDir?: string;
  /** Masks the run's secrets in text copied from a host into the run directory (msiexec logs). */
  redact?: (text: string) => string;
  /** Checked before each intent and each apply (see `fence.ts`); absent: nothing is fenced (tests, dry runs). */
  fence?: Fence;
  /** With `--lab`: who does a confirmed gate's work on the simulated estate. */
  simulatedOperator?: SimulatedOperator;
}
