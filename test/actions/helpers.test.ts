import { describe, expect, it } from '@jest/globals';
import { helpersFor } from '../../src/actions/scripts/helpers.js';

/** The helper names `helpersFor` emitted, in order. */
function emitted(body: string): string[] {
  return [...helpersFor(body).matchAll(/^function ([A-Za-z]+)/gm)].map((m) => m[1] ?? '');
}

describe('helpersFor', () => {
  it('emits what a body calls, with what those helpers call, in library order', () => {
    // TaskExists calls RunProcess; FindAgent calls ExchangeShell.
    expect(emitted("if (TaskExists 'x') { $a = FindAgent 'y' }")).toEqual([
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
