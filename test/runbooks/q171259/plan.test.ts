import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { q171259 } from '../../../runbooks/q171259/index.js';
import { loadInventory } from '../../../src/cli/inventory.js';
import { planStages, toPlanDocument } from '../../../src/plan/build-plan.js';
import type { PlanDocument } from '../../../src/plan/types.js';
import { CLI_BIN } from '../../helpers/cli-bin.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'q171259-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inventoryFile(edit: (yaml: string) => string = (y) => y): string {
  const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, edit(readFileSync(join(ROOT, 'inventory', 'lab-q171259.yaml'), 'utf8')));
  return file;
}

/** The loader's problems for `file`, one string (each names file:line:col). */
async function problemsOf(file: string): Promise<string> {
  try {
    await loadInventory(file);
  } catch (error) {
    return ((error as { problems?: string[] }).problems ?? []).join('\n');
  }
  throw new Error(`${file} loaded without problems`);
}

async function plan(facts: Record<string, boolean>): Promise<PlanDocument> {
  const inventory = await loadInventory(inventoryFile());
  return toPlanDocument(q171259, facts, await planStages(q171259, inventory, facts));
}

type Step = PlanDocument['stages'][number]['steps'][number];
const steps = (doc: PlanDocument): Step[] => doc.stages.flatMap((s) => s.steps);
const BIN = 'D:\\ExchSrvr\\Connect\\Msmcon\\Bin';

describe('the Q171259 plan', () => {
  for (const appleTalkMta of [true, false]) {
    for (const pcmtaDefined of [true, false]) {
      const label = `appleTalkMta=${appleTalkMta}, pcmtaDefined=${pcmtaDefined}`;
      test(`runs the KB's seven steps in order on the connector host (${label})`, async () => {
        const doc = await plan({ appleTalkMta, pcmtaDefined });
        expect(doc.stages.map((s) => s.id)).toEqual([
          'stopConnector',
          'unshareMaildata',
          'copyPostoffice',
          'shareMaildata',
          'updateRegistry',
          'startConnector',
        ]);
        const all = steps(doc);
        expect(new Set(all.map((s) => s.host))).toEqual(new Set(['exch55-msmc']));
        const services = [
          'MSExchangeMSMI',
          ...(appleTalkMta ? ['MSExchangeATMTA'] : []),
          ...(pcmtaDefined ? ['MSExchangePCMTA01'] : []),
        ];
        expect(all.filter((s) => s.action === 'service.stop').map((s) => s.target)).toEqual(services);
        expect(all.filter((s) => s.action === 'service.start').map((s) => s.target)).toEqual(services);
        const copy = all.find((s) => s.action === 'tree.copy');
        expect(copy?.params).toEqual({
          source: 'C:\\exchsrvr\\Connect\\Msmcon',
          dest: 'D:\\ExchSrvr\\Connect\\Msmcon',
        });
        const share = all.find((s) => s.action === 'share.ensure');
        expect(share?.target).toBe('Maildat$');
        expect(share?.params).toEqual({ path: 'D:\\ExchSrvr\\Connect\\Msmcon\\Maildata' });
        const values = all
          .filter((s) => s.action === 'registry.setValue')
          .map(
            (s) =>
              `${s.target.replace('HKLM\\SYSTEM\\CurrentControlSet\\Services\\', '')} ${[s.params.name, s.params.type, s.params.data].map((v) => (typeof v === 'string' ? v : '?')).join(' ')}`,
          );
        expect(values).toEqual([
          ...(appleTalkMta
            ? [
                `MSExchangeATMTA ImagePath REG_EXPAND_SZ ${BIN}\\Macgate.exe`,
                `MSExchangeATMTA\\Performance Library REG_EXPAND_SZ ${BIN}\\Macgperf.dll`,
              ]
            : []),
          `MSExchangeMSMI ImagePath REG_EXPAND_SZ ${BIN}\\Mt.exe`,
          `MSExchangeMSMI\\Performance Library REG_SZ ${BIN}\\Mtperf.dll`,
          ...(pcmtaDefined
            ? [
                `MSExchangePCMTA\\Performance Library REG_SZ ${BIN}\\Xtnperf.dll`,
                `MSExchangePCMTA01 ImagePath REG_EXPAND_SZ ${BIN}\\Pcmta.exe`,
              ]
            : []),
        ]);
      });
    }
  }

  test('an unknown fact is a clear error naming it, not a guess', async () => {
    const inventory = await loadInventory(inventoryFile());
    await expect(planStages(q171259, inventory, { pcmtaDefined: true })).rejects.toThrow(/appleTalkMta/);
  });

  test('the offline dry run from the CLI prints the same plan as JSON', async () => {
    const { execFileSync } = await import('node:child_process');
    const file = inventoryFile((y) => `${y}\nfacts: { appleTalkMta: false, pcmtaDefined: true }\n`);
    const out = execFileSync(
      process.execPath,
      [CLI_BIN, '--inventory', file, '--dry-run', '--offline', '--format', 'json'],
      { encoding: 'utf8' },
    );
    const doc = JSON.parse(out) as PlanDocument;
    expect(doc.runbook).toBe('q171259');
    expect(
      steps(doc)
        .filter((s) => s.action === 'service.stop')
        .map((s) => s.target),
    ).toEqual(['MSExchangeMSMI', 'MSExchangePCMTA01']);
  });

  test('a drive that is not a letter is refused with the line and what to write', async () => {
    const file = inventoryFile((y) => y.replace('drive: D #', 'drive: DATA #'));
    expect(await problemsOf(file)).toMatch(/:20:10: inputs\.drive: expected a drive letter such as D/);
  });

  test('moving to the drive the postoffice is already on is refused', async () => {
    const file = inventoryFile((y) => y.replace('drive: D #', 'drive: c #'));
    expect(await problemsOf(file)).toMatch(
      /:20:10: inputs\.drive: drive C is where the postoffice already is.*name the NTFS drive/,
    );
  });

  test('a missing drive input is refused naming inputs.drive', async () => {
    const file = inventoryFile((y) => y.replace(/^ {2}drive: D.*$/m, ''));
    expect(await problemsOf(file)).toMatch(/inputs\.drive/);
  });
});
