/**
 * Per step, what the report shows of its attempts: the total duration and every remote
 * command's exit code, across every invocation of the run (resumes and retries included).
 */
import type { JournalEntry } from '../durability/journal-types.js';
import { stepKey } from '../durability/journal-summary.js';
import type { AuditCommand } from './build-report.js';

/**
 * Sum of each attempt's duration, keyed by {@link stepKey}. A result recorded without one (a
 * failed step inside a batch) counts the time from its intent to the result.
 */
export function stepDurations(entries: readonly JournalEntry[]): Map<string, number> {
  const durations = new Map<string, number>();
  const intentAt = new Map<string, number>();
  for (const entry of entries) {
    if (entry.type === 'step.intent') intentAt.set(stepKey(entry.stepId, entry.host), Date.parse(entry.at));
    if (entry.type !== 'step.result') continue;
    const key = stepKey(entry.stepId, entry.host);
    const started = intentAt.get(key);
    const measured =
      typeof entry.durationMs === 'number' && Number.isFinite(entry.durationMs)
        ? entry.durationMs
        : started !== undefined && Number.isFinite(Date.parse(entry.at))
          ? Math.max(0, Date.parse(entry.at) - started)
          : 0;
    intentAt.delete(key);
    durations.set(key, (durations.get(key) ?? 0) + measured);
  }
  return durations;
}

function codesOf(command: AuditCommand): string[] {
  return command.phases && command.phases.length > 0
    ? command.phases.map((p) => `${p.phase}:${String(p.exitCode)}`)
    : [`${command.phase}:${command.exitCode === null ? 'none' : String(command.exitCode)}`];
}

/** A command that belongs to no step of the plan: preflight, the simulated operator, checks. */
export interface OtherCommand {
  host: string;
  stepId: string;
  action: string;
  exitCodes: string[];
  durationMs: number;
}

/**
 * Every command's exit codes per step, as `phase:code` in order. A step verified on other hosts
 * than its own (a gate's item checked where the component lives) shows those commands as
 * `phase@host:code` on its row; commands of no step (`others`) are listed on their own.
 */
export function stepExitCodes(
  audit: readonly AuditCommand[],
  rows: ReadonlySet<string>,
): { codesFor: (stepId: string, host: string) => string[]; others: OtherCommand[] } {
  const rowSteps = new Set([...rows].map((key) => key.slice(0, key.lastIndexOf('@'))));
  const own = new Map<string, string[]>();
  const elsewhere = new Map<string, string[]>();
  const others: OtherCommand[] = [];
  for (const command of audit) {
    const key = stepKey(command.stepId, command.host);
    if (rows.has(key)) {
      own.set(key, [...(own.get(key) ?? []), ...codesOf(command)]);
    } else if (rowSteps.has(command.stepId)) {
      const tagged = codesOf(command).map((code) => code.replace(':', `@${command.host}:`));
      elsewhere.set(command.stepId, [...(elsewhere.get(command.stepId) ?? []), ...tagged]);
    } else {
      others.push({
        host: command.host,
        stepId: command.stepId,
        action: command.action,
        exitCodes: codesOf(command),
        durationMs: typeof command.durationMs === 'number' ? command.durationMs : 0,
      });
    }
  }
  return {
    codesFor: (stepId, host) => [...(own.get(stepKey(stepId, host)) ?? []), ...(elsewhere.get(stepId) ?? [])],
    others,
  };
}
