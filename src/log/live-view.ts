/**
 * Live progress for a terminal: the runbook's stages (done / current / pending), under each
 * current stage every host with its current step, elapsed time, retries and waits, and a summary
 * line. Plain ANSI, no dependency. Lasting lines (failures, gates, obligations) print above the
 * frame; the frame redraws at most every 100 ms. Without colour it still redraws (cursor moves
 * only) but sends no SGR colour sequences.
 */
import type { RunEvent } from './events.js';
import { gateMissing, startWord, unreachableWhileRunning } from './render-line.js';
import { fitFrame } from './frame-fit.js';

/** A stage as the view lists it before it starts. */
export interface LiveStage {
  id: string;
  title: string;
}

export interface LiveViewOptions {
  /** Every stage of the runbook, in order (branches not taken stay pending, then show as skipped). */
  stages: readonly LiveStage[];
  color: boolean;
  write: (text: string) => void;
  /** Terminal rows: the frame is cut to fit so it never scrolls off. */
  rows?: () => number;
  now?: () => number;
  /** Minimum milliseconds between redraws. */
  intervalMs?: number;
}

interface HostRow {
  host: string;
  step?: string;
  stepStarted?: number;
  retries: number;
  wait?: string;
  failed: boolean;
  stepsDone: number;
}

type StageStatus = 'pending' | 'current' | 'done' | 'skipped';

const ESC = '\x1b[';
const SGR = { green: '32', yellow: '33', red: '31', dim: '2', bold: '1', cyan: '36' } as const;

function seconds(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Renders {@link RunEvent}s as a redrawing frame. Call {@link LiveView.stop} before writing anything else. */
export class LiveView {
  private readonly stages = new Map<
    string,
    { title: string; status: StageStatus; hosts: Map<string, HostRow> }
  >();
  private readonly hosts = new Map<string, HostRow>();
  private readonly gates = new Set<string>();
  private readonly started: number;
  private drawnLines = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private suspended = false;
  /** While a confirmed gate's items are probed: what the view shows under the stages. */
  private verifying: string | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(private readonly options: LiveViewOptions) {
    this.now = options.now ?? Date.now;
    this.interval = options.intervalMs ?? 100;
    this.started = this.now();
    for (const stage of options.stages)
      this.stages.set(stage.id, { title: stage.title, status: 'pending', hosts: new Map() });
    // Elapsed times move even when no event arrives.
    this.ticker = setInterval(() => this.schedule(), 1000);
    this.ticker.unref();
  }

  private paint(code: string, text: string): string {
    return this.options.color ? `${ESC}${code}m${text}${ESC}0m` : text;
  }

  /** Feeds one event; lasting lines print at once, the frame redraws on the next tick. */
  handle(event: RunEvent): void {
    if (this.stopped) return;
    const lasting = this.apply(event);
    if (lasting !== undefined) this.printAbove(lasting);
    if (event.type === 'run.end') this.stop();
    else this.schedule();
  }

  private stageOf(
    id: string,
    title = id,
  ): { title: string; status: StageStatus; hosts: Map<string, HostRow> } {
    let stage = this.stages.get(id);
    if (!stage) {
      stage = { title, status: 'pending', hosts: new Map() };
      this.stages.set(id, stage);
    }
    return stage;
  }

  private hostRow(host: string): HostRow {
    let row = this.hosts.get(host);
    if (!row) {
      row = { host, retries: 0, failed: false, stepsDone: 0 };
      this.hosts.set(host, row);
    }
    return row;
  }

  /** Updates the model; returns a line to keep in the scrollback, if the event deserves one. */
  private apply(event: RunEvent): string | undefined {
    switch (event.type) {
      case 'run.start':
        return `${startWord(event)} run ${event.runId} (runbook ${event.runbook})`;
      case 'preflight':
        if (event.status === 'blocked' && event.whileRunning)
          return this.paint(SGR.red, unreachableWhileRunning(event.problems ?? []));
        return event.status === 'blocked'
          ? this.paint(SGR.red, `preflight blocked: ${(event.problems ?? []).join('; ')}`)
          : undefined;
      case 'stage.start': {
        const stage = this.stageOf(event.stage, event.title);
        stage.title = event.title;
        stage.status = 'current';
        return undefined;
      }
      case 'stage.done':
        this.stageOf(event.stage).status = 'done';
        return undefined;
      case 'step.start': {
        const row = this.hostRow(event.host);
        this.stageOf(event.stage).hosts.set(event.host, row);
        Object.assign(row, {
          step: `${event.action} ${event.target}`.trim(),
          stepStarted: this.now(),
          retries: 0,
        });
        delete row.wait;
        return undefined;
      }
      case 'step.done': {
        const row = this.hostRow(event.host);
        row.stepsDone++;
        delete row.step;
        delete row.stepStarted;
        delete row.wait;
        return event.attempts > 1
          ? `${event.host}: ${event.action} ${event.target} -> ${event.outcome} after ${event.attempts} attempts`
          : undefined;
      }
      case 'step.retry': {
        const row = this.hostRow(event.host);
        row.retries = event.attempt;
        row.wait = `retry ${event.attempt}: ${event.reason}`;
        return undefined;
      }
      case 'step.failed': {
        const row = this.hostRow(event.host);
        row.failed = true;
        row.wait = 'FAILED';
        return this.paint(SGR.red, `${event.host}: FAILED ${event.action} ${event.target}: ${event.message}`);
      }
      case 'gate.waiting':
        this.gates.add(event.gate);
        this.hostRow(event.host).wait = `gate ${event.gate}`;
        return this.paint(
          SGR.yellow,
          [
            `GATE ${event.gate} on ${event.host}:`,
            ...event.checklist.map((item, i) => `  ${i + 1}) ${item}`),
          ].join('\n'),
        );
      case 'gate.confirmed':
        return `gate ${event.gate} confirmed by ${event.by} (${event.how})`;
      case 'gate.verifying':
        this.verifying =
          event.checked < event.total
            ? `verifying gate ${event.gate}: ${event.checked}/${event.total} item(s) probed`
            : undefined;
        return undefined;
      case 'gate.verified':
        if (event.ok) {
          this.gates.delete(event.gate);
          for (const row of this.hosts.values()) if (row.wait === `gate ${event.gate}`) delete row.wait;
          return this.paint(SGR.green, `gate ${event.gate} verified`);
        }
        return this.paint(SGR.yellow, gateMissing(event.gate, event.missing));
      case 'obligation':
        return `obligation ${event.status}: ${event.description}`;
      case 'halt':
        return this.paint(SGR.red, `stopped: ${event.reason}`);
      case 'note':
        return `note: ${event.message}`;
      case 'run.end':
        for (const stage of this.stages.values())
          if (stage.status === 'pending' && event.exitCode === 0) stage.status = 'skipped';
        return undefined;
      default:
        return undefined;
    }
  }

  /** The frame as lines (exported for tests through {@link LiveView.frame}). */
  frame(): string[] {
    const lines: string[] = [];
    /** Indexes of host rows: what is cut first when the frame is too tall. */
    const hostLines = new Set<number>();
    const now = this.now();
    for (const [id, stage] of this.stages) {
      const mark =
        stage.status === 'done'
          ? this.paint(SGR.green, '✓')
          : stage.status === 'current'
            ? this.paint(SGR.cyan, '▶')
            : stage.status === 'skipped'
              ? '–'
              : '·';
      const title =
        stage.status === 'current'
          ? this.paint(SGR.bold, stage.title)
          : stage.status === 'pending' || stage.status === 'skipped'
            ? this.paint(SGR.dim, stage.title)
            : stage.title;
      lines.push(`${mark} ${title} [${id}]${stage.status === 'skipped' ? ' (not on this path)' : ''}`);
      if (stage.status !== 'current') continue;
      for (const row of stage.hosts.values()) {
        hostLines.add(lines.length);
        const doing = row.step
          ? `${row.step} (${seconds(now - (row.stepStarted ?? now))})`
          : row.failed
            ? 'failed'
            : `idle, ${row.stepsDone} step(s) done`;
        const extra = [row.retries > 0 ? `retries ${row.retries}` : '', row.wait ?? '']
          .filter(Boolean)
          .join(', ');
        const text = `    ${row.host.padEnd(14)} ${doing}${extra ? `  — ${extra}` : ''}`;
        lines.push(row.failed ? this.paint(SGR.red, text) : row.wait ? this.paint(SGR.yellow, text) : text);
      }
    }
    const rows = [...this.hosts.values()];
    const running = rows.filter((r) => r.step !== undefined && !r.failed).length;
    const failed = rows.filter((r) => r.failed).length;
    const done = rows.length - running - failed;
    const gates = this.gates.size ? `, open gates: ${[...this.gates].join(', ')}` : ', open gates: 0';
    if (this.verifying) lines.push(this.paint(SGR.yellow, this.verifying));
    lines.push(
      `hosts: ${done} done, ${running} running, ${failed} failed${gates}  elapsed ${seconds(now - this.started)}`,
    );
    return fitFrame(lines, hostLines, Math.max(3, (this.options.rows?.() ?? 50) - 1));
  }

  private clear(): string {
    if (this.drawnLines === 0) return '';
    const up = `${ESC}${this.drawnLines}A\r${ESC}J`;
    this.drawnLines = 0;
    return up;
  }

  private draw(): void {
    this.timer = undefined;
    if (this.suspended || this.stopped) return;
    const lines = this.frame();
    this.options.write(`${this.clear()}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
    this.lastDraw = this.now();
  }

  private schedule(): void {
    if (this.timer || this.suspended || this.stopped) return;
    const wait = Math.max(0, this.interval - (this.now() - this.lastDraw));
    this.timer = setTimeout(() => this.draw(), wait);
    this.timer.unref();
  }

  private printAbove(text: string): void {
    if (this.suspended) {
      this.options.write(`${text}\n`);
      return;
    }
    this.options.write(`${this.clear()}${text}\n`);
    this.schedule();
  }

  /** Stages an earlier invocation of this run worked on: done until the run enters them again. */
  doneEarlier(ids: readonly string[]): void {
    for (const id of ids) {
      const stage = this.stages.get(id);
      if (stage && stage.status === 'pending') stage.status = 'done';
    }
    this.schedule();
  }

  /** Stops redrawing (a prompt needs the terminal); the frame stays on screen. */
  suspend(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.suspended && !this.stopped) this.draw();
    this.drawnLines = 0;
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.schedule();
  }

  /** Draws the final frame and stops for good. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.suspended = false;
    this.draw();
    this.stopped = true;
    this.drawnLines = 0;
  }
}
