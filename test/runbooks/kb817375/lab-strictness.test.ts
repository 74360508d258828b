/**
 * The simulated Exchange 2000 server is as strict as Windows: Mapi32.dll cannot be replaced while
 * a running service has it loaded, the hotfix refuses a server below SP3, and stopping and
 * starting a noted service set behaves like the Service Control Manager.
 */
import { describe, expect, test } from '@jest/globals';
import { Estate } from '../../../src/lab/model/estate.js';
import { getFile } from '../../../src/lab/model/files.js';
import { MAPI_PROFILE_KEY } from '../../../runbooks/kb817375/data.js';
import { run } from '../../lab-model/helpers.js';
import { HOTFIX_PARAMS, MAPI32, PACKAGE_PATH, exchangeInventory, hotfixBytes } from './helpers.js';
import { createEstate } from '../../helpers/lab-estate.js';

function estate(lab: Record<string, unknown> = {}): Estate {
  const e = createEstate(exchangeInventory({}, lab));
  e.writeFile('exch-a', PACKAGE_PATH, hotfixBytes());
  return e;
}

const services = (list: string) => ({ services: list, timeoutSeconds: 900 });

describe('the KB817375 lab', () => {
  test('the hotfix fails with a sharing violation while System Attendant has Mapi32.dll loaded, and changes nothing', async () => {
    const e = estate();
    const before = getFile(e.state.hosts['exch-a']!, MAPI32)?.version;
    const answer = await run(e, 'exch-a', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS);
    expect(answer.exitCode).toBe(32);
    expect(answer.stderr).toMatch(/in use.*MSExchangeMTA, MSExchangeSA/s);
    expect(getFile(e.state.hosts['exch-a']!, MAPI32)?.version).toBe(before);
  });

  test('a third-party backup agent that loads Mapi32.dll is found, stopped with the rest, and the hotfix then applies', async () => {
    const e = estate({ backupAgent: ['exch-a'] });
    const found = await run(e, 'exch-a', 'service.listRunning', 'probe', 'mapi32.dll', {
      module: 'mapi32.dll',
      services: [],
    });
    expect(found.dr.loaders).toBe('ARCserveExchAgent,MSExchangeMTA,MSExchangeSA');
    // The information store and IMAP4 stop with System Attendant; POP3 and the Event Service were already stopped.
    expect(found.dr.services).toBe('ARCserveExchAgent,MSExchangeSA,MSExchangeIS,MSExchangeMTA,IMAP4Svc');
    const noted = found.dr.services ?? '';
    // Stopping only System Attendant's tree leaves the agent holding the DLL: still refused.
    await run(e, 'exch-a', 'service.stopList', 'apply', 'noted', services('MSExchangeSA'));
    expect((await run(e, 'exch-a', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS)).exitCode).toBe(
      32,
    );
    expect((await run(e, 'exch-a', 'service.stopList', 'apply', 'noted', services(noted))).exitCode).toBe(0);
    const applied = await run(e, 'exch-a', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS);
    expect(applied.exitCode).toBe(0);
    expect(
      (await run(e, 'exch-a', 'hotfix.install', 'verify', 'Mapi32.dll', HOTFIX_PARAMS)).dr,
    ).toMatchObject({
      state: 'done',
      version: '6.0.6448.0',
    });
    await run(e, 'exch-a', 'service.startList', 'apply', 'noted', services(noted));
    const host = e.state.hosts['exch-a']!;
    expect(host.services).toMatchObject({
      ARCserveExchAgent: 'Running',
      MSExchangeSA: 'Running',
      MSExchangeIS: 'Running',
      MSExchangeMTA: 'Running',
      IMAP4Svc: 'Running',
      POP3Svc: 'Stopped',
      MSExchangeES: 'Stopped',
    });
  });

  test('an Exchange 2000 SP2 server makes the hotfix refuse even with every service stopped', async () => {
    const e = estate({ sp2: ['exch-a'] });
    const found = await run(e, 'exch-a', 'service.listRunning', 'probe', 'mapi32.dll', {
      module: 'mapi32.dll',
      services: [],
    });
    await run(e, 'exch-a', 'service.stopList', 'apply', 'noted', services(found.dr.services ?? ''));
    const answer = await run(e, 'exch-a', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS);
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toMatch(/requires Microsoft Exchange 2000 Server Service Pack 3 \(found SP2\)/);
    expect(getFile(e.state.hosts['exch-a']!, MAPI32)?.version).not.toBe('6.0.6448.0');
  });

  test('the hotfix without its package on the host fails and names the missing file', async () => {
    const e = createEstate(exchangeInventory({}, {}));
    const found = await run(e, 'exch-b', 'service.listRunning', 'probe', '', {
      module: 'mapi32.dll',
      services: [],
    });
    await run(e, 'exch-b', 'service.stopList', 'apply', 'noted', services(found.dr.services ?? ''));
    const answer = await run(e, 'exch-b', 'hotfix.install', 'apply', 'Mapi32.dll', HOTFIX_PARAMS);
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toContain(PACKAGE_PATH);
  });

  test('starting System Attendant re-creates the MAPI profile key the bug deleted; the check sees it', async () => {
    const e = estate({ profileLost: ['exch-a'] });
    const key = { remedy: 'restart the server' };
    expect((await run(e, 'exch-a', 'registry.checkKey', 'probe', MAPI_PROFILE_KEY, key)).dr.state).toBe(
      'pending',
    );
    const failed = await run(e, 'exch-a', 'registry.checkKey', 'apply', MAPI_PROFILE_KEY, key);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('restart the server');
    const noted = await run(e, 'exch-a', 'service.listRunning', 'probe', 'MSExchangeSA', {
      module: '',
      services: ['MSExchangeSA'],
    });
    expect(noted.dr.services).toBe('MSExchangeSA,MSExchangeIS,MSExchangeMTA,IMAP4Svc');
    await run(e, 'exch-a', 'service.stopList', 'apply', 'noted', services(noted.dr.services ?? ''));
    await run(e, 'exch-a', 'service.startList', 'apply', 'noted', services(noted.dr.services ?? ''));
    expect((await run(e, 'exch-a', 'registry.checkKey', 'verify', MAPI_PROFILE_KEY, key)).dr.state).toBe(
      'done',
    );
  });

  test('a noted service that is not installed is an error, not silently skipped', async () => {
    const e = estate();
    const answer = await run(
      e,
      'exch-a',
      'service.stopList',
      'probe',
      'noted',
      services('MSExchangeSA,NoSuchSvc'),
    );
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr).toContain("service 'NoSuchSvc' is not installed");
  });

  test('host.inspect reports the versions of store.exe and Mapi32.dll', async () => {
    const e = estate({ mapi32Current: ['exch-c'] });
    const answer = await run(e, 'exch-c', 'host.inspect', 'probe', '', {
      products: [],
      registryKeys: [],
      drives: ['C'],
      files: ['C:\\Program Files\\Exchsrvr\\bin\\store.exe', MAPI32, 'C:\\nowhere.dll'],
    });
    expect(answer.dr).toMatchObject({
      'fileVersion.C:\\Program Files\\Exchsrvr\\bin\\store.exe': '6.0.6249.4',
      [`fileVersion.${MAPI32}`]: '6.0.6448.0',
      'fileVersion.C:\\nowhere.dll': '',
      psVersion: '2.0',
    });
    expect(answer.dr.os).toMatch(/Server 2003.*Service Pack 2/);
  });
});
