/**
 * Logs are typed events; rendering (console lines, live view, JSON lines) is separate from
 * emitting. Nothing secret is ever put into an event.
 */

export type RunEvent =
  | {
      type: 'run.start';
      runId: string;
      runbook: string;
      resumed: boolean;
      /** How this invocation carries the run (absent: `resumed` says fresh or resume). */
      mode?: 'fresh' | 'resume' | 'abandon';
    }
  | {
      type: 'preflight';
      status: 'start' | 'ok' | 'blocked';
      problems?: string[];
      /** A resume's late finding: steps are running, the run stops after those in flight. */
      whileRunning?: boolean;
    }
  | { type: 'fact'; name: string; value: boolean; source: string; evidence: string[] }
  | { type: 'stage.start'; stage: string; title: string; hosts: number }
  | { type: 'stage.done'; stage: string }
  | { type: 'step.start'; stage: string; stepId: string; host: string; action: string; target: string }
  | {
      type: 'step.done';
      stage: string;
      stepId: string;
      host: string;
      action: string;
      target: string;
      outcome: string;
      durationMs: number;
      attempts: number;
    }
  | { type: 'step.retry'; stepId: string; host: string; attempt: number; reason: string }
  | { type: 'step.failed'; stepId: string; host: string; action: string; target: string; message: string }
  | {
      type: 'command';
      host: string;
      action: string;
      target: string;
      phase: string;
      stepId: string;
      durationMs: number;
      exitCode: number | null;
      /** A `run` command: each phase it ran, with its own exit code. */
      phases?: { phase: string; exitCode: number }[];
      /**
       * A step sent in a batch (one command for several steps of a host): the batch's first step
       * and how many it holds. `durationMs` is then the whole batch's, `outputTail` the step's own.
       */
      batch?: { first: string; steps: number };
      outputTail: string;
    }
  | { type: 'gate.waiting'; gate: string; host: string; checklist: string[] }
  | { type: 'gate.confirmed'; gate: string; by: string; how: string }
  /** Probing the gate's items after confirmation: `checked` of `total` so far. */
  | { type: 'gate.verifying'; gate: string; checked: number; total: number }
  | { type: 'gate.verified'; gate: string; ok: boolean; missing: string[] }
  | { type: 'obligation'; id: string; status: 'raised' | 'discharged'; description: string }
  | { type: 'halt'; reason: string; exitCode: number }
  | { type: 'run.end'; status: string; exitCode: number }
  | { type: 'note'; message: string };

export type EventSink = (event: RunEvent) => void;
