/**
 * Small builders that turn runbook data into PlanSteps. Step ids are `stage/host/key`: stable
 * across runs and resumes, so the journal can match them.
 */
import { createHash } from 'node:crypto';
import type { Role } from '../../src/inventory/types.js';
import type { Params } from '../../src/remote/header.js';
import type { ObligationSpec, PlanStep, Stage, StageHead } from '../../src/plan/types.js';

export interface StepInput {
  key: string;
  action: string;
  target: string;
  description: string;
  params?: Params;
  skippable?: boolean;
  verifyOn?: string[];
  raises?: ObligationSpec[];
  discharges?: string[];
  supersededBy?: PlanStep[];
  /**
   * The steps this one follows up (a restart after a change, a check after a repair): it says
   * what triggers it by the step objects themselves, never by ids spelt again; the plan keeps
   * their ids (`PlanStep.neededAfter`).
   */
  neededAfter?: readonly PlanStep[];
  /** Why it authenticates beyond its host (`PlanStep.onwardAuth`). */
  onwardAuth?: string;
}

export function makeStep(stage: string, host: string, role: Role, input: StepInput): PlanStep {
  const step: PlanStep = {
    id: `${stage}/${host}/${input.key}`,
    stage,
    host,
    role,
    action: input.action,
    target: input.target,
    description: input.description,
    params: input.params ?? {},
  };
  if (input.skippable) step.skippable = true;
  if (input.verifyOn) step.verifyOn = input.verifyOn;
  if (input.raises?.length) step.raises = input.raises;
  if (input.discharges?.length) step.discharges = input.discharges;
  if (input.supersededBy?.length) step.supersededBy = input.supersededBy;
  if (input.neededAfter?.length) step.neededAfter = input.neededAfter.map((s) => s.id);
  if (input.onwardAuth) step.onwardAuth = input.onwardAuth;
  return step;
}

/**
 * An operator gate: a person works through `checklist` on `host`, one item at a time and none
 * in parallel; the lanes' steps are the read-only checks that verify the work.
 */
export function gateStage(head: StageHead, host: string, lanes: Stage['lanes'], checklist: string[]): Stage {
  return {
    id: head.id,
    title: head.title,
    kind: 'gate',
    lanes,
    window: 1,
    errorBudget: 0,
    gate: { id: head.id, title: head.title, host, checklist },
  };
}

/** Windows path join (the host's separator, whatever this machine uses). */
export function winJoin(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p.replace(/\\+$/, '') : p.replace(/^\\+|\\+$/g, ''))).join('\\');
}

/** A file-name-safe key fragment from a target (`Exchange 2007 Provider` → `exchange-2007-provider`). */
export function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A slug for each of `values` that no other of them shares: `slug(value)` unless two different
 * values slug alike (`PCMTA_A` and `PCMTA-A`), then each of those gets 8 hex digits of its own
 * SHA-256 too (`pcmta-a-1f0c…`). Step ids built from inventory values stay distinct by
 * construction, and ids of values that do not collide are unchanged.
 */
export function distinctSlugs(values: readonly string[]): (value: string) => string {
  const owners = new Map<string, Set<string>>();
  for (const value of values) {
    const key = slug(value);
    owners.set(key, (owners.get(key) ?? new Set()).add(value));
  }
  return (value: string): string => {
    const key = slug(value);
    if ((owners.get(key)?.size ?? 0) < 2) return key;
    return `${key}-${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8)}`;
  };
}

/**
 * Placeholder for a value an earlier step captured (its probe's `DR:key=value`), resolved by the
 * engine at run time from the journal: `{{capture:STEP_ID:KEY}}`.
 */
export function captured(stepId: string, key: string): string {
  return `{{capture:${stepId}:${key}}}`;
}
