/**
 * Drives `runSession` in this process against the in-process lab, as the CLI's composition root
 * does, with two test seams: a fake prompter, and a "crash" that freezes the session at an exact
 * journal entry (nothing after it is written or sent, as if the process had died there).
 */
import { rmSync } from 'node:fs';
import { RUNBOOKS } from '../../runbooks/index.js';
import { labEstate, makeDeps, makeTransportPool, readPasswords } from '../../src/cli/compose.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type Prompter } from '../../src/engine/context.js';
import type { JournalWriter } from '../../src/engine/journal-port.js';
import { runSession, type SessionRequest, type SessionResult } from '../../src/engine/session.js';
import { estateKey, estateLockPath, journalLockPath } from '../../src/durability/estate-lock.js';
import { loadInventory } from '../../src/cli/inventory.js';
import type { RunEvent } from '../../src/log/events.js';
import type { Transport } from '../../src/transport/types.js';
import { LAB_PASSWORD } from './helpers.js';

type Entry = { type: string } & Record<string, unknown>;

export interface EngineRunOptions {
  mode: SessionRequest['mode'];
  faultsFile?: string;
  prompt?: Prompter;
  options?: Partial<EngineOptions>;
  /**
   * Freeze the session when the journal is about to take this entry. `after: true` writes it
   * first (crash right after it is durable); otherwise it is never written.
   */
  crashAt?: { match: (entry: Entry) => boolean; after: boolean };
  /** Connecting to one of these hosts waits for its promise first (a slow host to reach). */
  holdConnect?: Record<string, Promise<void>>;
  /** Sees every event as it is emitted. */
  onEvent?: (event: RunEvent) => void;
  /** Wraps each host's transport (a test seam between the engine and the real SSH transport). */
  wrapTransport?: (inner: Transport) => Transport;
}

export interface EngineRun {
  /** The session's result, or 'crashed' once the freeze point was reached. */
  outcome: SessionResult | 'crashed';
  events: RunEvent[];
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A transport that stops answering once `frozen()` is true. */
function freezable(inner: Transport, frozen: () => boolean): Transport {
  return {
    host: inner.host,
    connect: () => (frozen() ? never() : inner.connect()),
    run: (script, options) => (frozen() ? never() : inner.run(script, options)),
    upload: (local, remote, options) => (frozen() ? never() : inner.upload(local, remote, options)),
    close: () => inner.close(),
  };
}

/** A transport whose connection waits for `until` first. */
function held(inner: Transport, until: Promise<void> | undefined): Transport {
  if (!until) return inner;
  return { ...inner, host: inner.host, connect: () => until.then(() => inner.connect()) };
}

export async function engineRun(
  inventoryFile: string,
  stateDir: string,
  request: EngineRunOptions,
): Promise<EngineRun> {
  process.env.DEPLOY_ROLLUP_LAB_PASSWORD = LAB_PASSWORD;
  const inventory = await loadInventory(inventoryFile);
  const runbook = RUNBOOKS[inventory.runbook];
  if (!runbook) throw new Error(`no runbook ${inventory.runbook}`);
  const estate = await labEstate(inventory, stateDir, request.faultsFile);
  const events: RunEvent[] = [];
  const emit = (event: RunEvent): void => {
    events.push(event);
    request.onEvent?.(event);
  };
  const pool = makeTransportPool(inventory, estate, readPasswords(inventory), emit);
  let frozen = false;
  let opened: { close(): Promise<void> } | undefined;
  let openedRunDir: string | undefined;
  let onCrash: () => void = () => undefined;
  const crashed = new Promise<'crashed'>((resolve) => (onCrash = () => resolve('crashed')));
  const options: EngineOptions = {
    ...DEFAULT_ENGINE_OPTIONS,
    lab: true,
    yes: true,
    operator: 'tester@lab',
    retryMinMs: 10,
    retryMaxMs: 20,
    ...request.options,
  };
  const session = runSession(
    { inventoryFile: inventory.file, inventory, runbook: runbook.id, runbookVersion: runbook.version },
    {
      stateDir,
      mode: request.mode,
      makeDeps: (runId, runDir, journal) => {
        openedRunDir = runDir;
        opened = journal;
        const crashAt = request.crashAt;
        // The ledger writes to this Journal object itself, so the seam goes on the instance.
        // Journal.append goes through appendMany: both seams write through the original appendMany.
        const realAppendMany = journal.appendMany.bind(journal);
        const realAppend = async (entry: Parameters<typeof journal.append>[0]) =>
          (await realAppendMany([entry]))[0] as never;
        journal.append = async (entry) => {
          if (frozen) return never();
          if (crashAt?.match(entry as unknown as Entry)) {
            if (crashAt.after) await realAppend(entry);
            frozen = true;
            onCrash();
            return never();
          }
          return realAppend(entry);
        };
        journal.appendMany = async (entries) => {
          if (frozen) return never();
          if (entries.some((entry) => crashAt?.match(entry as unknown as Entry))) {
            // A group is all or nothing: "after" the entry means after the whole group is durable.
            if (crashAt?.after) await realAppendMany(entries);
            frozen = true;
            onCrash();
            return never();
          }
          return realAppendMany(entries);
        };
        const writer: JournalWriter = journal;
        const deps = makeDeps({
          runbook,
          inventory,
          runId,
          pool,
          journal: writer,
          emit,
          options,
          ...(request.prompt ? { prompt: request.prompt } : {}),
        });
        const wrap = request.wrapTransport ?? ((inner: Transport) => inner);
        return {
          ...deps,
          transport: (host) =>
            held(
              freezable(wrap(deps.transport(host)), () => frozen),
              request.holdConnect?.[host],
            ),
        };
      },
    },
  );
  try {
    const outcome = await Promise.race([session, crashed]);
    if (outcome === 'crashed') {
      // The "dead" session still holds its locks in this (living) process: remove them as a
      // takeover would (the run lock, and its journal's).
      rmSync(estateLockPath(estateKey(inventory.file, inventory.hosts)), { force: true });
      if (openedRunDir !== undefined) rmSync(journalLockPath(openedRunDir), { force: true });
      // and its journal file, as the OS closes a dead process's files (no write is pending:
      // the frozen appends never reach it).
      await opened?.close().catch(() => undefined);
    }
    return { outcome, events };
  } finally {
    await pool.closeAll();
    await estate.close();
  }
}

/** An operator who gives `answers` in turn (then "abort"), keeping the questions asked. */
export function scripted(answers: string[]): Prompter & { questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    ask: async (question) => {
      questions.push(question);
      return answers.shift() ?? 'abort';
    },
  };
}
