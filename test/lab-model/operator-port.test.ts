import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { actionModule } from '../../src/actions/catalog.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { SIMULATED_OPERATOR } from '../../src/lab/operator-port.js';
import { formatSentinel, parseHeader } from '../../src/remote/header.js';
import { OPERATOR_SAMPLE } from '../actions/fixtures.js';
import { errorsOf, parse } from '../actions/ps-tree.js';

function build(phase: 'probe' | 'apply' | 'verify'): string {
  return buildScript({
    run: 'run-20260101T000000Z-abc123',
    step: 'uninstallComponents/MPS01/operator',
    action: SIMULATED_OPERATOR.action,
    phase,
    host: 'MPS01',
    target: OPERATOR_SAMPLE.target,
    params: OPERATOR_SAMPLE.params,
    builder: SIMULATED_OPERATOR.script,
  });
}

describe('the simulated operator, a lab port', () => {
  test('is not an action of the production catalog', () => {
    expect(actionModule(SIMULATED_OPERATOR.action)).toBeUndefined();
    expect(() =>
      buildScript({
        run: 'r',
        step: 's',
        action: 'lab.operator',
        phase: 'apply',
        host: 'h',
        target: 't',
        params: {},
      }),
    ).toThrow(TypeError);
  });

  test.each(['probe', 'apply', 'verify'] as const)(
    'its %s script parses, is PowerShell 2.0-safe, carries the checklist in its header and ends with the sentinel',
    (phase) => {
      const script = build(phase);
      const tree = parse(script);
      expect(tree.rootNode.hasError ? errorsOf(tree) : []).toEqual([]);
      expect(findPs3Constructs(script)).toEqual([]);
      expect(parseHeader(script.split('\n')[0] ?? '')).toMatchObject({
        action: 'lab.operator',
        phase,
        params: OPERATOR_SAMPLE.params,
      });
      expect(formatSentinel(0)).toBe('__RC__=0');
      expect(script.trimEnd().split('\n').slice(-2)).toEqual(["Write-Output ('__RC__=' + $rc)", 'exit $rc']);
    },
  );
});
