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

export function renderPlanText(plan: PlanDocument): string {
  const lines: string[] = [];
  const total = plan.stages.reduce((n, s) => n + s.steps.length, 0);
  lines.push(`Plan for runbook ${plan.runbook}: ${plan.stages.length} stages, ${total} steps`);
  lines.push(`Facts: ${factLine(plan) || 'none'}`);
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
        const status = step.probe ? (step.probe.done ? '  [already done]' : '  [will run]') : '';
        const target = step.target ? ` ${step.target}` : '';
        const where = step.verifyOn ? `  (checked on ${step.verifyOn.join(', ') || 'no host'})` : '';
        lines.push(`     - ${step.action}${target}: ${step.description}${where}${status}`);
      }
    }
  });
  return lines.join('\n') + '\n';
}
