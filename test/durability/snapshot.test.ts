import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshot,
  SNAPSHOT_FILE,
  SnapshotWriter,
  writeSnapshot,
  type SnapshotRecord,
} from '../../src/durability/snapshot.js';
import { makeTempDir } from './helpers.js';

const record = (
  snapshot: unknown = { value: { stopEngine: 'done' }, context: { hosts: ['MPS01'] } },
): SnapshotRecord => ({
  machineId: 'kb979704',
  machineVersion: '3',
  runbookVersion: '1.0.0',
  savedAt: '2024-05-01T10:00:00.000Z',
  snapshot,
});

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

describe('snapshots', () => {
  test('a written snapshot reads back equal, in a 0600 file, with no temp file left behind', async () => {
    await writeSnapshot(temp.dir, record());
    expect(readSnapshot(temp.dir)).toEqual({ ok: true, value: record() });
    expect(statSync(join(temp.dir, SNAPSHOT_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(temp.dir)).toEqual([SNAPSHOT_FILE]);
  });

  test('the record is serialized when writeSnapshot is called, so later mutation of live objects is not saved', async () => {
    const live = { count: 1 };
    const pending = writeSnapshot(temp.dir, record(live));
    live.count = 2;
    await pending;
    const read = readSnapshot(temp.dir);
    expect(read.ok && read.value.snapshot).toEqual({ count: 1 });
  });

  test('a missing file reads as missing', () => {
    expect(readSnapshot(temp.dir)).toMatchObject({ ok: false, reason: 'missing' });
  });

  test('an empty, torn or garbage file reads as torn without throwing', () => {
    const text = encodeSnapshot(record());
    for (const bad of [
      '',
      '\n',
      text.slice(0, text.length / 2),
      '\u0000\u0000\u0000',
      '[1,2]',
      '{"format":1}',
    ]) {
      writeFileSync(join(temp.dir, SNAPSHOT_FILE), bad);
      expect(readSnapshot(temp.dir)).toMatchObject({ ok: false, reason: 'torn' });
    }
  });

  test('a changed payload or header fails the checksum', () => {
    const text = encodeSnapshot(record());
    for (const tampered of [text.replace('"done"', '"todo"'), text.replace('"1.0.0"', '"1.0.1"')]) {
      expect(tampered).not.toBe(text);
      expect(decodeSnapshot(tampered)).toMatchObject({ ok: false, reason: 'checksum' });
    }
  });

  test('an unknown format or an unexpected machine version reads as version', () => {
    const text = encodeSnapshot(record());
    expect(decodeSnapshot(text.replace('"format":1', '"format":2'))).toMatchObject({
      ok: false,
      reason: 'version',
    });
    const read = decodeSnapshot(text, { machineId: 'kb979704', machineVersion: '4' });
    expect(read).toEqual({ ok: false, reason: 'version', detail: 'machineVersion is "3", expected "4"' });
    expect(decodeSnapshot(text, { machineVersion: '3', runbookVersion: '1.0.0' }).ok).toBe(true);
  });

  test('values JSON cannot hold are refused with SNAPSHOT_NOT_JSON', () => {
    expect(() => encodeSnapshot(record({ big: 1n }))).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_NOT_JSON' }),
    );
  });

  test('any JSON value round-trips and passes its checksum', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const read = decodeSnapshot(encodeSnapshot(record(value)));
        expect(read.ok).toBe(true);
        if (read.ok) expect(read.value.snapshot).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  test('a SnapshotWriter leaves the newest of overlapping saves on disk', async () => {
    const writer = new SnapshotWriter(temp.dir);
    const saves = Array.from({ length: 10 }, (_, index) => writer.save(record({ step: index })));
    await Promise.all(saves);
    await writer.flush();
    const read = readSnapshot(temp.dir);
    expect(read.ok && read.value.snapshot).toEqual({ step: 9 });
    expect(JSON.parse(readFileSync(join(temp.dir, SNAPSHOT_FILE), 'utf8'))).toMatchObject({ format: 1 });
  });

  test('a SnapshotWriter rejects the saves whose write failed', async () => {
    const writer = new SnapshotWriter(join(temp.dir, 'no-such-dir'));
    await expect(writer.save(record())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
