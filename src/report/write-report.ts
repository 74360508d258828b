/**
 * Writes report.md and report.json (mode 0600) into a run directory from what is on disk. Called
 * by the session at every stopping point and again by the CLI once the audit log is flushed.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../durability/fs-atomic.js';
import { readJournal } from '../durability/journal.js';
import { readRunMeta, runPaths } from '../durability/run-dir.js';
import { redactText, redactValue } from '../log/secrets.js';
import type { Inventory } from '../inventory/types.js';
import type { Runbook } from '../plan/types.js';
import { controlsReport, renderControlsMarkdown, type ControlsReport } from './controls-report.js';
import { buildRunReport, type AuditCommand, type RunReport } from './build-report.js';
import { renderReportMarkdown } from './render-report.js';

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** The `command` events of audit.jsonl; a torn last line (crash mid-write) is skipped. */
export function readAuditCommands(path: string): AuditCommand[] {
  const commands: AuditCommand[] = [];
  for (const line of readLines(path)) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as Partial<AuditCommand> & { type?: string };
      if (event.type === 'command' && typeof event.host === 'string' && typeof event.stepId === 'string')
        commands.push(event as AuditCommand);
    } catch {
      continue;
    }
  }
  return commands;
}

function readHashes(path: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

export interface WrittenReport {
  report: RunReport & ControlsReport;
  markdownPath: string;
  jsonPath: string;
}

/** Builds the report of the run in `runDir` and writes both files. */
export async function writeRunReport(
  runDir: string,
  context: { runId: string; runbook: Runbook; inventory: Inventory },
): Promise<WrittenReport> {
  const paths = runPaths(runDir);
  const journal = readJournal(paths.journal);
  let meta: { inventoryFile: string; runbookVersion: string; startedAt: string } | undefined;
  try {
    meta = readRunMeta(runDir);
  } catch {
    meta = undefined;
  }
  const built = await buildRunReport({
    runId: context.runId,
    runbook: context.runbook,
    inventory: context.inventory,
    entries: journal.entries,
    audit: readAuditCommands(paths.audit),
    packageHashes: readHashes(paths.packageHashes),
    ...(meta
      ? {
          meta: {
            inventoryFile: meta.inventoryFile,
            runbookVersion: meta.runbookVersion,
            startedAt: meta.startedAt,
          },
        }
      : {}),
    warnings: journal.warnings.filter((w) => !w.endsWith('no journal yet')),
  });
  // Controls, pending reboots and fetched msiexec logs (controls-report.ts), added to both files.
  const report = { ...built, ...controlsReport(journal.entries, runDir) };
  // The last redaction pass: the report is built from redacted files, and redacted again here.
  await writeFileAtomic(paths.reportJson, JSON.stringify(redactValue(report), null, 2) + '\n', 0o600);
  await writeFileAtomic(
    paths.reportMd,
    redactText(renderReportMarkdown(report) + renderControlsMarkdown(report)),
    0o600,
  );
  return { report, markdownPath: paths.reportMd, jsonPath: paths.reportJson };
}
