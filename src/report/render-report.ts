/** The run report as Markdown (report.md) and as a one-screen console summary. */
import type { ReportStep, RunReport } from './build-report.js';

/** Table cells must not break the table: pipes escaped, newlines flattened. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function stepResult(step: ReportStep): string {
  if (step.state === 'notStarted') return 'not started';
  if (step.state === 'inFlight') return 'in flight (unknown: probe on resume)';
  return step.outcome ?? step.state;
}

function headline(report: RunReport): string {
  if (report.status === 'finished') return 'finished: the runbook is applied';
  if (report.status === 'abandoned')
    return `abandoned by ${report.abandoned?.by ?? '?'}${report.abandoned?.cleanup ? ' (open obligations discharged)' : ' (no cleanup)'}`;
  if (report.status === 'halted')
    // A multi-line reason (a gate's missing items) is listed in full elsewhere: its first line here.
    return `stopped (exit ${report.halted?.exitCode ?? '?'}): ${(report.halted?.reason ?? '').split('\n')[0] ?? ''}`;
  return `${report.status} (the run did not reach a stopping point it recorded)`;
}

export function renderReportMarkdown(report: RunReport): string {
  const out: string[] = [];
  out.push(`# Run report ${report.runId}`, '');
  out.push(
    `- Runbook: ${report.runbook}${report.runbookVersion ? ` (version ${report.runbookVersion})` : ''}`,
  );
  if (report.inventoryFile) out.push(`- Inventory: \`${report.inventoryFile}\``);
  if (report.startedAt) out.push(`- Started: ${report.startedAt}`);
  if (report.lastEntryAt) out.push(`- Last journal entry: ${report.lastEntryAt}`);
  out.push(`- Outcome: **${headline(report)}**`);
  const t = report.totals;
  out.push(
    `- Steps: ${t.done} done, ${t.failed} failed, ${t.notStarted} not started, ${t.retried} retried (of ${t.planned})`,
    '',
  );

  out.push('## Facts', '');
  if (report.facts.length === 0) out.push('None recorded (the run stopped before preflight finished).');
  for (const fact of report.facts)
    out.push(
      `- **${fact.name}** = \`${JSON.stringify(fact.value)}\` (${fact.source}): ${fact.evidence || 'no evidence recorded'}`,
    );
  out.push('');

  out.push('## Operator gates', '');
  if (report.gates.length === 0) out.push('No gate was reached.');
  else {
    out.push(
      '| Gate | Host | State | Confirmed by | How | Confirmed at | Verified at | Missing |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const g of report.gates) {
      out.push(
        `| ${g.gateId} | ${g.host ?? ''} | ${g.state} | ${cell(g.confirmedBy ?? '')} | ${cell(g.how ?? '')} | ${g.confirmedAt ?? ''} | ${g.verifiedAt ?? ''} | ${cell(g.missing.join('; '))} |`,
      );
    }
  }
  out.push('');

  out.push('## Steps per host', '');
  for (const { host, steps } of report.hosts) {
    out.push(
      `### ${host}`,
      '',
      '| Stage | Step | Result | Attempts | Duration | Exit codes |',
      '|---|---|---|---|---|---|',
    );
    for (const s of steps) {
      const what = s.action ? `${s.action} ${s.target}` : s.stepId;
      const result = stepResult(s) + (s.message && s.state === 'failed' ? `: ${s.message}` : '');
      out.push(
        `| ${s.stage} | ${cell(what)} | ${cell(result)} | ${s.attempts} | ${s.durationMs} ms | ${s.exitCodes.length > 0 ? cell(s.exitCodes.join(', ')) : '—'} |`,
      );
    }
    out.push('');
  }

  const others = report.otherCommands ?? [];
  if (others.length > 0) {
    out.push(
      '## Other commands',
      '',
      'Commands of no plan step: preflight inspections, the simulated operator, checks.',
      '',
      '| Host | Step | Action | Duration | Exit codes |',
      '|---|---|---|---|---|',
    );
    for (const c of others)
      out.push(
        `| ${c.host} | ${cell(c.stepId)} | ${cell(c.action)} | ${c.durationMs} ms | ${cell(c.exitCodes.join(', '))} |`,
      );
    out.push('');
  }

  out.push('## Backups', '');
  if (report.backups.length === 0) out.push('No backup steps in this plan.');
  for (const b of report.backups)
    out.push(`- ${b.host}: \`${b.source}\` → \`${b.dest}\` ${b.taken ? '(taken)' : '(not taken)'}`);
  out.push('');

  out.push('## Obligations', '');
  if (report.obligations.open.length === 0) out.push('None open.');
  for (const o of report.obligations.open)
    out.push(
      `- OPEN: ${o.description}${o.host ? ` (${o.host})` : ''} — resume the run to discharge it, or \`--abandon\` (with cleanup)`,
    );
  for (const o of report.obligations.discharged) out.push(`- discharged: ${o.id} (${o.how})`);
  out.push('');

  if (report.decisions.length > 0) {
    out.push('## Operator decisions', '');
    for (const d of report.decisions)
      out.push(`- ${d.at} ${d.by}: ${d.choice} ${d.stepId} on ${d.host} — ${d.reason}`);
    out.push('');
  }

  out.push('## Package hashes (SHA-256)', '');
  const files = Object.entries(report.packageHashes);
  if (files.length === 0) out.push('Not recorded.');
  for (const [file, hash] of files) out.push(`- \`${file}\` ${hash}`);
  out.push('');
  if (report.warnings.length > 0) out.push('## Warnings', '', ...report.warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}

/** At most ~15 lines: outcome, per-host counts, gates, open obligations, where the report is. */
export function renderConsoleSummary(report: RunReport, reportPath: string): string {
  const lines = [`Summary of run ${report.runId}: ${headline(report)}`];
  const hostParts = report.hosts.map(({ host, steps }) => {
    const done = steps.filter((s) => s.state === 'done').length;
    const failed = steps.filter((s) => s.state === 'failed').length;
    const retried = steps.filter((s) => s.attempts > 1).length;
    return `${host} ${done}/${steps.length}${failed ? ` ${failed} failed` : ''}${retried ? ` ${retried} retried` : ''}`;
  });
  for (let i = 0; i < hostParts.length && i < 24; i += 3)
    lines.push(`  ${hostParts.slice(i, i + 3).join('   ')}`);
  if (hostParts.length > 24) lines.push(`  … and ${hostParts.length - 24} more host(s)`);
  const gates = report.gates.map(
    (g) => `${g.gateId} ${g.state}${g.confirmedBy ? ` by ${g.confirmedBy} (${g.how ?? ''})` : ''}`,
  );
  if (gates.length) lines.push(`  gates: ${gates.join('; ')}`);
  if (report.obligations.open.length)
    lines.push(`  open obligations: ${report.obligations.open.map((o) => o.description).join('; ')}`);
  lines.push(`  report: ${reportPath}`);
  return lines.join('\n') + '\n';
}
