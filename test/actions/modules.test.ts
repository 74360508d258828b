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
  NOTE_ACTIONS,
  OWN_PROCESS_ACTIONS,
  actionModule,
  classifyExit,
} from '../../src/actions/catalog.js';
import { ACTION_MODULES } from '../../src/actions/modules/index.js';
import { builderFor, isActionName } from '../../src/actions/registry.js';
import { ACTIONS } from '../../src/lab/model/actions/index.js';
import { APPLY_DURATIONS_MS, nominalDurationMs, PROBE_MS } from '../../src/lab/model/durations.js';
import { SAMPLES } from './fixtures.js';

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
});
