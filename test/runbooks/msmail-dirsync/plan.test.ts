/**
 * Offline plans of the manual dirsync for both branches of the statechart (Exchange 4.0 or not),
 * an estate without Exchange, and the missing-fact error, through the same API the CLI uses.
 */
import { describe, expect, test } from '@jest/globals';
import type { DeployError } from '../../../src/errors.js';
import { offlinePlan } from '../../../src/cli/plan-command.js';
import { msmailDirsync } from '../../../runbooks/msmail-dirsync/index.js';
import { walkRunbook } from '../../../src/plan/walk.js';
import { exampleInventory } from './helpers.js';

function pin(exchange40: boolean) {
  return (yaml: string) => yaml.replace(/^hosts:/m, `facts: { exchange40: ${exchange40} }\n\nhosts:`);
}

async function plan(exchange40: boolean, edit: (y: string) => string = (y) => y) {
  return offlinePlan(
    msmailDirsync,
    exampleInventory((y) => edit(pin(exchange40)(y))),
  );
}

const CYCLE = [
  'diagnosticLogging',
  't1Requestors',
  't1Transferred',
  't2Server',
  't2Transferred',
  't3Requestors',
  'concluded',
];

describe('msmail-dirsync plan', () => {
  test('without Exchange 4.0 the cycle starts at diagnostic logging, in the KB order', async () => {
    const doc = await plan(false);
    expect(doc.stages.map((s) => s.id)).toEqual(CYCLE);
  });

  test('with Exchange 4.0 PauseKicksDX is set and DX restarted first, on every Exchange requestor', async () => {
    const doc = await plan(true);
    expect(doc.stages.map((s) => s.id)).toEqual(['enablePauseButton', ...CYCLE]);
    const steps = doc.stages[0]?.steps ?? [];
    expect(steps.map((s) => `${s.host} ${s.action} ${s.target}`)).toEqual([
      'ex-mail1 registry.setValue HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeDX',
      'ex-mail1 service.restart MSExchangeDX',
      'ex-mail2 registry.setValue HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeDX',
      'ex-mail2 service.restart MSExchangeDX',
    ]);
    expect(steps[0]?.params).toEqual({ name: 'PauseKicksDX', type: 'REG_DWORD', data: '1' });
  });

  test('T1 runs reqmain -t on every postoffice including the dirsync server, and marks then pauses DX', async () => {
    const t1 = (await plan(false)).stages.find((s) => s.id === 't1Requestors')?.steps ?? [];
    expect(t1.map((s) => `${s.host} ${s.action} ${s.target}`)).toEqual([
      'po-hq msmail.run reqmain -dM -t',
      'po-east msmail.run reqmain -dM -t',
      'po-west msmail.run reqmain -dN -t',
      'ex-mail1 eventlog.mark Application',
      'ex-mail1 service.pause MSExchangeDX',
      'ex-mail2 eventlog.mark Application',
      'ex-mail2 service.pause MSExchangeDX',
    ]);
    expect(t1[4]?.params).toEqual({ timeoutSeconds: 120, tolerateError: 2140 });
    expect(t1[0]?.params).toMatchObject({
      program: 'reqmain',
      args: ['-t'],
      drive: 'M',
      exeDir: 'C:\\MAILEXE',
    });
  });

  test('the event checks count only entries after the journaled mark of their phase', async () => {
    const doc = await plan(false);
    const t1 = doc.stages.find((s) => s.id === 't1Transferred')?.steps ?? [];
    const t2 = doc.stages.find((s) => s.id === 't2Transferred')?.steps ?? [];
    expect(t1[0]?.params).toMatchObject({
      source: 'MSExchangePCMTA',
      events: ['4395:Sent', '4355:Moved In'],
      afterRecord: '{{capture:t1Requestors/ex-mail1/mark:lastRecord}}',
    });
    expect(t1.map((s) => s.action)).toEqual([
      'eventlog.expect',
      'eventlog.mark',
      'eventlog.expect',
      'eventlog.mark',
    ]);
    expect(t2[0]?.params).toMatchObject({
      events: ['4395:Moved Out', '4355:Received'],
      afterRecord: '{{capture:t1Transferred/ex-mail1/mark-t2:lastRecord}}',
    });
  });

  test('T2 runs srvmain -r then srvmain -t on the dirsync server only', async () => {
    const t2 = (await plan(false)).stages.find((s) => s.id === 't2Server')?.steps ?? [];
    expect(t2.map((s) => `${s.host} ${s.target}`)).toEqual(['po-hq srvmain -dM -r', 'po-hq srvmain -dM -t']);
  });

  test('T3 runs reqmain -r, import, rebuild per postoffice and resumes DX; the password stays a placeholder', async () => {
    const doc = await plan(false);
    const t3 = doc.stages.find((s) => s.id === 't3Requestors')?.steps ?? [];
    expect(t3.filter((s) => s.host === 'po-west').map((s) => s.target)).toEqual([
      'reqmain -dN -r',
      'import -dN admin -p******** -q -y',
      'rebuild -dN -f',
    ]);
    expect(t3.filter((s) => s.host === 'ex-mail1').map((s) => `${s.action} ${s.target}`)).toEqual([
      'service.start MSExchangeDX',
    ]);
    const imp = t3.find((s) => s.host === 'po-west' && s.target.startsWith('import'));
    expect(imp?.params.password).toBe('{{secret:MSMAIL_ADMIN_PASSWORD}}');
    expect(JSON.stringify(doc)).not.toContain('Adm1n');
  });

  test('an estate without Exchange requestors has empty event stages and no DX steps', async () => {
    const doc = await plan(false, (y) => y.replace(/^ {2}ex-mail\d:.*\n/gm, '').replace(/^lab:\n.*\n/m, ''));
    expect(doc.stages.find((s) => s.id === 't1Transferred')?.steps).toEqual([]);
    expect(doc.stages.flatMap((s) => s.steps).some((s) => s.host.startsWith('ex-'))).toBe(false);
  });

  test('without the exchange40 fact the statechart stops in missingFact before any stage', async () => {
    const ran: string[] = [];
    const result = await walkRunbook(msmailDirsync.machine, {}, async (stage) => {
      ran.push(stage);
    });
    expect(result).toEqual({ status: 'missingFact', missingFact: 'exchange40' });
    expect(ran).toEqual([]);
  });

  test('an inventory without the password variable name is refused, naming the line and the fix', () => {
    let problems: string[] = [];
    try {
      exampleInventory((y) => y.replace(/^ {2}adminPasswordEnv: .*\n/m, ''));
    } catch (error) {
      problems = (error as DeployError).problems;
    }
    expect(problems.join('\n')).toMatch(/lab-msmail-dirsync\.yaml:\d+.*inputs.*adminPasswordEnv/);
  });
});
