/**
 * Small builders that turn runbook data into PlanSteps. Step ids are `stage/host/key`: stable
 * across runs and resumes, so the journal can match them.
 */
import type { Role } from '../../src/inventory/types.js';
import type { Params } from '../../src/remote/header.js';
import type { ObligationSpec, PlanStep } from '../../src/plan/types.js';

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
  neededAfter?: string[];
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
  if (input.neededAfter?.length) step.neededAfter = input.neededAfter;
  return step;
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
 * Placeholder for a value an earlier step captured (its probe's `DR:key=value`), resolved by the
 * engine at run time from the journal: `{{capture:STEP_ID:KEY}}`.
 */
export function captured(stepId: string, key: string): string {
  return `{{capture:${stepId}:${key}}}`;
}
