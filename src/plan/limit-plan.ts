/**
 * The plan under `--limit` / `--exclude`: every step stays in it (JSON consumers see the same
 * stages and ids), steps on a left-out host carry `excluded: true`, and `limit` says which flags
 * left out which hosts.
 */
import type { HostSelection } from '../engine/limit.js';
import type { PlanDocument } from './types.js';

export function markExcluded(plan: PlanDocument, selection: HostSelection | undefined): PlanDocument {
  if (!selection) return plan;
  const out = new Set(selection.excluded);
  return {
    ...plan,
    limit: { flags: selection.described, excluded: selection.excluded },
    stages: plan.stages.map((stage) => ({
      ...stage,
      steps: stage.steps.map((step) => (out.has(step.host) ? { ...step, excluded: true as const } : step)),
    })),
  };
}
