import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeployError } from '../../src/errors.js';
import { Journal, LAZY_SYNC_MS, readJournal, type JournalInput } from '../../src/durability/journal.js';
import { makeTempDir } from './helpers.js';

const intent = (stepId: string, attempt = 1): JournalInput => ({
  type: 'step.intent',
  stepId,
  host: 'MPS01',
  action: 'complus.disable',
  target: 'Provisioning Engine',
  attempt,
});
const result = (stepId: string): JournalInput => ({
  type: 'step.result',
  stepId,
  host: 'MPS01',
  outcome: 'ok',
  exitCode: 0,
  attempt: 1,
  durationMs: 12,
});

let temp: ReturnType<typeof makeTempDir>;
let path: string;
beforeEach(() => {
  temp = makeTempDir();
  path = join(temp.dir, 'journal.jsonl');
});
afterEach(() => temp.cleanup());

const fixedClock = () => new Date('2024-05-01T10:00:00.000Z');

/** Counts fsyncs through any FileHandle (the journal's own handle is private). */
async function spyOnSync() {
  const fs = await import('node:fs/promises');
  const handle = await fs.open(path, 'a');
  const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
  await handle.close();
  return jest.spyOn(proto, 'sync');
}

describe('Journal', () => {
  test('appended entries read back identically, with consecutive seq and the clock time', async () => {
    const journal = await Journal.open(path, { now: fixedClock });
    const first = await journal.append(intent('s1'));
    const [second, third] = await journal.appendMany([result('s1'), intent('s2')]);
    await journal.close();

    expect(first).toEqual({ seq: 1, at: '2024-05-01T10:00:00.000Z', ...intent('s1') });
    expect(second?.seq).toBe(2);
    expect(third?.seq).toBe(3);
    const read = readJournal(path);
    expect(read.warnings).toEqual([]);
    expect(read.entries).toEqual([first, second, third]);
  });

  test('open reuses a read of the file while its length is unchanged, and reads it again otherwise', async () => {
    const journal = await Journal.open(path, { now: fixedClock });
    await journal.appendMany([intent('s1'), result('s1')]);
    await journal.close();
    const read = readJournal(path);
    // Doctored so that a reuse shows: the file on disk has two entries, this read one.
    const recovery = read.recovered?.recovery;
    expect(recovery?.entries).toHaveLength(2);
    const doctored = {
      ...read,
      recovered: {
        bytes: statSync(path).size,
        recovery: { ...recovery!, entries: recovery!.entries.slice(0, 1) },
      },
    };
    const reused = await Journal.open(path, { read: doctored });
    expect(reused.readAll()).toHaveLength(1);
    await reused.close();
    // The reuse is a copy: appending does not change the caller's read.
    expect(doctored.recovered.recovery.entries).toHaveLength(1);
    const grown = { ...doctored, recovered: { ...doctored.recovered, bytes: doctored.recovered.bytes - 1 } };
    const reread = await Journal.open(path, { read: grown });
    expect(reread.readAll()).toHaveLength(2);
    await reread.close();
  });

  test('every line is plain JSON a shell tool can read', async () => {
    const journal = await Journal.open(path, { now: fixedClock });
    await journal.appendMany([intent('s1'), result('s1')]);
    await journal.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      'step.intent',
      'step.result',
    ]);
  });

  test('the file is created with mode 0600', async () => {
    const journal = await Journal.open(path);
    await journal.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('readAll returns the committed entries, including those read when reopened', async () => {
    const journal = await Journal.open(path);
    await journal.append(intent('s1'));
    await journal.close();
    const reopened = await Journal.open(path);
    await reopened.append(result('s1'));
    expect(reopened.readAll().map((entry) => [entry.seq, entry.type])).toEqual([
      [1, 'step.intent'],
      [2, 'step.result'],
    ]);
    expect(reopened.lastSeq).toBe(2);
    await reopened.close();
  });

  test('an append is fsynced once before its promise resolves, and a group commit fsyncs once', async () => {
    const journal = await Journal.open(path);
    const fs = await import('node:fs/promises');
    const handle = await fs.open(path, 'r');
    const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
    await handle.close();
    const sync = jest.spyOn(proto, 'sync');
    try {
      await journal.append(intent('s1'));
      expect(sync).toHaveBeenCalledTimes(1);
      await journal.appendMany([result('s1'), intent('s2'), result('s2')]);
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      sync.mockRestore();
      await journal.close();
    }
  });

  test('a sync: false append is written at once and fsynced with the next durable append', async () => {
    const journal = await Journal.open(path);
    const sync = await spyOnSync();
    try {
      await journal.appendMany([result('s1')], { sync: false });
      expect(sync).toHaveBeenCalledTimes(0);
      expect(readJournal(path).entries.map((e) => e.type)).toEqual(['step.result']);
      await journal.append(intent('s2'));
      expect(sync).toHaveBeenCalledTimes(1);
      await journal.sync(); // nothing left unsynced: no fsync
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      sync.mockRestore();
      await journal.close();
    }
  });

  test('a sync: false append is fsynced within LAZY_SYNC_MS when nothing else comes, and by sync() or close()', async () => {
    const sync = await spyOnSync();
    const journal = await Journal.open(path);
    try {
      await journal.appendMany([result('s1')], { sync: false });
      await journal.appendMany([result('s2')], { sync: false });
      expect(sync).toHaveBeenCalledTimes(0);
      for (let i = 0; i < 40 && sync.mock.calls.length === 0; i++)
        await new Promise((r) => setTimeout(r, LAZY_SYNC_MS / 2));
      expect(sync).toHaveBeenCalledTimes(1);
      await journal.appendMany([result('s3')], { sync: false });
      await journal.sync();
      expect(sync).toHaveBeenCalledTimes(2);
      await journal.appendMany([result('s4')], { sync: false });
      await journal.close();
      expect(sync).toHaveBeenCalledTimes(3);
    } finally {
      sync.mockRestore();
      await journal.close();
    }
  });

  test('an append does not resolve until its fsync has completed', async () => {
    const journal = await Journal.open(path);
    const fs = await import('node:fs/promises');
    const handle = await fs.open(path, 'r');
    const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
    await handle.close();
    const original = proto.sync;
    let releaseSync: () => void = () => undefined;
    const sync = jest.spyOn(proto, 'sync').mockImplementation(function (this: unknown) {
      return new Promise<void>((resolve) => (releaseSync = resolve)).then(() => original.call(this));
    });
    try {
      let resolved = false;
      const pending = journal.append(intent('s1')).then(() => (resolved = true));
      for (let tick = 0; tick < 50 && sync.mock.calls.length === 0; tick++)
        await new Promise((r) => setTimeout(r, 5));
      expect(sync).toHaveBeenCalledTimes(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(resolved).toBe(false);
      releaseSync();
      await pending;
      expect(resolved).toBe(true);
    } finally {
      sync.mockRestore();
      await journal.close();
    }
  });

  test('an append to an idle journal is in the file, its fsync started, when appendMany returns; appends meanwhile share the next fsync', async () => {
    const journal = await Journal.open(path);
    const sync = await spyOnSync();
    try {
      const first = journal.append(intent('s1'));
      // No await yet: the caller may build its command while the disk works.
      expect(readJournal(path).entries.map((e) => e.type)).toEqual(['step.intent']);
      expect(sync).toHaveBeenCalledTimes(1);
      const second = journal.append(intent('s2'));
      const third = journal.append(intent('s3'));
      expect(readJournal(path).entries).toHaveLength(1); // they wait for the fsync in flight
      await Promise.all([first, second, third]);
      expect(sync).toHaveBeenCalledTimes(2);
      expect(readJournal(path).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    } finally {
      sync.mockRestore();
      await journal.close();
    }
  });

  test('concurrent appends get distinct consecutive seq in call order', async () => {
    const journal = await Journal.open(path);
    const written = await Promise.all(
      Array.from({ length: 20 }, (_, index) => journal.append(intent(`s${index}`))),
    );
    await journal.close();
    expect(written.map((entry) => entry.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(
      readJournal(path).entries.map((entry) => (entry.type === 'step.intent' ? entry.stepId : '')),
    ).toEqual(Array.from({ length: 20 }, (_, index) => `s${index}`));
  });

  test('reserved fields in an input cannot override seq or at', async () => {
    const journal = await Journal.open(path, { now: fixedClock });
    const sneaky = { ...intent('s1'), seq: 99, at: 'yesterday' } as unknown as JournalInput;
    const entry = await journal.append(sneaky);
    await journal.close();
    expect([entry.seq, entry.at]).toEqual([1, '2024-05-01T10:00:00.000Z']);
  });

  test('appending after close is refused', async () => {
    const journal = await Journal.open(path);
    await journal.close();
    await expect(journal.append(intent('s1'))).rejects.toMatchObject({ code: 'JOURNAL_CLOSED' });
  });
});

describe('recovery after a crash', () => {
  async function writeTwo(): Promise<void> {
    const journal = await Journal.open(path);
    await journal.appendMany([intent('s1')]);
    await journal.append(result('s1'));
    await journal.close();
  }

  test('a torn last line without a newline is ignored with a warning', async () => {
    await writeTwo();
    appendFileSync(path, '{"seq":3,"at":"2024-05-01T10:00:00.000Z","type":"step.int');
    const read = readJournal(path);
    expect(read.entries.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(read.damaged).toBe(false);
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toContain('torn last line 3');
  });

  test('after a torn tail the next append continues the sequence on a clean line', async () => {
    await writeTwo();
    appendFileSync(path, '{"seq":3,"at":"2024-05-01T1');
    const journal = await Journal.open(path);
    expect(journal.warnings).toHaveLength(1);
    const next = await journal.append(intent('s2'));
    await journal.close();
    expect(next.seq).toBe(3);
    const read = readJournal(path);
    expect(read.warnings).toEqual([]);
    expect(read.entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  test('zero bytes left by a crash at the end are ignored as a torn tail', async () => {
    await writeTwo();
    appendFileSync(path, Buffer.alloc(64));
    expect(readJournal(path).entries).toHaveLength(2);
  });

  test('a complete last line failing its checksum is treated as torn', async () => {
    await writeTwo();
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"ok"', '"failed"');
    writeFileSync(path, lines.join('\n'));
    const read = readJournal(path);
    expect(read.entries.map((entry) => entry.seq)).toEqual([1]);
    expect(read.warnings[0]).toContain('checksum mismatch');
  });

  test('a group write missing its last line counts as not written at all', async () => {
    const journal = await Journal.open(path);
    await journal.append(intent('s1'));
    await journal.appendMany([result('s1'), intent('s2'), result('s2')]);
    await journal.close();
    const full = readFileSync(path);
    const cut = full.subarray(0, full.lastIndexOf('{"seq":4'));
    writeFileSync(path, cut);

    const read = readJournal(path);
    expect(read.entries.map((entry) => entry.seq)).toEqual([1]);
    expect(read.warnings.join('\n')).toContain('2 entries (seq 2-3) of a group write that did not complete');

    const reopened = await Journal.open(path);
    const next = await reopened.append(intent('s3'));
    await reopened.close();
    expect(next.seq).toBe(2);
    expect(readJournal(path).entries.map((entry) => entry.seq)).toEqual([1, 2]);
  });

  test('a damaged line followed by good lines is reported, and opening for write refuses', async () => {
    const journal = await Journal.open(path);
    await journal.append(intent('s1'));
    await journal.append(result('s1'));
    await journal.append(intent('s2'));
    await journal.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"ok"', '"OK"');
    writeFileSync(path, lines.join('\n'));

    const read = readJournal(path);
    expect(read.damaged).toBe(true);
    expect(read.entries.map((entry) => entry.seq)).toEqual([1]);
    expect(read.warnings[0]).toContain('line 2 is damaged (checksum mismatch)');

    const error: unknown = await Journal.open(path).catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('JOURNAL_DAMAGED');
    expect(readFileSync(path, 'utf8').split('\n')).toEqual(lines);
  });

  test('a sequence gap is damage, not a torn tail', async () => {
    const journal = await Journal.open(path);
    await journal.append(intent('s1'));
    await journal.append(result('s1'));
    await journal.append(intent('s2'));
    await journal.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [lines[0], lines[2], ''].join('\n'));
    const read = readJournal(path);
    expect(read.entries).toHaveLength(1);
    expect(read.warnings[0]).toContain('seq 3 where 2 was expected');
  });

  test('a missing journal reads as empty with a warning', () => {
    const read = readJournal(join(temp.dir, 'nope.jsonl'));
    expect(read.entries).toEqual([]);
    expect(read.warnings[0]).toContain('no journal yet');
  });
});
