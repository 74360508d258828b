/**
 * What every simulated action gets (the host, the parsed header, the estate) and the helpers to
 * answer like the real tool: `DR:` result lines on stdout, messages on stderr, an exit code.
 */
import type { Inventory } from '../../../inventory/types.js';
import type { ParamValue, Phase, ScriptHeader } from '../../../remote/header.js';
import { formatResultLine } from '../../../remote/header.js';
import type { FaultKind, HostState, LabState } from '../state.js';
import type { LabKnowledge } from '../lab-profile.js';
import { getCI } from '../names.js';
import { PROVISIONING_ENGINE } from '../host-base.js';
import type { OperatorTask } from '../lab-profile.js';

export interface ActionContext {
  /** The host's name as the state spells it. */
  name: string;
  host: HostState;
  state: LabState;
  /** The command's header, naming the phase to act out (a `run` command acts its phases one by one). */
  header: ScriptHeader & { phase: Phase };
  inventory: Inventory;
  /** What the hosts know about the estate's runbook's software (its lab port, from the estate). */
  lab: LabKnowledge;
  now: number;
  /** Whether the simulated operator should skip an item (a `forget` fault); consumes the fault. */
  forgets(gate: string, item: string): boolean;
}

export interface Outcome {
  exitCode: number;
  stdout: string[];
  stderr: string[];
  /** A fault that shaped this outcome (recorded in the event). */
  fault?: FaultKind;
}

/**
 * What the pwsh engine's stand-in native programs (`src/lab/pwsh/natives.ts`) must know that the
 * host does not say: facts a step's params give, gathered from the steps of a command.
 */
export interface NativeHints {
  /** InstallUtil: the registry keys an assembly's installers create (install) or remove (/u), by assembly path. */
  installUtilKeys?: Record<string, string[]>;
  /** Hotfix packages: the file each replaces, by package path. */
  hotfixTargets?: Record<string, string>;
}

/**
 * How one action behaves per phase in the simulated estate; verify defaults to probe (both
 * read-only). The optional members are what the rest of the lab asks of an action, in place of
 * knowing it by name.
 */
export interface ActionSpec {
  probe(ctx: ActionContext): Outcome;
  apply(ctx: ActionContext): Outcome;
  verify?(ctx: ActionContext): Outcome;
  /** A gate action: what the simulated operator (`lab.operator`) does for an item of it. */
  operator?: OperatorTask;
  /** Under the pwsh engine, what the stand-in native programs must know from this step's params. */
  natives?(params: ScriptHeader['params'], host: HostState): NativeHints;
  /**
   * Under the pwsh engine, the native program (lower-case file name) whose run this action's
   * model apply acts out: the stand-in answers that program's start with the apply's outcome.
   */
  actsOutProgram?: string;
}

/** A probe's answer: `DR:state=done|pending` and evidence lines. */
export function report(isDone: boolean, evidence: Record<string, string | number | boolean> = {}): Outcome {
  const stdout = [formatResultLine('state', isDone ? 'done' : 'pending')];
  for (const [key, value] of Object.entries(evidence)) stdout.push(formatResultLine(key, String(value)));
  return { exitCode: 0, stdout, stderr: [] };
}

export function ok(stdout: string[] = []): Outcome {
  return { exitCode: 0, stdout, stderr: [] };
}

export function fail(exitCode: number, message: string, stdout: string[] = []): Outcome {
  return { exitCode, stdout, stderr: message.split('\n') };
}

/** A PowerShell terminating error as it reads on stderr. */
export function psError(message: string, category = 'NotSpecified'): Outcome {
  return fail(
    1,
    `${message}\n    + CategoryInfo          : ${category}\n    + FullyQualifiedErrorId : DeployRollup`,
  );
}

export function fileInUse(path: string): Outcome {
  return psError(
    `The process cannot access the file '${path}' because it is being used by another process.`,
    'WriteError: (:) [Copy-Item], IOException',
  );
}

export function notFound(path: string): Outcome {
  return psError(
    `Cannot find path '${path}' because it does not exist.`,
    `ObjectNotFound: (${path}:String) [], ItemNotFoundException`,
  );
}

/** A header parameter was missing or of the wrong type: the script builder's bug, reported plainly. */
export class ParamError extends Error {}

function param(ctx: ActionContext, key: string): ParamValue | undefined {
  return ctx.header.params[key];
}

export function str(ctx: ActionContext, key: string): string {
  const value = param(ctx, key);
  if (typeof value !== 'string')
    throw new ParamError(`${ctx.header.action}: parameter "${key}" must be a string`);
  return value;
}

export function optStr(ctx: ActionContext, key: string): string | undefined {
  const value = param(ctx, key);
  return typeof value === 'string' ? value : undefined;
}

export function num(ctx: ActionContext, key: string): number {
  const value = param(ctx, key);
  if (typeof value !== 'number')
    throw new ParamError(`${ctx.header.action}: parameter "${key}" must be a number`);
  return value;
}

export function bool(ctx: ActionContext, key: string): boolean {
  const value = param(ctx, key);
  if (typeof value !== 'boolean')
    throw new ParamError(`${ctx.header.action}: parameter "${key}" must be true or false`);
  return value;
}

export function strList(ctx: ActionContext, key: string): string[] {
  const value = param(ctx, key);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ParamError(`${ctx.header.action}: parameter "${key}" must be a list of strings`);
  }
  return value as string[];
}

/** The header's target, required. */
export function target(ctx: ActionContext): string {
  if (ctx.header.target === '') throw new ParamError(`${ctx.header.action}: the header names no target`);
  return ctx.header.target;
}

export function engineRunning(host: HostState): boolean {
  return getCI(host.comPlus, PROVISIONING_ENGINE)?.running ?? false;
}

/** Whether `path` (normalised) is in the folder whose MSIs the Provisioning Engine holds open while it runs. */
export function inEngineShare(lab: LabKnowledge, path: string): boolean {
  const share = lab.provisioning?.msiShare;
  return share !== undefined && path.toLowerCase().startsWith(share.toLowerCase() + '\\');
}
