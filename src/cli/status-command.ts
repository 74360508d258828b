/** `status [RUN_ID]`: where a run stands, read from its files (no host is contacted). */
import { resolve } from 'node:path';
import { EXIT, DeployError } from '../errors.js';
import { inventoryKey, listRuns, stateDirFor } from '../durability/run-dir.js';
import { runStatus, type RunStatus } from './status-model.js';

function hostLine(host: string, t: RunStatus['hosts'][string]): string {
  const parts = [`${t.done}${t.planned === undefined ? '' : `/${t.planned}`} step(s) done`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.inFlight) parts.push(`${t.inFlight} in flight`);
  if (t.rebootPending) parts.push(`${t.rebootPending} reboot pending`);
  return `  ${host}: ${parts.join(', ')}`;
}

function render(status: RunStatus, history: { runId: string; startedAt: string; state: string }[]): string {
  const lines = [
    `run ${status.runId}${status.lab ? ' (lab rehearsal)' : ''}: ${status.state}: ${status.detail}`,
    `started: ${status.startedAt}`,
  ];
  if (status.stage) lines.push(`stage: ${status.stage}`);
  if (status.gate) lines.push(`waiting at gate: ${status.gate}`);
  lines.push('hosts:');
  for (const [host, totals] of Object.entries(status.hosts)) lines.push(hostLine(host, totals));
  for (const f of status.failures)
    lines.push(`failed: ${f.host} ${f.step}: ${f.message.split('\n')[0] ?? ''}`);
  lines.push(
    `open obligations: ${status.openObligations.length ? status.openObligations.map((o) => o.description).join('; ') : 'none'}`,
  );
  lines.push(
    status.pendingReboots.length
      ? `reboot pending (exit 3010): ${[...new Set(status.pendingReboots.map((r) => r.host))].join(', ')}`
      : 'reboot pending: none',
  );
  for (const warning of status.warnings)
    lines.push(`${status.journalDamaged ? 'journal damaged' : 'warning'}: ${warning}`);
  lines.push(`run directory: ${status.runDir}`);
  if (history.length > 1) {
    lines.push(`runs of this inventory (${history.length}, oldest first):`);
    for (const h of history) lines.push(`  ${h.runId}  ${h.startedAt}  ${h.state}`);
  }
  return lines.join('\n') + '\n';
}

export async function statusCommand(
  runId: string | undefined,
  flags: { inventory: string; stateDir?: string; json?: boolean },
): Promise<number> {
  const file = resolve(flags.inventory);
  const stateDir = stateDirFor(file, flags.stateDir);
  const key = inventoryKey(file);
  const runs = listRuns(stateDir, key);
  if (runs.length === 0 && runId === undefined) {
    // Nothing has run yet: a fact, not an error.
    if (flags.json) process.stdout.write(JSON.stringify({ runs: [], latest: null }, null, 2) + '\n');
    else process.stdout.write(`no runs yet of ${file} (in ${stateDir})\n`);
    return EXIT.done;
  }
  const run = runId ? runs.find((r) => r.runId === runId) : runs.at(-1);
  if (!run) {
    throw new DeployError('badInput', `no run ${runId ?? ''} of ${file} in ${stateDir}`, {
      code: 'RUN_NOT_FOUND',
      hint: `the runs of this inventory: ${runs.map((r) => r.runId).join(', ') || 'none'}`,
    });
  }
  const status = runStatus(run);
  const history = runs.map((r) => {
    const s = r.runId === run.runId ? status : runStatus(r);
    return {
      runId: r.runId,
      startedAt: r.meta.startedAt,
      state: s.state,
      ...(s.lab === undefined ? {} : { lab: s.lab }),
    };
  });
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...status, runs: history }, null, 2) + '\n');
    return EXIT.done;
  }
  process.stdout.write(render(status, history));
  return EXIT.done;
}
