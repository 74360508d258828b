/** The plan as an operator reads it: by stage, then host, with gates and their checklists. */
import type { PlanDocument } from './types.js';

function factLine(plan: PlanDocument): string {
  const parts = Object.entries(plan.facts).map(([name, value]) => {
    const evidence = plan.evidence?.[name];
    const how = evidence
      ? ` (${evidence.source}${evidence.evidence.length ? ': ' + evidence.evidence.slice(0, 3).join('; ') : ''})`
      : '';
    return `${name}=${String(value)}${how}`;
  });
  return parts.join(', ');
}

type PlannedStep = PlanDocument['stages'][number]['steps'][number];

/**
 * What an install puts in place and what an uninstall will remove, by ProductCode: the
 * package's identity and, in a live dry run, what the probe found on each host.
 */
function identityLines(step: PlannedStep): string[] {
  const out: string[] = [];
  const { productCode, version } = step.params;
  if (step.action.endsWith('.install') && typeof productCode === 'string' && typeof version === 'string')
    out.push(`         installs ${productCode} at ${version}`);
  // A discovery's findings are what later steps act on: the operator reads them here first.
  if (step.action.endsWith('.discover') && step.probe) {
    const found = Object.entries(step.probe.evidence ?? {}).filter(
      ([key, value]) => value !== '' && key !== 'state',
    );
    out.push(
      `         found on ${step.host}: ${found.map(([key, value]) => `${key}=${value}`).join('; ') || 'nothing'}`,
    );
  }
  if (step.probe && !step.probe.done) {
    for (const [key, value] of Object.entries(step.probe.evidence ?? {})) {
      if (value === '' || !(key === 'remove' || key.endsWith('.remove'))) continue;
      const host = key === 'remove' ? step.host : key.slice(0, -'.remove'.length);
      out.push(`         removes on ${host}: ${value}`);
    }
  }
  return out;
}

export function renderPlanText(plan: PlanDocument): string {
  const lines: string[] = [];
  const total = plan.stages.reduce((n, s) => n + s.steps.length, 0);
  lines.push(`Plan for runbook ${plan.runbook}: ${plan.stages.length} stages, ${total} steps`);
  lines.push(`Facts: ${factLine(plan) || 'none'}`);
  if (plan.limit)
    lines.push(`Limited (${plan.limit.flags}): not done by this run: ${plan.limit.excluded.join(', ')}`);
  plan.stages.forEach((stage, index) => {
    lines.push('');
    lines.push(`${index + 1}. ${stage.title}  [${stage.id}]`);
    if (stage.gate) {
      lines.push(
        `   OPERATOR GATE "${stage.gate.id}" on ${stage.gate.host} — the run waits here until you confirm:`,
      );
      stage.gate.checklist.forEach((item, i) => lines.push(`     ${i + 1}) ${item}`));
      lines.push(`   Then it verifies by probing:`);
    }
    if (stage.steps.length === 0) lines.push('   (no hosts with this role: nothing to do)');
    const hosts = [...new Set(stage.steps.map((s) => s.host))];
    for (const host of hosts) {
      const steps = stage.steps.filter((s) => s.host === host);
      lines.push(`   ${host} (${steps[0]?.role ?? ''})`);
      for (const step of steps) {
        const status = step.excluded
          ? '  [excluded: left for a later run]'
          : step.probe
            ? step.probe.done
              ? '  [already done]'
              : '  [will run]'
            : '';
        const target = step.target ? ` ${step.target}` : '';
        const where = step.verifyOn ? `  (checked on ${step.verifyOn.join(', ') || 'no host'})` : '';
        lines.push(`     - ${step.action}${target}: ${step.description}${where}${status}`);
        lines.push(...identityLines(step));
      }
    }
  });
  return lines.join('\n') + '\n';
}
