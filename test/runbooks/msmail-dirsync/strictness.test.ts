/**
 * The simulated estate is as strict as the real one: out of order, the dirsync programs find
 * nothing to work on and the MS Mail Connector writes no events, so the runbook's checks fail.
 */
import { describe, expect, test } from '@jest/globals';
import { Estate } from '../../../src/lab/model/estate.js';
import { run } from '../../lab-model/helpers.js';
import { exampleInventory } from './helpers.js';
import { createEstate } from '../../helpers/lab-estate.js';

const EXPECT_T2 = {
  source: 'MSExchangePCMTA',
  events: ['4395:Moved Out', '4355:Received'],
  afterRecord: '4',
  waitSeconds: 0,
};
const EXPECT_T1 = { ...EXPECT_T2, events: ['4395:Sent', '4355:Moved In'] };
const srvmain = (args: string[]) => ({
  program: 'srvmain',
  args,
  exeDir: 'C:\\MAILEXE',
  drive: 'M',
  forcedos: true,
});
const PAUSE = { timeoutSeconds: 60, tolerateError: 2140 };
const DIAG = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangePCMTA\\Diagnostics';

function estate(lab = '  exchange2000: [ex-mail2]') {
  return createEstate(exampleInventory((y) => y.replace(/^ {2}exchange2000: \[ex-mail2\]$/m, lab)));
}

async function maxLogging(e: Estate, host: string) {
  return run(e, host, 'registry.setEach', 'apply', DIAG, { data: '5' });
}

describe('msmail-dirsync simulator strictness', () => {
  test('T2 before T1: srvmain has nothing to receive or send and no event reaches the Exchange log', async () => {
    const e = estate();
    await maxLogging(e, 'ex-mail1');
    expect(
      (await run(e, 'po-hq', 'msmail.run', 'apply', 'srvmain -dM -r', srvmain(['-r']))).stdout,
    ).toContain('no dirsync requests');
    await run(e, 'po-hq', 'msmail.run', 'apply', 'srvmain -dM -t', srvmain(['-t']));
    const check = await run(e, 'ex-mail1', 'eventlog.expect', 'apply', '', EXPECT_T2);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('4395:Moved Out');
  });

  test('pausing DX on Exchange 4.0 before PauseKicksDX pauses but sends nothing, so the T1 check fails', async () => {
    const e = estate('  exchange40: [ex-mail1]');
    await maxLogging(e, 'ex-mail1');
    const pause = await run(e, 'ex-mail1', 'service.pause', 'apply', 'MSExchangeDX', PAUSE);
    expect(pause.exitCode).toBe(0);
    expect(pause.dr.tolerated).toBe('2140');
    expect((await run(e, 'ex-mail1', 'eventlog.expect', 'apply', '', EXPECT_T1)).exitCode).toBe(1);
  });

  test('with PauseKicksDX set, the same pause sends the request and logs 4395 Sent and 4355 Moved In', async () => {
    const e = estate('  exchange40: [ex-mail1]');
    await maxLogging(e, 'ex-mail1');
    await run(
      e,
      'ex-mail1',
      'registry.setValue',
      'apply',
      'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeDX',
      {
        name: 'PauseKicksDX',
        type: 'REG_DWORD',
        data: '1',
      },
    );
    await run(e, 'ex-mail1', 'service.pause', 'apply', 'MSExchangeDX', PAUSE);
    expect((await run(e, 'ex-mail1', 'eventlog.expect', 'probe', '', EXPECT_T1)).dr.state).toBe('done');
  });

  test('without Maximum diagnostics logging the connector writes no transfer events', async () => {
    const e = estate();
    await run(e, 'ex-mail1', 'service.pause', 'apply', 'MSExchangeDX', PAUSE);
    expect((await run(e, 'ex-mail1', 'eventlog.expect', 'probe', '', EXPECT_T1)).dr.state).toBe('pending');
  });

  test('Maximum in one category only is not enough: every category the host has must be at Maximum', async () => {
    const e = estate();
    await run(e, 'ex-mail1', 'registry.setValue', 'apply', DIAG, {
      name: 'General',
      type: 'REG_DWORD',
      data: '5',
    });
    await run(e, 'ex-mail1', 'service.pause', 'apply', 'MSExchangeDX', PAUSE);
    expect((await run(e, 'ex-mail1', 'eventlog.expect', 'probe', '', EXPECT_T1)).dr.state).toBe('pending');
    const each = await run(e, 'ex-mail1', 'registry.setEach', 'probe', DIAG, { data: '5' });
    expect(each.dr).toEqual({
      state: 'pending',
      values: 'General=5,Message Transfer=0,Directory Synchronization=0',
    });
    await maxLogging(e, 'ex-mail1');
    expect((await run(e, 'ex-mail1', 'registry.setEach', 'verify', DIAG, { data: '5' })).dr.state).toBe(
      'done',
    );
  });

  test('error 2140 is only tolerated when asked for, and pausing a stopped service fails', async () => {
    const e = estate();
    expect(
      (await run(e, 'ex-mail1', 'service.pause', 'apply', 'MSExchangeDX', { ...PAUSE, tolerateError: 0 }))
        .exitCode,
    ).toBe(1);
    await run(e, 'ex-mail2', 'service.stop', 'apply', 'MSExchangeDX', { timeoutSeconds: 60 });
    const stopped = await run(e, 'ex-mail2', 'service.pause', 'apply', 'MSExchangeDX', PAUSE);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toContain('2191');
  });

  test('a postoffice whose mail drive is not connected fails reqmain and the settled check', async () => {
    const e = estate('  mailDriveMissing: [po-east]');
    const reqmain = await run(e, 'po-east', 'msmail.run', 'apply', 'reqmain -dM -t', {
      ...srvmain(['-t']),
      program: 'reqmain',
    });
    expect(reqmain.exitCode).toBe(1);
    expect(reqmain.stderr).toContain('not connected');
    const settled = await run(e, 'po-east', 'dirsync.settled', 'probe', 'po-east', {
      kind: 'postoffice',
      drive: 'M',
      server: false,
      exportFile: '',
    });
    expect(settled.exitCode).toBe(1);
  });

  test('import refuses an empty password and srvmain refuses to run on a plain requestor', async () => {
    const e = estate();
    const imp = await run(e, 'po-east', 'msmail.run', 'apply', 'import', {
      ...srvmain(['admin', '-q', '-y']),
      program: 'import',
      password: '',
    });
    expect(imp.exitCode).toBe(1);
    const srv = await run(e, 'po-east', 'msmail.run', 'apply', 'srvmain', srvmain(['-r']));
    expect(srv.stderr).toContain('not the directory synchronization server');
  });
});
