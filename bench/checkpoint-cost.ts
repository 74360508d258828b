/**
 * What durability costs per step, measured directly: one fsynced journal append at a time, the
 * same with 10 lanes appending at once (group commit), and one snapshot save.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../src/durability/journal.js';
import { SnapshotWriter } from '../src/durability/snapshot.js';

export async function checkpointCost(
  entries: number,
): Promise<{ appendMs: number; concurrentAppendMs: number; snapshotSaveMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ckpt-'));
  try {
    const entry = (i: number) => ({
      type: 'step.intent' as const,
      stepId: `stage/host-${i % 10}/step-${i}`,
      host: `host-${i % 10}`,
      action: 'msi.install',
      target: 'Provisioning Engine',
      attempt: 1,
    });
    const journal = await Journal.open(join(dir, 'journal.jsonl'));
    let t = performance.now();
    for (let i = 0; i < entries; i++) await journal.append(entry(i));
    const appendMs = (performance.now() - t) / entries;
    t = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async (_, lane) => {
        for (let i = lane; i < entries; i += 10) await journal.append(entry(i));
      }),
    );
    const concurrentAppendMs = (performance.now() - t) / entries;
    await journal.close();
    const writer = new SnapshotWriter(dir);
    const saves = 20;
    t = performance.now();
    for (let i = 0; i < saves; i++)
      await writer.save({
        machineId: 'kb979704',
        machineVersion: '1',
        runbookVersion: '1',
        snapshot: {
          status: 'active',
          value: { withoutUpdateRollup5: { sql: 'resourceManagerDatabase' } },
          context: { facts: {} },
          i,
        },
        savedAt: new Date().toISOString(),
      });
    await writer.flush();
    const snapshotSaveMs = (performance.now() - t) / saves;
    const round = (x: number): number => Number(x.toFixed(2));
    return {
      appendMs: round(appendMs),
      concurrentAppendMs: round(concurrentAppendMs),
      snapshotSaveMs: round(snapshotSaveMs),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
