/**
 * The events of one command run under the pwsh engine, read as the orchestrator reads the
 * script's answer: the header says which steps and phases it could run, the sectioned output
 * (`__STEP__=`, `__PHASE__=`, `__PHASE_RC__=`, the sentinel; see src/remote/header.ts) says
 * which ran and how each ended. The phase alias's marks give each phase its start, end and fault.
 */
import type { Phase, ScriptHeader } from '../../remote/header.js';
import { readBatch, readSections, readSentinel, SECTIONS_OF } from '../../remote/header.js';
import type { LabEvent } from '../model/state.js';
import type { PhaseHeader } from '../model/script-engine.js';
import type { PhaseMark } from './phase-hook.js';
import { stepsOf } from './phase-hook.js';

/** One phase that ran, with its exit code (null: it never ended, as after a hang or drop). */
interface Ran {
  header: PhaseHeader;
  exitCode: number | null;
}

/** The phases a script of several printed, in order; `cut`: the output ended early. */
function phasesRun(header: ScriptHeader, stdout: string, stderr: string, exitCode: number): Ran[] {
  const sentinel = readSentinel(stdout);
  const output = sentinel?.output ?? stdout;
  const rc = sentinel?.exitCode ?? exitCode;
  const steps = stepsOf(header);
  const sectioned = (step: PhaseHeader, text: string, err: string, code: number, phases: readonly Phase[]) =>
    Object.values(readSections(text, err, code, phases)).map((s) => ({
      header: { ...step, phase: s.phase },
      exitCode: s.exitCode,
    }));
  if (header.phase === 'batch') {
    const shares = readBatch(
      output,
      stderr,
      steps.map((s) => s.step),
    );
    return shares.flatMap((share, i) => {
      const step = steps[i];
      return step
        ? sectioned(step, share.output, share.stderr, share.exitCode ?? rc, ['probe', 'apply', 'verify'])
        : [];
    });
  }
  const step = steps[0];
  if (!step) return [];
  const phases = SECTIONS_OF[header.phase];
  if (phases) return sectioned(step, output, stderr, rc, phases);
  return [{ header: { ...step, phase: header.phase as Phase }, exitCode: rc }];
}

/**
 * The events of a command: one per phase that ran. `marks` (from the alias) are matched to the
 * printed phases in order; a phase the alias saw that printed nothing ended the command (a drop
 * before it, or a hang) and gets its event with no exit code.
 */
export function commandEvents(input: {
  header: ScriptHeader;
  host: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  marks: readonly PhaseMark[];
  start: number;
  end: number;
  /** The fault of a one-phase script, decided before it ran. */
  fault?: LabEvent['fault'];
}): Omit<LabEvent, 'seq' | 'command'>[] {
  const ran: Ran[] = phasesRun(input.header, input.stdout, input.stderr, input.exitCode);
  const events: Omit<LabEvent, 'seq' | 'command'>[] = [];
  const count = Math.max(ran.length, input.marks.length);
  const steps = stepsOf(input.header);
  for (let i = 0; i < count; i++) {
    const mark = input.marks[i];
    const printed = ran[i];
    const marked = mark ? (steps[mark.step] ?? steps[0]) : undefined;
    const header = printed?.header ?? (mark && marked ? { ...marked, phase: mark.phase } : undefined);
    if (!header) continue;
    const silent = mark?.cut === 'before';
    const fault = mark?.fault ?? input.fault;
    events.push({
      start: mark?.start ?? input.start,
      end: mark?.end ?? input.end,
      host: input.host,
      action: header.action,
      target: header.target,
      phase: header.phase,
      exitCode: silent ? null : (printed?.exitCode ?? null),
      step: header.step,
      run: header.run,
      ...(fault ? { fault } : {}),
    });
  }
  return events;
}
