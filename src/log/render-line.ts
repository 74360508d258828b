/** One readable console line per event (non-TTY and plain output): no control characters. */
import type { RunEvent } from './events.js';

/** How an invocation names what it does with the run. */
export function startWord(event: Extract<RunEvent, { type: 'run.start' }>): string {
  return event.mode === 'abandon' ? 'abandoning' : event.resumed ? 'resuming' : 'starting';
}

/** A rejected gate: how many items are missing (the run's final message lists them, once). */
export function gateMissing(gate: string, missing: readonly string[]): string {
  return `gate ${gate} NOT complete: ${missing.length} item(s) not done (listed below)`;
}

/** Hosts a resume could not reach while steps already run: the run stops after those in flight. */
export function unreachableWhileRunning(problems: readonly string[]): string {
  return [
    `${problems.length} host(s) cannot be reached: no new step starts, the steps in flight finish first:`,
    ...problems.map((p) => `  - ${p}`),
  ].join('\n');
}

export function renderLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'run.start':
      return `${startWord(event)} run ${event.runId} (runbook ${event.runbook})`;
    case 'preflight':
      if (event.status === 'blocked' && event.whileRunning)
        return unreachableWhileRunning(event.problems ?? []);
      return event.status === 'blocked'
        ? `preflight blocked: ${event.problems?.length ?? 0} problem(s)`
        : `preflight ${event.status === 'start' ? 'started' : 'passed'}`;
    case 'fact':
      return `fact ${event.name} = ${event.value} (${event.source}: ${event.evidence.slice(0, 2).join('; ')})`;
    case 'stage.start':
      return `== ${event.title} [${event.stage}] on ${event.hosts} host(s)`;
    case 'stage.done':
      return `== done: ${event.stage}`;
    case 'step.done':
      return `  ${event.host}: ${event.action} ${event.target} -> ${event.outcome} (${event.durationMs} ms${event.attempts > 1 ? `, ${event.attempts} attempts` : ''})`;
    case 'step.retry':
      return `  ${event.host}: retry ${event.attempt} of ${event.stepId}: ${event.reason}`;
    case 'step.failed':
      return `  ${event.host}: FAILED ${event.action} ${event.target}: ${event.message}`;
    case 'gate.waiting':
      return [
        `GATE ${event.gate} on ${event.host}:`,
        ...event.checklist.map((item, i) => `  ${i + 1}) ${item}`),
      ].join('\n');
    case 'gate.confirmed':
      return `gate ${event.gate} confirmed by ${event.by} (${event.how})`;
    case 'gate.verifying':
      // Lines mode: the start and the end of the probing, not every item.
      return event.checked === 0 ? `verifying gate ${event.gate}: probing ${event.total} item(s)` : undefined;
    case 'gate.verified':
      return event.ok ? `gate ${event.gate} verified` : gateMissing(event.gate, event.missing);
    case 'obligation':
      return `obligation ${event.status}: ${event.description}`;
    case 'halt':
      return `stopped: ${event.reason}`;
    case 'run.end':
      return `run ${event.status} (exit ${event.exitCode})`;
    case 'note':
      return `note: ${event.message}`;
    default:
      return undefined;
  }
}
