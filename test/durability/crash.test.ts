/**
 * The real thing, across processes: the compiled durability modules run in child node processes
 * that are killed mid-write or race each other for the lock.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Journal, readJournal } from '../../src/durability/journal.js';
import { readLock } from '../../src/durability/lock.js';
import { compileDurability, deadPid, makeTempDir } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
let compiled: string;
beforeAll(() => {
  temp = makeTempDir();
  compiled = compileDurability(join(temp.dir, 'build'));
});
afterAll(() => temp.cleanup());

function moduleUrl(name: string): string {
  return pathToFileURL(join(compiled, name)).href;
}

/** A child node process whose stdout is read line by line. */
function start(
  script: string,
  args: string[],
): { child: ChildProcessWithoutNullStreams; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (stderr !== '') lines.push(`stderr: ${stderr}`);
      resolve(code);
    });
  });
  return { child, lines, exited };
}

/** Polls until `predicate` holds; bounded in time. */
async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a journal writer killed at an arbitrary instant', () => {
  test('keeps every acknowledged entry, whole group writes only, and a continuous sequence', async () => {
    const script = join(temp.dir, 'writer.mjs');
    writeFileSync(
      script,
      `import { Journal } from ${JSON.stringify(moduleUrl('journal.js'))};
const journal = await Journal.open(process.argv[2]);
for (let k = 0; k < 100000; k++) {
  const one = { type: 'step.intent', stepId: 'single-' + k, host: 'H', action: 'a', target: 't', attempt: 1 };
  const group = [0, 1, 2].map((i) => ({ type: 'step.result', stepId: 'group-' + k + '-' + i, host: 'H', outcome: 'ok', attempt: 1, durationMs: 1 }));
  const written = k % 2 === 0 ? [await journal.append(one)] : await journal.appendMany(group);
  process.stdout.write('acked ' + written.at(-1).seq + '\\n');
}
`,
    );
    const path = join(temp.dir, 'killed.jsonl');
    const writer = start(script, [path]);
    await until(
      () => writer.lines.length >= 60 || writer.lines.some((line) => line.startsWith('stderr')),
      'acks',
    );
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acked = Math.max(
      ...writer.lines.filter((line) => line.startsWith('acked ')).map((line) => Number(line.slice(6))),
    );

    expect(writer.lines.filter((line) => line.startsWith('stderr'))).toEqual([]);
    expect(acked).toBeGreaterThan(0);

    const read = readJournal(path);
    const seqs = read.entries.map((entry) => entry.seq);
    expect(read.damaged).toBe(false);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    expect(seqs.length).toBeGreaterThanOrEqual(acked);
    const groups = new Map<string, number>();
    for (const entry of read.entries) {
      if (entry.type === 'step.result') {
        const group = entry.stepId.replace(/-\d+$/, '');
        groups.set(group, (groups.get(group) ?? 0) + 1);
      }
    }
    expect([...groups.values()].every((count) => count === 3)).toBe(true);

    const resumed = await Journal.open(path);
    const next = await resumed.append({ type: 'run.halted', reason: 'killed', exitCode: 1 });
    await resumed.close();
    expect(next.seq).toBe(seqs.length + 1);
  });
});

describe('two processes racing for the lock', () => {
  function racerScript(): string {
    const script = join(temp.dir, 'racer.mjs');
    writeFileSync(
      script,
      `import { acquireLock } from ${JSON.stringify(moduleUrl('lock.js'))};
import { hostname } from 'node:os';
const [lockPath, runId, goAt] = process.argv.slice(2);
while (Date.now() < Number(goAt)) await new Promise((r) => setTimeout(r, 1));
try {
  const lock = await acquireLock(lockPath, { runId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'racer' });
  process.stdout.write('won\\n');
  process.stdin.resume();
  process.stdin.on('end', async () => { await lock.release(); process.exit(0); });
} catch (error) {
  process.stdout.write((error.code ?? String(error)) + '\\n');
  process.exit(0);
}
`,
    );
    return script;
  }

  async function race(lockPath: string): Promise<string[]> {
    const script = racerScript();
    const goAt = String(Date.now() + 400);
    const racers = ['racer-A', 'racer-B'].map((runId) => start(script, [lockPath, runId, goAt]));
    await until(() => racers.every((racer) => racer.lines.length > 0), 'both racers to report');
    const results = racers.map((racer) => racer.lines[0] ?? '');
    const holder = readLock(lockPath);
    for (const racer of racers) racer.child.stdin.end();
    await Promise.all(racers.map((racer) => racer.exited));
    return [...results.sort(), holder?.runId ?? 'none'];
  }

  test('on a fresh lock exactly one proceeds and the other is told LOCKED', async () => {
    const [first, second, holder] = await race(join(temp.dir, 'fresh', 'k.lock'));
    expect([first, second]).toEqual(['LOCKED', 'won']);
    expect(holder).toMatch(/^racer-[AB]$/);
  });

  test('on a stale lock of a dead process exactly one takes it over', async () => {
    const lockPath = join(temp.dir, 'stale', 'k.lock');
    mkdirSync(join(temp.dir, 'stale'));
    const pid = await deadPid();
    writeFileSync(
      lockPath,
      JSON.stringify({
        runId: 'crashed',
        pid,
        host: hostname(),
        startedAt: new Date().toISOString(),
        command: 'x',
      }),
    );
    const [first, second, holder] = await race(lockPath);
    expect([first, second]).toEqual(['LOCKED', 'won']);
    expect(holder).toMatch(/^racer-[AB]$/);
  });
});
