/**
 * The plan is pure: inventory + facts + runbook → stages of steps, by walking the same
 * statechart a real run walks, with an effect that records each stage instead of running it.
 */
import { DeployError, isDeployError } from '../errors.js';
import type { Facts, Inventory } from '../inventory/types.js';
import type { PackageContents, PlanDocument, Runbook, Stage, StageContext } from './types.js';
import { requireUniqueStepIds } from './unique-ids.js';
import { walkRunbook } from './walk.js';

export function versionsFor(runbook: Runbook, inventory: Inventory): Record<string, string> {
  return { ...runbook.defaultVersions, ...(inventory.versions ?? {}) };
}

/** `pkg`: the package as preflight read it (the identity of each MSI); empty when it was not read. */
export function stageContext(
  runbook: Runbook,
  inventory: Inventory,
  facts: Facts,
  pkg: PackageContents = {},
): StageContext {
  return { inventory, facts: facts, versions: versionsFor(runbook, inventory), package: pkg };
}

/**
 * Stages in execution order. Throws a badInput error naming a fact a branch needed and nobody
 * pinned, or two steps with one id (`STEP_ID_COLLISION`).
 */
export async function planStages(
  runbook: Runbook,
  inventory: Inventory,
  facts: Facts,
  pkg: PackageContents = {},
): Promise<Stage[]> {
  const context = stageContext(runbook, inventory, facts, pkg);
  const stages: Stage[] = [];
  // A stage that cannot be built from what the operator gave (a missing input) says so itself
  // (exit 2); the statechart would otherwise only see a failed stage.
  let refused: DeployError | undefined;
  const result = await walkRunbook(runbook.machine, facts, async (stageId) => {
    try {
      stages.push(runbook.buildStage(stageId, context));
    } catch (error) {
      if (isDeployError(error)) refused ??= error;
      throw error;
    }
  });
  if (refused) throw refused;
  if (result.status === 'missingFact') {
    const fact = result.missingFact ?? 'unknown';
    throw new DeployError(
      'badInput',
      `the plan needs the fact "${fact}" (${runbook.inventory.facts.find((f) => f.id === fact)?.description ?? fact}), and it is not known`,
      {
        code: 'FACT_MISSING',
        hint: `pin it in ${inventory.file} under facts: (e.g. "facts: { ${fact}: false }"), or drop --offline so preflight probes it`,
      },
    );
  }
  if (result.status === 'failed') {
    throw new DeployError(
      'internal',
      `walking the ${runbook.id} statechart failed: ${String(result.error)}`,
      { code: 'PLAN_FAILED' },
    );
  }
  requireUniqueStepIds(stages);
  return stages;
}

export function toPlanDocument(
  runbook: Runbook,
  facts: Facts,
  stages: Stage[],
  pkg: PackageContents = {},
): PlanDocument {
  const files = Object.values(pkg);
  return {
    runbook: runbook.id,
    facts,
    ...(files.length > 0 ? { package: { files } } : {}),
    stages: stages.map((stage) => ({
      id: stage.id,
      title: stage.title,
      ...(stage.gate ? { gate: stage.gate } : {}),
      ...(stage.subset ? { subset: stage.subset } : {}),
      steps: stage.lanes.flatMap((lane) =>
        lane.steps.map((step) => ({
          id: step.id,
          host: step.host,
          role: step.role,
          action: step.action,
          target: step.target,
          description: step.description,
          params: step.params,
          ...(step.skippable ? { skippable: true } : {}),
          ...(step.verifyOn ? { verifyOn: step.verifyOn } : {}),
        })),
      ),
    })),
  };
}
