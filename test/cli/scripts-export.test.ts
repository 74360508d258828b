/**
 * `deploy-rollup scripts`: the exported files are what a run hands its transport, byte for
 * byte, and the offline export of the shipped lab inventory covers every plan step.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runbookFor } from '../../runbooks/index.js';
import { offlinePlan } from '../../src/cli/plan-command.js';
import { scriptsCommand } from '../../src/cli/scripts-command.js';
import type { IndexEntry } from '../../src/cli/scripts-layout.js';
import { loadInventory } from '../../src/cli/inventory.js';
import { parseHeader } from '../../src/remote/header.js';
import { engineRun } from '../resume/engine-harness.js';
import { editInventory, makeLabDir, type LabDir } from '../resume/helpers.js';

const dirs: LabDir[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

const UR6_FACTS = 'facts:\n  ur5Installed: false\n  upgradedFromHmc40: true\n';

/** A shipped lab inventory with the facts its simulated estate starts from pinned, and its package written. */
async function labWithPackage(source = 'inventory/lab.yaml', facts = UR6_FACTS): Promise<LabDir> {
  const lab = makeLabDir({ source });
  dirs.push(lab);
  editInventory(lab.inventory, (t) => `${t}\n${facts}`);
  const inventory = await loadInventory(lab.inventory);
  await runbookFor(inventory).lab.writePackage?.(lab.packageDir, inventory.versions);
  return lab;
}

function readIndex(out: string): IndexEntry[] {
  return JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as IndexEntry[];
}

describe('deploy-rollup scripts', () => {
  test('--offline exports every plan step of inventory/lab.yaml, each file hashed in index.json', async () => {
    const lab = await labWithPackage();
    const out = join(lab.root, 'cab');
    expect(await scriptsCommand({ inventory: lab.inventory, out, offline: true })).toBe(0);
    const index = readIndex(out);
    const inventory = await loadInventory(lab.inventory);
    const plan = await offlinePlan(runbookFor(inventory), inventory);
    const planned = plan.stages.flatMap((s) => s.steps.map((st) => st.id));
    expect(planned.length).toBeGreaterThan(100);
    expect(new Set(index.map((e) => e.step))).toEqual(new Set(planned));
    expect(new Set(index.map((e) => e.file)).size).toBe(index.length);
    for (const entry of index) {
      const text = readFileSync(join(out, ...entry.file.split('/')), 'utf8');
      expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(entry.sha256);
      expect(text).not.toMatch(/Start-Process/i);
      expect(text.split('\n')[0]).toContain(`step=${encodeURIComponent(entry.step)}`);
      expect(entry.exact).toBe(entry.runtime.length === 0);
      for (const value of entry.runtime) expect(text).toContain(value.marker);
      expect(text).not.toMatch(/\{\{(capture|secret|package):/);
    }
    // The hub cache value is read by one step and written back by another: only a run knows it.
    expect(index.filter((e) => !e.exact).map((e) => e.runtime[0]?.kind)).toEqual(
      expect.arrayContaining(['capture']),
    );
  });

  test('refuses a non-empty --out and an absent package folder (exit 2), writing nothing', async () => {
    const lab = makeLabDir();
    dirs.push(lab);
    editInventory(lab.inventory, (t) => `${t}\n${UR6_FACTS}`);
    const out = join(lab.root, 'cab');
    await expect(scriptsCommand({ inventory: lab.inventory, out, offline: true })).rejects.toMatchObject({
      exitCode: 2,
      code: 'PACKAGE_UNREADABLE',
      message: expect.stringContaining(lab.packageDir),
    });
    expect(existsSync(out)).toBe(false);
    mkdirSync(out);
    writeFileSync(join(out, 'old.ps1'), 'x');
    await expect(scriptsCommand({ inventory: lab.inventory, out, offline: true })).rejects.toMatchObject({
      exitCode: 2,
      code: 'SCRIPTS_OUT_NOT_EMPTY',
    });
  });

  test.each([
    ['inventory/lab.yaml', UR6_FACTS, 150],
    ['inventory/lab-kb817375.yaml', 'facts:\n  mapi32Current: false\n  useWorkaround: false\n', 5],
  ])(
    '%s: each exported file is byte for byte what the transport was handed in a rehearsal',
    async (source, facts, least) => {
      const lab = await labWithPackage(source, facts);
      const sent = new Map<string, string>();
      const run = await engineRun(lab.inventory, lab.stateDir(), {
        mode: { kind: 'fresh' },
        options: { batch: false },
        wrapTransport: (inner) => ({
          ...inner,
          host: inner.host,
          run: (script, options) => {
            const header = parseHeader(script.slice(0, script.indexOf('\n')));
            if (!('error' in header)) sent.set(`${header.step}|${header.phase}|${header.host}`, script);
            return inner.run(script, options);
          },
        }),
      });
      if (run.outcome === 'crashed') throw new Error('the rehearsal froze');
      expect(run.outcome.exitCode).toBe(0);
      const out = join(lab.root, 'cab');
      const runId = run.outcome.runId;
      expect(await scriptsCommand({ inventory: lab.inventory, out, offline: true, runId })).toBe(0);
      const index = readIndex(out);
      let compared = 0;
      for (const entry of index) {
        const script = sent.get(`${entry.step}|${entry.phase}|${entry.scriptHost}`);
        if (script === undefined) continue;
        const file = readFileSync(join(out, ...entry.file.split('/')));
        if (entry.exact) {
          expect(file.equals(Buffer.from(script, 'utf8'))).toBe(true);
          compared++;
        } else {
          // Only the marked values differ: the run put the captured value there.
          for (const value of entry.runtime) expect(script).not.toContain(value.marker);
          expect(file.toString('utf8')).not.toBe(script);
        }
      }
      // Every step the run sent as its own `run` script was exported as exactly that script.
      const runsSent = [...sent.keys()].filter((k) => k.split('|')[1] === 'run');
      const exported = new Set(index.map((e) => `${e.step}|${e.phase}|${e.scriptHost}`));
      expect(runsSent.filter((k) => !exported.has(k))).toEqual([]);
      expect(compared).toBeGreaterThan(least);
    },
    120_000,
  );
});
