import { describe, expect, test } from '@jest/globals';
import { PATHS, PROVISIONING_NODES } from '../../runbooks/kb979704/data.js';
import { Estate } from '../../src/lab/model/estate.js';
import type { Params } from '../../src/remote/header.js';
import { id, installed, labInventory, run, upload } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const ENGINE = 'Provisioning Engine';
const WS = 'Hosted Email 2007 Web Service';
const NS = 'Exchange 2007 Hosted Email';
const NS_MSI = 'HostedEmail2007NS.msi';
const WS_MSI = 'HostedEmail2007WS.msi';

function item(action: string, target: string, hosts: string[], params: Record<string, string> = {}): Params {
  return { action, target, hosts, params };
}

function operator(estate: Estate, gate: string, items: Params[]) {
  return run(estate, 'MPS01', 'lab.operator', 'apply', gate, { gate, items });
}

async function stopEngines(estate: Estate): Promise<void> {
  for (const host of ['MPS01', 'MPS02']) {
    await run(estate, host, 'complus.disable', 'apply', ENGINE);
    await run(estate, host, 'complus.shutdown', 'apply', ENGINE);
  }
}

async function stage(estate: Estate, msi: string): Promise<void> {
  const pkg = upload(estate, 'MPS01', msi);
  const dest = `${PATHS.msiShare}\\${msi}`;
  const result = await run(estate, 'MPS01', 'msi.stage', 'apply', msi, {
    source: pkg.path,
    dest,
    size: pkg.size,
    sha256: pkg.sha256,
  });
  expect(result.exitCode).toBe(0);
}

describe('the simulated operator at Deployment Tool gates', () => {
  test('uninstalling components while an engine still runs fails and names the item', async () => {
    const estate = createEstate(labInventory());
    const answer = await operator(estate, 'uninstall', [item('component.uninstall', NS, ['MPS01', 'MPS02'])]);
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/item 1 \(component.uninstall Exchange 2007 Hosted Email\)/);
    expect(installed(estate.state.hosts.MPS01, NS_MSI)).toBe(id(NS_MSI).versions.rtm);
  });

  test('the KB order uninstalls, reinstalls what is staged, initialises the nodes and starts deployment', async () => {
    const estate = createEstate(labInventory());
    await stopEngines(estate);
    const uninstall = await operator(estate, 'uninstall', [
      item('component.uninstall', NS, ['MPS01', 'MPS02']),
      item('component.uninstall', WS, ['PROV01']),
    ]);
    expect(uninstall.exitCode).toBe(0);
    expect(installed(estate.state.hosts.PROV01, WS_MSI)).toBeUndefined();
    expect(Object.values(estate.state.hosts.MPS01!.mpsConfig!.initialized).some(Boolean)).toBe(false);

    await stage(estate, 'HostedEmail2007NS.msi');
    await stage(estate, 'HostedEmail2007WS.msi');
    const reinstall = await operator(estate, 'reinstall', [
      item('component.install', NS, ['MPS01', 'MPS02'], { msi: NS_MSI }),
      item('component.install', WS, ['PROV01'], { msi: WS_MSI }),
    ]);
    expect(reinstall.exitCode).toBe(0);
    expect(installed(estate.state.hosts.MPS02, NS_MSI)).toBe(id(NS_MSI).versions.ur6);
    expect(installed(estate.state.hosts.PROV01, WS_MSI)).toBe(id(WS_MSI).versions.ur6);

    const nodes = PROVISIONING_NODES.map((node) =>
      item('provisioning.initialize', node, ['MPS01'], { node }),
    );
    expect((await operator(estate, 'initialize', nodes)).exitCode).toBe(1);
    for (const host of ['MPS01', 'MPS02']) {
      await run(estate, host, 'complus.enable', 'apply', ENGINE);
      await run(estate, host, 'complus.start', 'apply', ENGINE);
    }
    const init = await operator(estate, 'initialize', [
      ...nodes,
      item('provisioning.startDeployment', '', ['MPS01']),
    ]);
    expect(init.exitCode).toBe(0);
    expect(init.dr.performed).toBe(String(PROVISIONING_NODES.length + 1));
    expect(estate.state.hosts.MPS01!.mpsConfig).toEqual({
      initialized: Object.fromEntries(PROVISIONING_NODES.map((n) => [n, true])),
      deploymentStarted: true,
    });
  });

  test('reinstalling without staging installs the old MSI still in C:\\MSIShare', async () => {
    const estate = createEstate(labInventory());
    await stopEngines(estate);
    await operator(estate, 'uninstall', [item('component.uninstall', NS, ['MPS01'])]);
    await operator(estate, 'reinstall', [item('component.install', NS, ['MPS01'], { msi: NS_MSI })]);
    const probe = await run(estate, 'MPS01', 'component.install', 'probe', NS, {
      product: NS,
      msi: NS_MSI,
      productCode: id(NS_MSI).productCode,
      version: id(NS_MSI).versions.ur6,
    });
    expect(probe.dr).toMatchObject({ state: 'pending', version: id(NS_MSI).versions.rtm });
  });

  test('reinstalling a component that was never removed fails like msiexec 1638', async () => {
    const estate = createEstate(labInventory());
    await stopEngines(estate);
    await stage(estate, 'HostedEmail2007NS.msi');
    const answer = await operator(estate, 'reinstall', [item('component.install', NS, ['MPS01'])]);
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/1638/);
  });

  test('an operator without the Deployment Tool or Domain Admins rights cannot perform a gate', async () => {
    const noTool = createEstate(labInventory({ noDeploymentTool: true }));
    expect((await operator(noTool, 'g', [])).stderr).toMatch(/Deployment Tool is not installed/);
    const noAdmin = createEstate(labInventory({ notDomainAdmin: true }));
    expect((await operator(noAdmin, 'g', [])).stderr).toMatch(/Domain Admins/);
  });

  test('a forget fault skips the named item once, and the event records it', async () => {
    const estate = createEstate(labInventory(), {
      faults: [{ kind: 'forget', item: WS.toUpperCase(), times: 1 }],
    });
    await stopEngines(estate);
    const items = [item('component.uninstall', NS, ['MPS01']), item('component.uninstall', WS, ['PROV01'])];
    const first = await operator(estate, 'uninstall', items);
    expect(first.exitCode).toBe(0);
    expect(installed(estate.state.hosts.PROV01, WS_MSI)).toBe(id(WS_MSI).versions.rtm);
    expect(estate.state.events.at(-1)?.fault).toBe('forget');
    await operator(estate, 'uninstall', items);
    expect(installed(estate.state.hosts.PROV01, WS_MSI)).toBeUndefined();
  });

  test('a forget fault bound to another gate does not fire', async () => {
    const estate = createEstate(labInventory(), {
      faults: [{ kind: 'forget', gate: 'reinstall', item: NS, times: 1 }],
    });
    await stopEngines(estate);
    await operator(estate, 'uninstall', [item('component.uninstall', NS, ['MPS01'])]);
    expect(installed(estate.state.hosts.MPS01, NS_MSI)).toBeUndefined();
  });
});
