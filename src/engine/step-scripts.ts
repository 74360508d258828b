/**
 * The scripts a run sends for each step, built here without a host: what `deploy-rollup scripts`
 * writes for review. The choice of commands is the engine's own (`stepCommands` in
 * `step-forms.ts`; a gate as `gate.ts` probes it) on a fresh run where every step is pending;
 * the texts come from the same `scriptsFor`, so they match what the transport is handed byte
 * for byte.
 *
 * Values that exist only once a run is under way are never invented: a capture an earlier step
 * notes and a secret read from the environment become a visible marker instead, and the step's
 * scripts say so (`runtime`).
 */
import { scriptsFor } from '../actions/build-script.js';
import { GATE_ACTIONS } from '../actions/catalog.js';
import type { PackageContents, PlanStep } from '../plan/types.js';
import type { ParamValue, Params, ScriptPhase } from '../remote/header.js';
import { resolveParams } from './params.js';
import { stepCommands } from './step-forms.js';

export interface RuntimeValue {
  kind: 'capture' | 'secret';
  /** `STEP:KEY` for a capture, the environment variable for a secret. */
  name: string;
  /** What the exported script holds instead of the value. */
  marker: string;
}

export interface StepScript {
  phase: ScriptPhase;
  /** The host the script goes to (another than the step's for a check that spans hosts). */
  host: string;
  script: string;
}

export interface ExportedStep {
  step: PlanStep;
  scripts: StepScript[];
  runtime: RuntimeValue[];
}

const RUNTIME = /^\{\{(capture|secret):([^}]*)\}\}$/;

/** The marker an exported script holds where a run puts a value only it knows. */
export function runtimeMarker(kind: RuntimeValue['kind'], name: string): string {
  return `<run-time ${kind} ${name}>`;
}

function markRuntime(value: ParamValue, found: RuntimeValue[]): ParamValue {
  if (typeof value === 'string') {
    const match = RUNTIME.exec(value);
    if (!match) return value;
    const kind = match[1] === 'secret' ? 'secret' : 'capture';
    const name = match[2] ?? '';
    const marker = runtimeMarker(kind, name);
    if (!found.some((v) => v.marker === marker)) found.push({ kind, name, marker });
    return marker;
  }
  if (Array.isArray(value)) return value.map((v) => markRuntime(v, found));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markRuntime(v, found)]));
  return value;
}

/** Which commands the engine sends for `step`, given the obligations open when it starts. */
function commandsOf(step: PlanStep, open: ReadonlySet<string>): { phase: ScriptPhase; hosts: string[] }[] {
  const checkHosts = step.verifyOn ?? [step.host];
  // The operator does a gate step's work: the run probes it before the checklist and again after.
  if (GATE_ACTIONS.has(step.action)) return [{ phase: 'probe', hosts: checkHosts }];
  return stepCommands(step, (id) => open.has(id)).map(({ phase, on }) => ({
    phase,
    hosts: on === 'check' ? checkHosts : [step.host],
  }));
}

/**
 * Every step's scripts, in plan order, for a run named `runId`. Package placeholders are filled
 * from `pkg`; a missing identity throws as the run would (PACKAGE_IDENTITY_MISSING). Throws
 * TypeError for a step whose params no builder accepts.
 */
export function exportSteps(
  steps: readonly PlanStep[],
  pkg: { contents: PackageContents; hashes: Record<string, string> },
  runId: string,
): ExportedStep[] {
  const open = new Set<string>();
  return steps.map((step) => {
    const runtime: RuntimeValue[] = [];
    const marked = markRuntime(step.params, runtime) as Params;
    const params = resolveParams(
      marked,
      { captures: {}, packageHashes: pkg.hashes, package: pkg.contents },
      step.id,
    );
    const scripts = commandsOf(step, open).flatMap(({ phase, hosts }) => {
      const build = scriptsFor({
        run: runId,
        step: step.id,
        action: step.action,
        phase,
        target: step.target,
        params,
      });
      return hosts.map((host) => ({ phase, host, script: build(host) }));
    });
    // A fresh run's duties as it walks the plan: raised by a step that applies, closed by its remedy.
    for (const obligation of step.raises ?? []) open.add(obligation.id);
    for (const id of step.discharges ?? []) open.delete(id);
    return { step, scripts, runtime };
  });
}
