/**
 * The simulated estate learns its runbook only through the port the composition root hands it
 * (`LabRunbook`: seeding, default versions, the hosts' knowledge): change what is handed over and
 * the hosts answer differently, whatever runbook the inventory names.
 */
import { describe, expect, test } from '@jest/globals';
import { MAPI_PROFILE_KEY, SYSTEM_ATTENDANT } from '../../runbooks/kb817375/data.js';
import { runbookFor } from '../../runbooks/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { Estate } from '../../src/lab/model/estate.js';
import { blankHost } from '../../src/lab/model/host-base.js';
import type { LabKnowledge, LabRunbook } from '../../src/lab/model/lab-profile.js';
import { seedEstate } from '../../src/lab/model/seed.js';
import { HOTFIX_PARAMS, PACKAGE_PATH, exchangeInventory, hotfixBytes } from '../runbooks/kb817375/helpers.js';
import { run } from './helpers.js';

/** The inventory's runbook with its lab knowledge replaced by `knowledge`. */
function handedOver(inventory: Inventory, knowledge: LabKnowledge): LabRunbook {
  const runbook = runbookFor(inventory);
  return { ...runbook, lab: { ...runbook.lab, knowledge } };
}

async function stopMapiLoaders(estate: Estate, host: string): Promise<void> {
  const found = await run(estate, host, 'service.listRunning', 'probe', 'mapi32.dll', {
    module: 'mapi32.dll',
    services: [],
  });
  const services = { services: found.dr.services ?? '', timeoutSeconds: 900 };
  expect((await run(estate, host, 'service.stopList', 'apply', 'noted', services)).exitCode).toBe(0);
}

describe('the lab port', () => {
  test('the hotfix refuses below the service pack the handed knowledge names, and applies with the runbook’s', async () => {
    const inventory = exchangeInventory({}, {});
    const own = runbookFor(inventory).lab.knowledge;
    expect(own.hotfix?.minServicePack).toBe(3);
    const results: { exitCode: number | undefined; stderr: string }[] = [];
    for (const knowledge of [{ ...own, hotfix: { minServicePack: 4 } }, own]) {
      const estate = Estate.create(inventory, handedOver(inventory, knowledge));
      estate.writeFile('exch-a', PACKAGE_PATH, hotfixBytes());
      await stopMapiLoaders(estate, 'exch-a');
      const answer = await run(estate, 'exch-a', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS);
      results.push({ exitCode: answer.exitCode, stderr: answer.stderr });
    }
    expect(results.map((r) => r.exitCode)).toEqual([1, 0]);
    expect(results[0]?.stderr).toMatch(/Service Pack 4 \(found SP3\)/);
  });

  test('System Attendant re-creates the MAPI profiles only where the handed knowledge says it does', async () => {
    const inventory = exchangeInventory({}, { profileLost: ['exch-a'] });
    const recreated: boolean[] = [];
    for (const knowledge of [runbookFor(inventory).lab.knowledge, {}]) {
      const estate = Estate.create(inventory, handedOver(inventory, knowledge));
      expect(estate.state.hosts['exch-a']!.registry[MAPI_PROFILE_KEY]).toBeUndefined();
      expect((await run(estate, 'exch-a', 'service.restart', 'apply', SYSTEM_ATTENDANT)).exitCode).toBe(0);
      recreated.push(estate.state.hosts['exch-a']!.registry[MAPI_PROFILE_KEY] === true);
    }
    expect(recreated).toEqual([true, false]);
  });

  test('seeding is the handed runbook’s, with its default versions under the inventory’s', () => {
    const inventory = { ...exchangeInventory({}, {}), versions: { fixed: '2' } };
    const seen: Record<string, string>[] = [];
    const runbook: LabRunbook = {
      defaultVersions: { fixed: '1', old: '0' },
      lab: {
        example: 'lab: {}',
        knowledge: {},
        seedHosts: (inv, versions) => {
          seen.push(versions);
          return Object.fromEntries(inv.hosts.map((h) => [h.name, blankHost(h.roles)]));
        },
      },
    };
    const state = seedEstate(inventory, runbook, { versions: { extra: '3' } });
    expect(seen).toEqual([{ fixed: '2', old: '0', extra: '3' }]);
    expect(Object.keys(state.hosts)).toEqual(['exch-a', 'exch-b', 'exch-c']);
    expect(state.hosts['exch-a']!.exchange).toBeUndefined();
  });
});
