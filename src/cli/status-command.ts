/** `status [RUN_ID]`: where a run stands, read from its journal (no host is contacted). */
import { EXIT, DeployError } from '../errors.js';
import { readJournal } from '../durability/journal.js';
import { summarizeJournal } from '../durability/journal-summary.js';
import { inventoryKey, listRuns, runPaths, stateDirFor } from '../durability/run-dir.js';
import { resolve } from 'node:path';

export async function statusCommand(
  runId: string | undefined,
  flags: { inventory: string; stateDir?: string; json?: boolean },
): Promise<number> {
  const file = resolve(flags.inventory);
  const stateDir = stateDirFor(file, flags.stateDir);
  const runs = listRuns(stateDir, inventoryKey(file));
  const run = runId ? runs.find((r) => r.runId === runId) : runs.at(-1);
  if (!run) {
    throw new DeployError(
      'badInput',
      runId ? `no run ${runId} of ${file}` : `no runs of ${file} in ${stateDir}`,
      { code: 'RUN_NOT_FOUND', hint: 'start one with deploy-rollup --inventory FILE' },
    );
  }
  const journal = readJournal(runPaths(run.runDir).journal);
  const summary = summarizeJournal(journal.entries);
  const entries = journal.entries;
  const last = [...entries]
    .reverse()
    .find((e) => e.type === 'run.finished' || e.type === 'run.abandoned' || e.type === 'run.halted');
  const state = !last
    ? 'running or crashed'
    : last.type === 'run.finished'
      ? 'finished'
      : last.type === 'run.abandoned'
        ? 'abandoned'
        : `stopped: ${last.reason}`;
  const lastStep = [...entries].reverse().find((e) => e.type === 'step.result' || e.type === 'step.intent');
  const stage = lastStep && 'stepId' in lastStep ? String(lastStep.stepId).split('/')[0] : 'preflight';
  const perHost = new Map<string, { done: number; failed: number }>();
  for (const step of Object.values(summary.steps)) {
    const host = perHost.get(step.host) ?? { done: 0, failed: 0 };
    if (step.state === 'done') host.done++;
    if (step.state === 'failed') host.failed++;
    perHost.set(step.host, host);
  }
  const report = {
    runId: run.runId,
    runDir: run.runDir,
    state,
    stage,
    hosts: Object.fromEntries(perHost),
    failures: Object.values(summary.steps)
      .filter((s) => s.state === 'failed')
      .map((s) => ({ step: s.stepId, host: s.host, message: s.message ?? '' })),
    openObligations: summary.openObligations.map((o) => o.description),
    waitingGates: summary.waitingGates,
    warnings: journal.warnings,
  };
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return EXIT.done;
  }
  const lines = [`run ${report.runId}: ${report.state}`, `stage: ${report.stage}`, 'hosts:'];
  for (const [host, c] of perHost)
    lines.push(`  ${host}: ${c.done} step(s) done${c.failed ? `, ${c.failed} failed` : ''}`);
  for (const f of report.failures) lines.push(`failed: ${f.host} ${f.step}: ${f.message}`);
  lines.push(
    `open obligations: ${report.openObligations.length ? report.openObligations.join('; ') : 'none'}`,
  );
  lines.push(`waiting gates: ${report.waitingGates.length ? report.waitingGates.join(', ') : 'none'}`);
  for (const warning of report.warnings)
    lines.push(`${journal.damaged ? 'journal damaged' : 'warning'}: ${warning}`);
  lines.push(`run directory: ${report.runDir}`);
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT.done;
}
