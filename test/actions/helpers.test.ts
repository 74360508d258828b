import { describe, expect, it, test } from '@jest/globals';
import { buildScript, scriptsFor } from '../../src/actions/build-script.js';
import { helpersFor } from '../../src/actions/scripts/helpers.js';
import { SCRIPT_PHASES } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';

/** The helper names `helpersFor` emitted, in order. */
function emitted(body: string): string[] {
  return [...helpersFor(body).matchAll(/^function ([A-Za-z]+)/gm)].map((m) => m[1] ?? '');
}

describe('helpersFor', () => {
  it('emits what a body calls, with what those helpers call, in library order', () => {
    // TaskExists calls RunProcess, which starts its program through the platform's StartProcess;
    // FindAgent calls ExchangeShell.
    expect(emitted("if (TaskExists 'x') { $a = FindAgent 'y' }")).toEqual([
      'StartProcess',
      'RunProcess',
      'ExchangeShell',
      'FindAgent',
      'TaskExists',
    ]);
  });

  it('emits nothing for a body that calls no helper', () => {
    expect(helpersFor("Write-Output 'hello'; $rc = 0")).toBe('');
  });

  it('takes a name as a call only when it stands alone', () => {
    expect(emitted('$QArg = 1')).toEqual([]); // a variable
    expect(emitted('Get-QArg 1')).toEqual([]); // another command
    expect(emitted('QArg-Like 1')).toEqual([]);
    expect(emitted('QArgs 1')).toEqual([]);
    expect(emitted('$x = (QArg $p)')).toEqual(['QArg']);
    expect(emitted('QArg $p')).toEqual(['QArg']);
    expect(emitted('x\nQArg\n')).toEqual(['QArg']);
  });

  it('ignores names an object has that are not helpers', () => {
    expect(emitted('constructor toString hasOwnProperty __proto__')).toEqual([]);
  });
});

describe('scriptsFor', () => {
  test('gives each host the script buildScript would, from one body', () => {
    for (const sample of SAMPLES) {
      for (const phase of SCRIPT_PHASES) {
        const input = { run: 'r1', step: `s/${sample.action}`, phase, ...sample };
        const scripts = scriptsFor(input);
        for (const host of ['WEB01', 'web-02', 'h0100-webServices'])
          expect(scripts(host)).toBe(buildScript({ ...input, host }));
        expect(scripts('WEB01')).not.toBe(scripts('WEB02'));
      }
    }
  });

  test('refuses what buildScript refuses, before any host', () => {
    const bad = { run: 'r1', step: 's', action: 'no.such', phase: 'probe' as const, target: '', params: {} };
    expect(() => scriptsFor(bad)).toThrow(TypeError);
  });
});
