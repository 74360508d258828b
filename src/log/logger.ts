/**
 * The one file that configures winston: readable console lines (colour only on the console,
 * honouring NO_COLOR), a JSON-lines audit log in the run directory with every command's host,
 * action, target, phase, duration, exit code and output tail, and an optional stream of JSON
 * events (`--json`). Secrets are redacted before any transport sees an event (value by value, so
 * a secret that looks like a JSON word or number breaks nothing), and again on every line written.
 */
import winston from 'winston';
import type { EventSink, RunEvent } from './events.js';
import { renderLine } from './render-line.js';
import { currentRedactor, registerSecret } from './secrets.js';
import { LiveView, type LiveStage } from './live-view.js';

/** How long closing waits for the audit log to drain before giving up (a full disk never drains). */
const AUDIT_CLOSE_TIMEOUT_MS = 5_000;

export interface LoggerOptions {
  /** `live`: a redrawing frame for a TTY (see live-view.ts); `lines`: timestamped plain lines. */
  console: 'lines' | 'json' | 'quiet' | 'live';
  /** With `live`: the runbook's stages, listed before they start. */
  stages?: readonly LiveStage[];
  color: boolean;
  secrets: readonly string[];
  /** Shows every command, not only step results. */
  verbose?: boolean;
  write?: (line: string) => void;
}

export interface RunLogger {
  emit: EventSink;
  /** Starts writing the audit log once the run directory exists. */
  attachAudit(path: string): void;
  close(): Promise<void>;
  /** Pauses/resumes the live frame around a prompt (no-ops otherwise). */
  suspend(): void;
  resume(): void;
  /** Ends the live frame so plain text can follow (no-op otherwise). */
  stopLive(): void;
  /** A resume: stages earlier invocations worked on show as done (live view only). */
  doneEarlier(stageIds: readonly string[]): void;
}

export function createRunLogger(options: LoggerOptions): RunLogger {
  for (const secret of options.secrets) registerSecret(secret, 'a secret given to the logger');
  const writeRaw = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const colorize = winston.format.colorize();
  let audit: winston.Logger | undefined;
  const stamp = (): string => new Date().toISOString().slice(11, 19);
  const live =
    options.console === 'live'
      ? new LiveView({
          stages: options.stages ?? [],
          color: options.color,
          write: (text) =>
            (options.write ?? ((frame: string) => process.stderr.write(frame)))(currentRedactor().text(text)),
          rows: () => process.stderr.rows ?? 50,
        })
      : undefined;

  const emit = (raw: RunEvent): void => {
    const redactor = currentRedactor();
    const event = redactor.empty ? raw : redactor.value(JSON.parse(JSON.stringify(raw)) as RunEvent);
    audit?.info(event.type, { ...event, at: new Date().toISOString() });
    if (options.console === 'json') {
      writeRaw(JSON.stringify({ at: new Date().toISOString(), ...event }));
      return;
    }
    if (options.console === 'quiet') return;
    if (live) {
      live.handle(event);
      return;
    }
    if (event.type === 'command' && !options.verbose) return;
    const line =
      event.type === 'command'
        ? `    ${event.host}: ${event.phase}${event.phases ? `(${event.phases.map((p) => `${p.phase}:${p.exitCode}`).join(' ')})` : ''} ${event.action} ${event.target} exit=${String(event.exitCode)} ${event.durationMs} ms`
        : renderLine(event);
    if (line === undefined) return;
    const level =
      event.type === 'step.failed' ||
      event.type === 'halt' ||
      (event.type === 'preflight' && event.status === 'blocked')
        ? 'error'
        : event.type === 'gate.waiting'
          ? 'warn'
          : 'info';
    // Redacted again as text (the line is built from the event), before colour codes are added.
    const text = redactor.text(`${stamp()} ${line}`);
    writeRaw(options.color ? colorize.colorize(level, text) : text);
  };

  return {
    emit,
    attachAudit(path) {
      audit = winston.createLogger({
        level: 'info',
        format: winston.format.json(),
        // `options` replaces winston's default `{ flags: 'a' }`: without the flag every resume
        // truncated the audit of the invocations before it.
        transports: [new winston.transports.File({ filename: path, options: { flags: 'a', mode: 0o600 } })],
      });
    },
    suspend: () => live?.suspend(),
    resume: () => live?.resume(),
    stopLive: () => live?.stop(),
    doneEarlier: (ids) => live?.doneEarlier(ids),
    async close() {
      live?.stop();
      const logger = audit;
      if (!logger) return;
      // Idempotent: the CLI closes early to flush the audit log before the report.
      audit = undefined;
      // winston's File transport swallows write errors (ENOSPC, EFBIG) and then never emits
      // 'finish', so an unbounded wait here hung the CLI on a full disk: give up after a while.
      await new Promise<void>((resolve) => {
        // Not unref'd: when nothing else is left (the connections closed first), an unref'd
        // timer let the process exit mid-await with status 0 and no error printed.
        const giveUp = setTimeout(resolve, AUDIT_CLOSE_TIMEOUT_MS);
        logger.on('finish', () => {
          clearTimeout(giveUp);
          resolve();
        });
        logger.end();
      });
    },
  };
}
