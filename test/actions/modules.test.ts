/**
 * The action modules are the one place an action is declared: every list of names is derived
 * from them, and each module carries everything the script builder, the lab, `verify` and the
 * benchmark read.
 */
import { describe, expect, test } from '@jest/globals';
import {
  ACTION_NAMES,
  END_STATE_ACTIONS,
  GATE_ACTIONS,
  INSPECT_ACTION,
  NOTE_ACTIONS,
  OWN_PROCESS_ACTIONS,
  UPLOAD_ACTIONS,
  actionModule,
  classifyExit,
} from '../../src/actions/catalog.js';
import { ACTION_MODULES } from '../../src/actions/modules/index.js';
import { builderFor, isActionName } from '../../src/actions/registry.js';
import { ACTIONS } from '../../src/lab/model/actions/index.js';
import { APPLY_DURATIONS_MS, nominalDurationMs, PROBE_MS } from '../../src/lab/model/durations.js';
import { SAMPLES } from './fixtures.js';

type ActionModuleLab = NonNullable<ReturnType<typeof actionModule>>['lab'];

describe('the action modules', () => {
  test('register each name once, and the catalog lists exactly them', () => {
    const names = ACTION_MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...ACTION_NAMES]).toEqual(names);
    expect(names.every((name) => isActionName(name) && actionModule(name)?.name === name)).toBe(true);
    expect(isActionName('lab.operator')).toBe(false);
  });

  test.each(ACTION_MODULES.map((m) => [m.name, m] as const))(
    '%s carries its script, its lab behaviour and a positive nominal duration',
    (name, module) => {
      expect(builderFor(name)).toBe(module.script);
      expect(ACTIONS[name]).toBe(module.lab);
      expect(typeof module.lab.probe).toBe('function');
      expect(typeof module.lab.apply).toBe('function');
      expect(module.applyMs).toBeGreaterThan(0);
      expect(APPLY_DURATIONS_MS[name]).toBe(module.applyMs);
      expect(nominalDurationMs(name, 'apply')).toBe(module.applyMs);
      expect(nominalDurationMs(name, 'probe')).toBe(PROBE_MS);
    },
  );

  test('the derived lists are the modules with the flag', () => {
    const flagged = (test: (m: (typeof ACTION_MODULES)[number]) => boolean) =>
      new Set(ACTION_MODULES.filter(test).map((m) => m.name));
    expect(GATE_ACTIONS).toEqual(flagged((m) => 'gate' in m && m.gate === true));
    expect(OWN_PROCESS_ACTIONS).toEqual(new Set(['transportAgent.install']));
    expect(END_STATE_ACTIONS).toEqual(flagged((m) => 'verify' in m && m.verify === 'endState'));
    expect(NOTE_ACTIONS).toEqual(new Set(['oofAgent.discover']));
    expect(GATE_ACTIONS).toEqual(
      new Set([
        'component.uninstall',
        'component.install',
        'provisioning.initialize',
        'provisioning.startDeployment',
        'mailflow.check',
      ]),
    );
  });

  test('exit codes read by the module that declares a table, else 0 ok and anything else a failure', () => {
    expect(classifyExit('msi.install', 3010)).toBe('restartPending');
    expect(classifyExit('msi.install', 1618)).toBe('transient');
    expect(classifyExit('msi.install', 1605)).toBe('permanent');
    expect(classifyExit('msi.uninstall', 1605)).toBe('alreadyDone');
    expect(classifyExit('hotfix.install', 3010)).toBe('restartPending');
    expect(classifyExit('registry.remove', 3010)).toBe('permanent');
    expect(classifyExit('registry.remove', 0)).toBe('ok');
    expect(classifyExit('no.such', 0)).toBe('ok');
  });

  test('every module has a sample that the script checks run it through', () => {
    expect(
      ACTION_MODULES.filter((m) => !SAMPLES.some((s) => s.action === m.name)).map((m) => m.name),
    ).toEqual([]);
  });

  test('what generic code asks of an action is a property of its module, never its name', () => {
    expect(UPLOAD_ACTIONS).toEqual(new Set(['package.upload']));
    expect(INSPECT_ACTION).toBe('host.inspect');
    const logs = ACTION_MODULES.filter((m) => m.msiexecLog !== undefined).map((m) => [m.name, m.msiexecLog]);
    expect(logs).toEqual([
      ['msi.uninstall', 'uninstall'],
      ['msi.install', 'install'],
    ]);
    expect(
      actionModule('sql.backup')?.backup?.({ instance: 'SQL01\\MPS', file: 'C:\\b\\rm.bak' }, 'RM'),
    ).toEqual({
      source: 'database RM on SQL01\\MPS',
      dest: 'C:\\b\\rm.bak',
    });
    expect(actionModule('file.backup')?.backup?.({ source: 'C:\\a', dest: 'C:\\b' }, '')).toEqual({
      source: 'C:\\a',
      dest: 'C:\\b',
    });
    expect(actionModule('msi.stage')?.backup).toBeUndefined();
    // Running a program authenticates onwards only as the program does: the runbook's step says so.
    expect(actionModule('program.run')?.onwardAuth).toBeUndefined();
    expect(actionModule('transportAgent.install')?.onwardAuth).toContain('Active Directory');
  });

  test('the simulated operator has a task for exactly the gate actions', () => {
    const withTask = new Set(ACTION_MODULES.filter((m) => m.lab.operator !== undefined).map((m) => m.name));
    expect(withTask).toEqual(GATE_ACTIONS);
  });

  test("the pwsh engine's stand-in programs learn from a step's params what its lab behaviour says", () => {
    const host = { registryValues: {} } as unknown as Parameters<NonNullable<ActionModuleLab['natives']>>[1];
    expect(
      actionModule('hotfix.install')?.lab.natives?.({ path: 'C:\\t\\Q1.EXE', file: 'C:\\x\\m.dll' }, host),
    ).toEqual({ hotfixTargets: { 'C:\\t\\Q1.EXE': 'C:\\x\\m.dll' } });
    expect(
      actionModule('installutil.uninstall')?.lab.natives?.(
        { assembly: 'C:\\a.dll', counterKey: 'HKLM\\K' },
        host,
      ),
    ).toEqual({ installUtilKeys: { 'C:\\a.dll': ['HKLM\\K\\Performance', 'HKLM\\K\\Linkage', 'HKLM\\K'] } });
    expect(actionModule('msmail.run')?.lab.actsOutProgram).toBe('forcedos.exe');
  });
});
