/**
 * What crash safety costs per step: one fsynced `Journal.append`, one `SnapshotWriter.save` of
 * a real persisted snapshot, and a whole lab rollout with and without checkpoints (journal
 * writes and snapshot saves replaced by no-ops; the lab's own persistence is the same in both).
 *
 *   npm run build && node dist/bench/checkpoint.js [--rounds 3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RUNBOOKS } from '../runbooks/index.js';
import { labEstate, makeDeps, makeTransportPool, readPasswords } from '../src/cli/compose.js';
import { Journal, type JournalEntry, type JournalInput } from '../src/durability/journal.js';
import { SnapshotWriter, type SnapshotRecord } from '../src/durability/snapshot.js';
import { DEFAULT_ENGINE_OPTIONS } from '../src/engine/context.js';
import { runSession } from '../src/engine/session.js';
import { loadInventory } from '../src/cli/inventory.js';

const REPO = join(fileURLToPath(import.meta.url), '../../..');

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  return `n=${samples.length} mean ${mean.toFixed(3)} ms, p50 ${at(0.5).toFixed(3)} ms, p95 ${at(0.95).toFixed(3)} ms, max ${at(1).toFixed(3)} ms`;
}

async function timeEach(n: number, body: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await body(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

interface Rollout {
  ms: number;
  appends: number;
  snapshots: number;
  exitCode: number;
  snapshot?: unknown;
}

/** One full lab rollout in this process; `checkpoints: false` turns journal and snapshot writes into no-ops. */
async function rollout(root: string, name: string, checkpoints: boolean): Promise<Rollout> {
  const stateDir = join(root, name);
  const inventory = await loadInventory(join(root, 'lab.yaml'));
  const runbook = RUNBOOKS[inventory.runbook];
  if (!runbook) throw new Error(`no runbook ${inventory.runbook}`);
  const estate = await labEstate(inventory, stateDir);
  const pool = makeTransportPool(inventory, estate, readPasswords(inventory), () => undefined);
  const options = {
    ...DEFAULT_ENGINE_OPTIONS,
    yes: true,
    lab: true,
    operator: 'bench',
    retryMinMs: 10,
    retryMaxMs: 100,
  };
  let appends = 0;
  let snapshots = 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below and only ever called with .call(this)
  const save = SnapshotWriter.prototype.save;
  SnapshotWriter.prototype.save = function (this: SnapshotWriter, record: SnapshotRecord): Promise<void> {
    snapshots++;
    return checkpoints ? save.call(this, record) : Promise.resolve();
  };
  const started = performance.now();
  try {
    const result = await runSession(
      { inventoryFile: inventory.file, inventory, runbook: runbook.id, runbookVersion: runbook.version },
      {
        stateDir,
        mode: { kind: 'fresh' },
        makeDeps: (runId, _runDir, journal) => {
          const real = journal.appendMany.bind(journal);
          let seq = 0;
          journal.appendMany = async (entries: readonly JournalInput[]): Promise<JournalEntry[]> => {
            appends++;
            if (checkpoints) return real(entries);
            return entries.map(
              (entry) => ({ ...entry, seq: ++seq, at: '', sha: '' }) as unknown as JournalEntry,
            );
          };
          return makeDeps({
            runbook,
            inventory,
            runId,
            pool,
            journal: journal,
            emit: () => undefined,
            options,
          });
        },
      },
    );
    const ms = performance.now() - started;
    const snapshotFile = join(result.runDir, 'snapshot.json');
    const snapshot = checkpoints
      ? (JSON.parse(readFileSync(snapshotFile, 'utf8')) as { snapshot: unknown }).snapshot
      : undefined;
    return { ms, appends, snapshots, exitCode: result.exitCode, snapshot };
  } finally {
    SnapshotWriter.prototype.save = save;
    await pool.closeAll();
    await estate.close();
  }
}

async function main(): Promise<void> {
  const roundsFlag = process.argv.indexOf('--rounds');
  const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 3;
  const root = mkdtempSync(join(tmpdir(), 'dr-bench-checkpoint-'));
  process.env.DEPLOY_ROLLUP_LAB_PASSWORD ??= 'bench-password';
  try {
    const source = readFileSync(join(REPO, 'inventory/lab.yaml'), 'utf8');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(root, 'lab.yaml'), source.replace(/^package: .*$/m, `package: ${join(root, 'pkg')}`));

    // A warm-up rollout generates the stand-in package and gives a real persisted snapshot.
    const warm = await rollout(root, 'warm-up', true);
    if (warm.exitCode !== 0) throw new Error(`the warm-up rollout exited ${warm.exitCode}`);

    const journal = await Journal.open(join(root, 'bench-journal.jsonl'));
    const entry: JournalInput = {
      type: 'step.result',
      stepId: 'installComponents/hmc-mps-a/install-exchange2007resourcemanagerns.msi',
      host: 'hmc-mps-a',
      outcome: 'ok',
      attempt: 1,
      durationMs: 42,
    };
    const appendMs = await timeEach(300, () => journal.append(entry));
    await journal.close();

    const record: SnapshotRecord = {
      machineId: 'kb979704',
      machineVersion: '1',
      runbookVersion: '1',
      snapshot: warm.snapshot,
      savedAt: new Date().toISOString(),
    };
    const snapshotBytes = Buffer.byteLength(JSON.stringify(record));
    const writer = new SnapshotWriter(root);
    const saveMs = await timeEach(200, () => writer.save({ ...record, savedAt: new Date().toISOString() }));

    const withMs: number[] = [];
    const withoutMs: number[] = [];
    let counts = { appends: 0, snapshots: 0 };
    for (let round = 0; round < rounds; round++) {
      const on = await rollout(root, `with-${round}`, true);
      const off = await rollout(root, `without-${round}`, false);
      if (on.exitCode !== 0 || off.exitCode !== 0)
        throw new Error(`a rollout failed (exit ${on.exitCode}/${off.exitCode})`);
      withMs.push(on.ms);
      withoutMs.push(off.ms);
      counts = { appends: on.appends, snapshots: on.snapshots };
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const lines = [
      `checkpoint cost (node ${process.version}, ${root})`,
      `Journal.append (one entry, fsynced):        ${stats(appendMs)}`,
      `SnapshotWriter.save (${snapshotBytes} B snapshot): ${stats(saveMs)}`,
      `one lab rollout makes ${counts.appends} journal appends and ${counts.snapshots} snapshot saves`,
      `lab rollout with checkpoints:    median ${median(withMs).toFixed(0)} ms  (${withMs.map((x) => x.toFixed(0)).join(', ')})`,
      `lab rollout without checkpoints: median ${median(withoutMs).toFixed(0)} ms  (${withoutMs.map((x) => x.toFixed(0)).join(', ')})`,
      `checkpointing adds ${(median(withMs) - median(withoutMs)).toFixed(0)} ms per rollout (${(((median(withMs) - median(withoutMs)) / median(withoutMs)) * 100).toFixed(1)} %)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
