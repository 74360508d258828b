/** The general Windows actions the older runbooks share: services with dependants, registry values. */
import { describe, expect, test } from '@jest/globals';
import { Estate } from '../../src/lab/model/estate.js';
import { labInventory, run } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const HOST = 'MPS01';
const SA = 'MSExchangeSA';
const KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI';
const wait = { timeoutSeconds: 60 };

/** An estate whose MPS01 also runs System Attendant with two dependants, one of them already stopped. */
function estateWithServices(): Estate {
  const estate = createEstate(labInventory());
  const host = estate.state.hosts[HOST]!;
  Object.assign(host.services, { [SA]: 'Running', MSExchangeMTA: 'Running', MSExchangeIS: 'Stopped' });
  host.serviceInfo = { [SA]: { dependents: ['MSExchangeMTA', 'MSExchangeIS'] } };
  host.registryValues = {
    [KEY]: { ImagePath: { type: 'REG_EXPAND_SZ', data: 'C:\\exchsrvr\\connect\\msmcon\\bin\\mt.exe' } },
  };
  return estate;
}

describe('service.stop and service.start', () => {
  test('stopping a service stops its running dependants and reports them first', async () => {
    const estate = estateWithServices();
    const probe = await run(estate, HOST, 'service.stop', 'probe', SA, wait);
    expect(probe.dr).toMatchObject({ state: 'pending', status: 'Running', dependents: 'MSExchangeMTA' });
    expect((await run(estate, HOST, 'service.stop', 'apply', SA, wait)).exitCode).toBe(0);
    expect(estate.state.hosts[HOST]!.services).toMatchObject({ [SA]: 'Stopped', MSExchangeMTA: 'Stopped' });
    expect((await run(estate, HOST, 'service.stop', 'verify', SA, wait)).dr.state).toBe('done');
  });

  test('starting resumes a paused service; an unknown service is an error naming it', async () => {
    const estate = estateWithServices();
    estate.state.hosts[HOST]!.services[SA] = 'Paused';
    expect((await run(estate, HOST, 'service.start', 'probe', SA, wait)).dr.state).toBe('pending');
    expect((await run(estate, HOST, 'service.start', 'apply', SA, wait)).exitCode).toBe(0);
    expect(estate.state.hosts[HOST]!.services[SA]).toBe('Running');
    const missing = await run(estate, HOST, 'service.start', 'apply', 'NoSuchService', wait);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("service 'NoSuchService' is not installed on this host");
  });
});

describe('registry.setValue', () => {
  const value = {
    name: 'ImagePath',
    type: 'REG_EXPAND_SZ',
    data: 'D:\\ExchSrvr\\Connect\\Msmcon\\Bin\\Mt.exe',
  };

  test('a different value is pending with the current data as evidence, then set', async () => {
    const estate = estateWithServices();
    const probe = await run(estate, HOST, 'registry.setValue', 'probe', KEY, value);
    expect(probe.dr).toMatchObject({
      state: 'pending',
      exists: 'true',
      data: 'C:\\exchsrvr\\connect\\msmcon\\bin\\mt.exe',
    });
    expect((await run(estate, HOST, 'registry.setValue', 'apply', KEY, value)).exitCode).toBe(0);
    expect(estate.state.hosts[HOST]!.registryValues![KEY]!.ImagePath).toEqual({
      type: 'REG_EXPAND_SZ',
      data: value.data,
    });
    expect((await run(estate, HOST, 'registry.setValue', 'verify', KEY, value)).dr.state).toBe('done');
  });

  test('data differing only in case is already done; a different type is not', async () => {
    const estate = estateWithServices();
    const lower = { ...value, data: 'c:\\exchsrvr\\connect\\msmcon\\bin\\MT.EXE' };
    expect((await run(estate, HOST, 'registry.setValue', 'probe', KEY, lower)).dr.state).toBe('done');
    const asSz = { ...lower, type: 'REG_SZ' };
    expect((await run(estate, HOST, 'registry.setValue', 'probe', KEY, asSz)).dr.state).toBe('pending');
  });

  test('a missing key (service not installed) fails and is not created', async () => {
    const estate = estateWithServices();
    const other = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeATMTA';
    const result = await run(estate, HOST, 'registry.setValue', 'apply', other, value);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('does not exist');
    expect(estate.state.hosts[HOST]!.registryValues![other]).toBeUndefined();
  });
});
