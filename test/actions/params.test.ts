import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { scriptFor } from '../../src/actions/registry.js';
import type { Params } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';

function attempt(action: string, params: Params, target = 'T'): () => string {
  return () => buildScript({ run: 'r', step: 's', action, phase: 'apply', host: 'h', target, params });
}

const sample = (action: string): Params => SAMPLES.find((s) => s.action === action)!.params;

describe('building a script refuses bad input with a TypeError that names it', () => {
  test('an action the catalog does not know', () => {
    expect(attempt('msi.repair', {})).toThrow(/unknown action "msi.repair"/);
    expect(() => scriptFor('nope', 'probe', '', {})).toThrow(TypeError);
  });

  test('a phase that is not probe, apply, verify or run', () => {
    expect(() =>
      buildScript({
        run: 'r',
        step: 's',
        action: 'iis.reset',
        phase: 'rollback' as never,
        host: 'h',
        target: '',
        params: {},
      }),
    ).toThrow(TypeError);
  });

  test.each([
    [
      'service.restart',
      { timeoutSeconds: 1.5 },
      /timeoutSeconds" must be an integer from 1 to 86400, got number 1.5/,
    ],
    ['service.restart', { timeoutSeconds: '300; Stop-Computer' }, /timeoutSeconds" must be an integer/],
    ['task.ensure', { ...sample('task.ensure'), minutes: 0 }, /minutes" must be an integer from 1 to 1439/],
    ['msi.stage', { ...sample('msi.stage'), size: -1 }, /size" must be an integer/],
    [
      'msi.stage',
      { ...sample('msi.stage'), sha256: '{{package:sha256:Hostedemail2007ns.msi}}' },
      /placeholder/,
    ],
    [
      'config.write',
      { ...sample('config.write'), value: '{{capture:oofAgent/EXHUB01/read-cache-refresh:value}}' },
      /placeholder/,
    ],
    [
      'config.write',
      { ...sample('config.write'), clearReadOnly: 'yes' },
      /clearReadOnly" must be true or false/,
    ],
    ['msi.install', { ...sample('msi.install'), version: '' }, /version" must not be empty/],
    ['msi.install', { ...sample('msi.install'), path: 42 }, /path" must be a string, got number 42/],
    ['program.run', { ...sample('program.run'), args: 'a b' }, /args" must be an array of strings/],
    ['host.inspect', { ...sample('host.inspect'), drives: ['C', 3] }, /drives\[1\]" must be a string/],
  ] as const)('%s with %j', (action, params, message) => {
    expect(attempt(action, params as Params)).toThrow(TypeError);
    expect(attempt(action, params as Params)).toThrow(message);
  });

  test.each(['complus.start', 'service.restart', 'registry.remove', 'task.ensure', 'transportAgent.enable'])(
    '%s without a target',
    (action) => {
      expect(attempt(action, sample(action), '  ')).toThrow(`${action}: the step has no target`);
    },
  );

  test('numbers enter the script as checked integers, booleans as $true/$false', () => {
    const text = buildScript({
      run: 'r',
      step: 's',
      action: 'config.write',
      phase: 'apply',
      host: 'h',
      target: 'k',
      params: sample('config.write'),
    });
    expect(text).toContain('$clearReadOnly = $true');
    const restart = buildScript({
      run: 'r',
      step: 's',
      action: 'service.restart',
      phase: 'apply',
      host: 'h',
      target: 'MSExchangeTransport',
      params: { timeoutSeconds: 300 },
    });
    expect(restart).toContain('$timeoutSeconds = 300');
  });
});

describe('{{secret:NAME}} placeholders', () => {
  test('resolve from the environment only when a script is built, and an unset one is a clear error', async () => {
    const { resolveParams, secretNames } = await import('../../src/engine/params.js');
    const params = { password: '{{secret:DR_TEST_SECRET}}', other: 'x' };
    expect(secretNames(params)).toEqual(['DR_TEST_SECRET']);
    const sources = { captures: {}, packageHashes: {} };
    expect(resolveParams(params, { ...sources, env: { DR_TEST_SECRET: 'hunter22' } }, 's1')).toEqual({
      password: 'hunter22',
      other: 'x',
    });
    expect(() => resolveParams(params, { ...sources, env: {} }, 's1')).toThrow(/DR_TEST_SECRET.*not set/);
  });
});
