import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { planDelivery } from '../../src/remote/deliver.js';
import type { Params, Phase } from '../../src/remote/header.js';
import { Estate } from '../../src/lab/model/estate.js';
import { PATHS } from '../../runbooks/kb979704/data.js';
import { id, installed, labInventory, removeParams, toAnswer } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const kinds = new Set<string>();

/** Sends the action library's own script, delivered as the transport would (encoded, or on stdin). */
async function send(
  estate: Estate,
  host: string,
  action: string,
  phase: Phase,
  target: string,
  params: Params,
) {
  const script = buildScript({ run: 'r1', step: `${action}-${phase}`, action, phase, host, target, params });
  const delivery = planDelivery(script);
  kinds.add(delivery.kind);
  return toAnswer(
    await estate.exec(host, delivery.command, delivery.kind === 'stdin' ? delivery.stdin : undefined),
  );
}

describe('the model answers the action library scripts', () => {
  test('COM+ and msiexec scripts, encoded or on stdin, act on the header', async () => {
    const estate = createEstate(labInventory());
    expect(
      (await send(estate, 'MPS01', 'complus.disable', 'apply', 'Provisioning Engine', {})).exitCode,
    ).toBe(0);
    expect(
      (await send(estate, 'MPS01', 'complus.disable', 'verify', 'Provisioning Engine', {})).dr.state,
    ).toBe('done');
    const params = removeParams('DNSClient.msi', `${PATHS.logDir}\\dns.log`);
    const removed = await send(estate, 'DNS01', 'msi.uninstall', 'apply', 'DNSClient.msi', params);
    expect(removed.exitCode).toBe(0);
    expect((await send(estate, 'DNS01', 'msi.uninstall', 'apply', 'DNSClient.msi', params)).exitCode).toBe(
      1605,
    );
    expect(installed(estate.state.hosts.DNS01, 'DNSClient.msi')).toBeUndefined();
    expect(installed(estate.state.hosts.MPS01, 'Exchange2007Provider.msi')).toBe(
      id('Exchange2007Provider.msi').versions.rtm,
    );
    expect([...kinds].sort()).toEqual(['encoded', 'stdin']);
  });
});
