/** Whether a resume may use a checkpoint: bound to its run and to a journal position it holds. */
import { describe, expect, test } from '@jest/globals';
import { isDeployError } from '../../src/errors.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotRecord } from '../../src/durability/snapshot.js';
import { bindSnapshot } from '../../src/durability/snapshot-binding.js';

const RUN = '20260101-120000-abcd';
const base: SnapshotRecord = {
  machineId: 'kb979704',
  machineVersion: '2.2',
  runbookVersion: '2.2',
  savedAt: '2026-01-01T12:00:00.000Z',
  snapshot: { value: 'done' },
};
const read = (record: SnapshotRecord) => decodeSnapshot(encodeSnapshot(record));

describe('bindSnapshot', () => {
  test('run id and seq survive the file and its checksum; a changed seq fails the checksum', () => {
    const text = encodeSnapshot({ ...base, runId: RUN, seq: 7 });
    expect(decodeSnapshot(text)).toEqual({ ok: true, value: { ...base, runId: RUN, seq: 7 } });
    expect(decodeSnapshot(text.replace('"seq":7', '"seq":3'))).toMatchObject({
      ok: false,
      reason: 'checksum',
    });
  });

  test('used when it is this run and the journal holds its position (or more)', () => {
    for (const lastSeq of [7, 9])
      expect(bindSnapshot(read({ ...base, runId: RUN, seq: 7 }), RUN, lastSeq, 'j')).toEqual({
        use: true,
        snapshot: { value: 'done' },
        seq: 7,
      });
  });

  test("set aside, with a note, when it is another run's or names no run or position", () => {
    const other = bindSnapshot(read({ ...base, runId: '20250101-000000-0000', seq: 3 }), RUN, 9, 'j');
    expect(other).toEqual({
      use: false,
      note: expect.stringContaining('belongs to run 20250101-000000-0000'),
    });
    expect(bindSnapshot(read(base), RUN, 9, 'j')).toEqual({
      use: false,
      note: expect.stringContaining('no run id or journal position'),
    });
    expect(bindSnapshot({ ok: false, reason: 'missing', detail: '' }, RUN, 0, 'j')).toEqual({ use: false });
  });

  test('refused when it is ahead of the journal (emptied or truncated)', () => {
    for (const lastSeq of [0, 6]) {
      let thrown: unknown;
      try {
        bindSnapshot(read({ ...base, runId: RUN, seq: 7 }), RUN, lastSeq, '/s/journal.jsonl');
      } catch (error) {
        thrown = error;
      }
      expect(isDeployError(thrown) && thrown.code).toBe('SNAPSHOT_AHEAD_OF_JOURNAL');
      expect(isDeployError(thrown) && thrown.exitCode).toBe(1);
      expect((thrown as Error).message).toContain(lastSeq === 0 ? 'holds no entries' : 'only entries 1 to 6');
    }
  });
});
