/**
 * The parts of the run report about the operator controls and what an operator must follow up:
 * hosts left out by `--limit` / `--exclude`, rollout overrides, pending reboots (3010), and the
 * msiexec logs of failed installs fetched into the run directory. Additive to report.json.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { JournalEntry } from '../durability/journal-types.js';
import { pendingReboots, type PendingReboot } from '../durability/reboots.js';
import { MSI_LOG_DIR } from './msi-log-paths.js';

export interface ControlsReport {
  /** Every invocation's controls (`--limit`, `--window`, …) as journalled. */
  controls: { at: string; by: string; flags: string; excluded: string[] }[];
  /** Steps that installed but need a restart to finish (exit 3010/1641): reboot these hosts. */
  rebootPending: PendingReboot[];
  /** msiexec verbose logs of failed installs, relative to the run directory. */
  msiLogs: { host: string; file: string; bytes: number }[];
}

function listLogs(runDir: string | undefined): ControlsReport['msiLogs'] {
  if (!runDir) return [];
  const root = join(runDir, MSI_LOG_DIR);
  const logs: ControlsReport['msiLogs'] = [];
  let hosts: string[] = [];
  try {
    hosts = readdirSync(root);
  } catch {
    return [];
  }
  for (const host of hosts.slice(0, 1000)) {
    let files: string[] = [];
    try {
      files = readdirSync(join(root, host));
    } catch {
      continue;
    }
    for (const file of files.slice(0, 1000)) {
      const path = join(root, host, file);
      logs.push({ host, file: relative(runDir, path), bytes: statSync(path).size });
    }
  }
  return logs;
}

export function controlsReport(entries: readonly JournalEntry[], runDir?: string): ControlsReport {
  return {
    controls: entries.flatMap((e) =>
      e.type === 'run.controls' ? [{ at: e.at, by: e.by, flags: e.flags, excluded: e.excluded }] : [],
    ),
    rebootPending: pendingReboots(entries),
    msiLogs: listLogs(runDir),
  };
}

export function renderControlsMarkdown(report: ControlsReport): string {
  const out: string[] = [];
  if (report.rebootPending.length > 0) {
    out.push('## Reboot pending', '');
    out.push('Installed, but Windows Installer said a restart finishes it (3010): restart these hosts.', '');
    for (const r of report.rebootPending) out.push(`- ${r.host}: ${r.stepId} (${r.at})`);
    out.push('');
  }
  if (report.msiLogs.length > 0) {
    out.push('## msiexec logs of failed installs', '');
    for (const log of report.msiLogs)
      out.push(`- ${log.host}: [${log.file}](${log.file}) (${log.bytes} bytes)`);
    out.push('');
  }
  if (report.controls.length > 0) {
    out.push('## Operator controls', '');
    for (const c of report.controls)
      out.push(
        `- ${c.at} ${c.by}: \`${c.flags}\`${c.excluded.length > 0 ? ` — not done by that invocation: ${c.excluded.join(', ')}` : ''}`,
      );
    out.push('');
  }
  return out.join('\n');
}

/** Lines for the end-of-run summary (none when there is nothing to say). */
export function renderControlsConsole(report: ControlsReport): string[] {
  const lines: string[] = [];
  if (report.rebootPending.length > 0)
    lines.push(`  reboot pending: ${report.rebootPending.map((r) => `${r.host} (${r.stepId})`).join('; ')}`);
  if (report.msiLogs.length > 0)
    lines.push(`  msiexec logs of failed installs: ${report.msiLogs.map((l) => l.file).join(', ')}`);
  const last = report.controls.at(-1);
  if (last && last.excluded.length > 0)
    lines.push(`  left out by ${last.flags}: ${last.excluded.join(', ')} (not done)`);
  return lines;
}
