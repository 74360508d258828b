/**
 * Ctrl-C (and SIGTERM): the first asks the run to stop at a resumable point and says what it
 * still waits for (each step in flight: host, step, deadline); the second quits at once. The
 * journal records every intent before its command is sent, so a quit leaves the run resumable:
 * resume probes the steps that were in flight.
 */
import { EXIT } from '../errors.js';
import type { EventSink, RunEvent } from '../log/events.js';

interface InFlight {
  host: string;
  what: string;
  started: number;
}

/** The steps started and not yet ended, from the run's events. */
export class InFlightSteps {
  private readonly steps = new Map<string, InFlight>();
  runId: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Wraps a sink so every event also updates this list. */
  watch(sink: EventSink): EventSink {
    return (event: RunEvent) => {
      this.see(event);
      sink(event);
    };
  }

  see(event: RunEvent): void {
    if (event.type === 'run.start') this.runId = event.runId;
    if (event.type === 'step.start')
      this.steps.set(`${event.stepId}@${event.host}`, {
        host: event.host,
        what: `${event.action} ${event.target}`.trim(),
        started: this.now(),
      });
    if (event.type === 'step.done' || event.type === 'step.failed')
      this.steps.delete(`${event.stepId}@${event.host}`);
  }

  /** One line per step in flight: host, step, how long it has run and its deadline. */
  describe(stepTimeoutMs: number): string[] {
    const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
    return [...this.steps.values()].map(
      (s) =>
        `${s.host}: ${s.what} (running ${Math.round((this.now() - s.started) / 1000)}s, deadline ${clock(s.started + stepTimeoutMs)} UTC)`,
    );
  }
}

export interface InterruptTarget {
  /** What the run waits for: lines naming each step in flight. */
  waitingFor(): string[];
  /** The command that resumes the run, once it has an id. */
  resume(): string | undefined;
  /** Shows a message where the operator looks (above the live frame, or a plain line). */
  say(message: string): void;
}

/** The process's signal handling: one instance, its target set once a run is under way. */
export class Interrupts {
  readonly controller = new AbortController();
  private count = 0;
  private target: InterruptTarget | undefined;

  constructor(
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
    private readonly quit: (code: number) => void = (code) => process.exit(code),
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  attach(target: InterruptTarget | undefined): void {
    this.target = target;
  }

  handle(): void {
    this.count++;
    const resume = this.target?.resume();
    if (this.count > 1) {
      // Through the run's output when there is one (a --json stream stays JSON lines).
      if (this.target)
        this.target.say(
          `second interrupt: quitting now. The journal stays resumable${resume ? `: ${resume}` : ' with --resume'}`,
        );
      else this.write('\nsecond interrupt: quitting now\n');
      this.quit(EXIT.failed);
      return;
    }
    if (!this.target) {
      // No run under way (lab up, a dry run): nothing to name.
      this.write('\ninterrupted: stopping (Ctrl-C again to quit at once)\n');
      this.controller.abort();
      return;
    }
    const waits = this.target.waitingFor();
    const lines = [
      waits.length > 0
        ? `interrupted: no new step starts; waiting for ${waits.length} step(s) in flight to finish:`
        : 'interrupted: stopping at a resumable point',
      ...waits.map((w) => `  ${w}`),
      'Ctrl-C again to quit at once (the run stays resumable; steps in flight are probed on resume)',
    ];
    this.target.say(lines.join('\n'));
    this.controller.abort();
  }
}
