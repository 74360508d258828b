/**
 * `--dry-run`: walk the same statechart as a real run with a recording effect. Offline, facts
 * come from the inventory; live, preflight probes them and every step's read-only probe says
 * whether it is already done. The plan can be saved with a fingerprint of what was probed.
 */
import type { JournalEntry } from '../durability/journal-types.js';
import type { JournalWriter } from '../engine/journal-port.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeployError } from '../errors.js';
import type { EngineDeps } from '../engine/context.js';
import { checkPackage } from '../engine/package-check.js';
import { probeStep } from '../engine/execute-step.js';
import { Ledger } from '../engine/ledger.js';
import { preflight } from '../engine/preflight.js';
import type { Facts, Inventory } from '../inventory/types.js';
import { planStages, toPlanDocument } from '../plan/build-plan.js';
import type { PackageContents, PlanDocument, Runbook } from '../plan/types.js';

export function planFingerprint(plan: PlanDocument): string {
  const material = {
    facts: plan.facts,
    // What the package says it installs: a plan made for other MSIs is not this plan.
    package: (plan.package?.files ?? []).map((f) => [f.name.toLowerCase(), f.sha256, f.msi ?? null]),
    steps: plan.stages.flatMap((s) =>
      s.steps.map((step) => [step.id, step.host, step.action, step.target, step.probe?.done ?? null]),
    ),
  };
  return 'sha256:' + createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/**
 * The package read for an offline plan: when its folder is there and sound, the plan carries
 * what each MSI says it installs; otherwise (no folder yet, or problems that a live run's
 * preflight would report) the plan is built without identities rather than refused.
 */
async function packageIfPresent(runbook: Runbook, inventory: Inventory): Promise<PackageContents> {
  if (runbook.packageFiles.length === 0) return {};
  const checked = await checkPackage(inventory.packageDir, runbook.packageFiles);
  return checked.problems.length === 0 ? checked.contents : {};
}

export async function offlinePlan(runbook: Runbook, inventory: Inventory): Promise<PlanDocument> {
  const facts: Facts = { ...inventory.facts };
  const pkg = await packageIfPresent(runbook, inventory);
  const doc = toPlanDocument(runbook, facts, await planStages(runbook, inventory, facts, pkg), pkg);
  const evidence: PlanDocument['evidence'] = {};
  for (const [name, value] of Object.entries(facts))
    evidence[name] = {
      value: value === true,
      evidence: ['pinned in the inventory'],
      source: 'inventory',
    };
  return { ...doc, evidence };
}

/** A journal that lives in memory: a dry run records nothing on disk. */
function memoryJournal(): JournalWriter {
  const entries: JournalEntry[] = [];
  return {
    appendMany: async (batch) => {
      for (const e of batch) entries.push({ ...e, seq: entries.length + 1, at: new Date().toISOString() });
    },
    readAll: () => entries,
  };
}

export async function livePlan(deps: EngineDeps): Promise<PlanDocument> {
  const checked = await preflight(deps, { checkPackage: true });
  deps.packageHashes = checked.packageHashes;
  deps.package = checked.package;
  const stages = await planStages(deps.runbook, deps.inventory, checked.facts, checked.package);
  const doc = toPlanDocument(deps.runbook, checked.facts, stages, checked.package);
  const ledger = new Ledger(memoryJournal());
  for (const stage of stages) {
    const planned = doc.stages.find((s) => s.id === stage.id);
    for (const step of stage.lanes.flatMap((l) => l.steps)) {
      const probe = await probeStep(deps, ledger, step).catch((error: unknown) => ({
        done: false,
        evidence: { error: (error as Error).message },
      }));
      const target = planned?.steps.find((s) => s.id === step.id);
      if (target) target.probe = { done: probe.done, evidence: probe.evidence };
      // Walk on as the run would: values a probe notes feed later steps, and a step that would run
      // counts as a change that later follow-ups (restarts, IIS reset) are needed for.
      await ledger.record({
        type: 'step.probe',
        stepId: step.id,
        host: step.host,
        done: probe.done,
        evidence: probe.evidence,
      });
      if (!probe.done)
        await ledger.record({
          type: 'step.result',
          stepId: step.id,
          host: step.host,
          outcome: 'ok',
          attempt: 0,
        });
    }
  }
  const withEvidence = { ...doc, evidence: checked.evidence };
  return { ...withEvidence, fingerprint: planFingerprint(withEvidence) };
}

/** Refuses a saved plan that no longer matches the estate, listing the differences. */
export async function checkSavedPlan(file: string, current: PlanDocument): Promise<void> {
  let saved: PlanDocument;
  try {
    saved = JSON.parse(await readFile(file, 'utf8')) as PlanDocument;
  } catch (error) {
    throw new DeployError('badInput', `cannot read the saved plan ${file}: ${(error as Error).message}`, {
      code: 'PLAN_UNREADABLE',
      hint: 'save one with --dry-run --save-plan FILE',
    });
  }
  if (saved.fingerprint === current.fingerprint) return;
  const before = new Map(saved.stages.flatMap((s) => s.steps.map((st) => [st.id, st.probe?.done])));
  const after = new Map(current.stages.flatMap((s) => s.steps.map((st) => [st.id, st.probe?.done])));
  const problems: string[] = [];
  const savedFiles = new Map((saved.package?.files ?? []).map((f) => [f.name.toLowerCase(), f]));
  for (const file of current.package?.files ?? []) {
    const before = savedFiles.get(file.name.toLowerCase());
    if (!before) continue;
    if (before.sha256 !== file.sha256) problems.push(`package ${file.name}: sha256 differs from the plan's`);
    for (const key of ['productCode', 'productVersion', 'productName', 'upgradeCode'] as const) {
      const was = before.msi?.[key];
      const now = file.msi?.[key];
      if (was !== now)
        problems.push(
          `package ${file.name}: ${key} was ${was ?? '(none)'} in the plan, the package now says ${now ?? '(none)'}`,
        );
    }
  }
  for (const [name, value] of Object.entries(current.facts)) {
    if (saved.facts[name] !== value)
      problems.push(
        `fact ${name}: plan had ${String(saved.facts[name])}, the estate now shows ${String(value)}`,
      );
  }
  for (const [id, done] of after) {
    if (!before.has(id)) problems.push(`+ ${id} (new step)`);
    else if (before.get(id) !== done)
      problems.push(
        `~ ${id}: ${before.get(id) ? 'was done' : 'was pending'}, now ${done ? 'done' : 'pending'}`,
      );
  }
  for (const id of before.keys()) if (!after.has(id)) problems.push(`- ${id} (no longer planned)`);
  throw new DeployError(
    'preflight',
    `the saved plan ${file} is stale: the estate changed since it was made`,
    {
      code: 'PLAN_STALE',
      // A long list is cut, and says by how much (the full list is a --dry-run away).
      problems:
        problems.length > 50
          ? [...problems.slice(0, 50), `… and ${problems.length - 50} more change(s) not listed`]
          : problems,
      hint: 'review the changes and save a new plan with --dry-run --save-plan',
    },
  );
}
