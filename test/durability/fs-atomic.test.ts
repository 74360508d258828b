import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../../src/durability/fs-atomic.js';
import { makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

describe('writeFileAtomic', () => {
  test('replaces a file with mode 0600 and leaves no temp file', async () => {
    const path = join(temp.dir, 'run.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(temp.dir)).toEqual(['run.json']);
  });

  test('a failed write leaves the old content and no temp file', async () => {
    const path = join(temp.dir, 'target');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow();
    expect(readdirSync(temp.dir)).toEqual(['target']);
  });

  test('writes buffers byte for byte and honours an explicit mode', async () => {
    const path = join(temp.dir, 'blob');
    const data = Buffer.from([0, 1, 2, 255, 10]);
    await writeFileAtomic(path, data, 0o640);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });
});

describe('ensureDir', () => {
  test('creates missing parents with mode 0700 and leaves an existing directory alone', async () => {
    const existing = join(temp.dir, 'mine');
    mkdirSync(existing, { mode: 0o755 });
    const deep = await ensureDir(join(existing, 'a', 'b'));
    expect(statSync(join(existing, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(deep).mode & 0o777).toBe(0o700);
    expect(statSync(existing).mode & 0o777).toBe(0o755);
    expect(await ensureDir(deep)).toBe(deep);
  });
});
