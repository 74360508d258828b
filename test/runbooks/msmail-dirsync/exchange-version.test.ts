/**
 * Exchange 4.0 and 5.x write no MsiProductMajor (only Exchange 2007 does), so the dirsync
 * runbook tells which Exchange a requestor runs from the program its directory synchronization
 * service runs: the DX agent's file version. Found on the host, never assumed.
 */
import { describe, expect, test } from '@jest/globals';
import { msmailDirsync } from '../../../runbooks/msmail-dirsync/index.js';
import { createEstate } from '../../helpers/lab-estate.js';
import { run } from '../../lab-model/helpers.js';
import { exampleInventory } from './helpers.js';

async function inspections(lab: string) {
  const inventory = exampleInventory((yaml) => yaml.replace(/^lab:\n(.*\n)*$/m, `lab:\n${lab}\n`));
  const estate = createEstate(inventory);
  const seen: Record<string, Record<string, string>> = {};
  for (const host of inventory.hosts) {
    const spec = msmailDirsync.inspectSpec(inventory, host.name, {});
    seen[host.name] = (await run(estate, host.name, 'host.inspect', 'probe', host.name, { ...spec })).dr;
  }
  return { inventory, seen };
}

describe('the Exchange version of a dirsync requestor', () => {
  test('comes from the DX agent program, not from a setup value older Exchange never writes', async () => {
    const { inventory, seen } = await inspections('  exchange40: [ex-mail1]');
    expect(seen['ex-mail1']).toMatchObject({
      exchangeVersion: '',
      'serviceImage.MSExchangeDX': 'C:\\EXCHSRVR\\bin\\dxa.exe',
      'serviceImageVersion.MSExchangeDX': '4.0.996.0',
    });
    const evaluation = msmailDirsync.evaluatePreflight({
      inventory,
      inspections: seen,
      versions: {},
      package: {},
    });
    expect(evaluation.problems).toEqual([]);
    expect(evaluation.facts.exchange40).toMatchObject({ value: true, source: 'probe' });
    expect(evaluation.facts.exchange40?.evidence).toContain(
      'ex-mail1: Exchange 4.0 (C:\\EXCHSRVR\\bin\\dxa.exe 4.0.996.0)',
    );
  });

  test('5.5 and 2000 requestors make exchange40 false', async () => {
    const { inventory, seen } = await inspections('  exchange2000: [ex-mail2]');
    const evaluation = msmailDirsync.evaluatePreflight({
      inventory,
      inspections: seen,
      versions: {},
      package: {},
    });
    expect(evaluation.problems).toEqual([]);
    expect(evaluation.facts.exchange40?.value).toBe(false);
  });

  test('a requestor without the DX service is a problem naming the service', async () => {
    const { inventory, seen } = await inspections('  exchange2000: [ex-mail2]');
    seen['ex-mail1'] = {
      ...seen['ex-mail1'],
      'serviceImage.MSExchangeDX': '',
      'serviceImageVersion.MSExchangeDX': '',
    };
    const evaluation = msmailDirsync.evaluatePreflight({
      inventory,
      inspections: seen,
      versions: {},
      package: {},
    });
    expect(evaluation.problems).toEqual([expect.stringMatching(/^ex-mail1: no MSExchangeDX service found/)]);
  });
});
