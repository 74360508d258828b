/**
 * The `run` script: one PowerShell process that probes and, only when the step is not done,
 * applies and verifies, composed from the action's own three bodies; and the sectioned output
 * the engine reads back from it.
 */
import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { classifyExit, MSI_EXIT, successCodes } from '../../src/actions/catalog.js';
import { scriptFor } from '../../src/actions/registry.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { planDelivery } from '../../src/remote/deliver.js';
import { readSections, readSentinel, type Params } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';
import { errorsOf, parse } from './ps-tree.js';

function run(action: string, target: string, params: Params): string {
  return buildScript({
    run: 'run-1',
    step: `stage/MPS01/${action}`,
    action,
    phase: 'run',
    host: 'MPS01',
    target,
    params,
  });
}

/** The statements of the script's top level, one per line, without indentation. */
function topLevel(script: string): string[] {
  return script.split('\n').filter((line) => line !== '' && !/^\s/.test(line) && line !== '}');
}

/** The text of `$name = { … }` with its lines unindented. */
function block(script: string, name: string): string | undefined {
  const lines = script.split('\n');
  const start = lines.indexOf(`$${name} = {`);
  if (start < 0) return undefined;
  const end = lines.indexOf('}', start);
  return lines
    .slice(start + 1, end)
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
}

describe('a run script', () => {
  test.each(SAMPLES.map((s) => [`${s.action} (${s.target || 'no target'})`, s] as const))(
    '%s holds the probe, apply and verify bodies unchanged, parses and is PowerShell 2.0-safe',
    (_label, sample) => {
      const script = run(sample.action, sample.target, sample.params);
      const tree = parse(script);
      expect(errorsOf(tree)).toEqual([]);
      expect(findPs3Constructs(script)).toEqual([]);
      const body = (phase: 'probe' | 'apply' | 'verify') =>
        scriptFor(sample.action, phase, sample.target, sample.params);
      expect(block(script, 'DRProbe')).toBe(body('probe'));
      expect(block(script, 'DRApply')).toBe(body('apply'));
      // Verify reuses the probe's block when the two bodies are the same text.
      if (body('verify') === body('probe')) {
        expect(block(script, 'DRVerify')).toBeUndefined();
        expect(script).toContain("DRPhase 'verify' $DRProbe");
      } else {
        expect(block(script, 'DRVerify')).toBe(body('verify'));
        expect(script).toContain("DRPhase 'verify' $DRVerify");
      }
    },
  );

  test('probes first, applies only after a probe that succeeded and found work, verifies only after a successful apply', () => {
    const script = run('registry.remove', 'HKLM\\SOFTWARE\\Old', {});
    const statements = topLevel(script);
    const from = statements.indexOf("DRPhase 'probe' $DRProbe");
    expect(statements.slice(from)).toEqual([
      "DRPhase 'probe' $DRProbe",
      '$rc = $DRRun.rc',
      "if ($rc -eq 0 -and $DRRun.state -ne 'done') {",
      "Write-Output ('__RC__=' + $rc)",
      'exit $rc',
    ]);
    const inside = script.slice(script.indexOf("if ($rc -eq 0 -and $DRRun.state -ne 'done') {")).split('\n');
    expect(inside.slice(1, 4).map((l) => l.trim())).toEqual([
      "DRPhase 'apply' $DRApply",
      '$rc = $DRRun.rc',
      "if (@(0) -contains $rc) { DRPhase 'verify' $DRProbe }",
    ]);
  });

  test('each phase runs in its own scope with the phase script’s own error handling, and marks its section on both streams', () => {
    const script = run('registry.remove', 'HKLM\\SOFTWARE\\Old', {});
    const runner = script.slice(
      script.indexOf('function DRPhase('),
      script.indexOf('\n}\n', script.indexOf('function DRPhase(')),
    );
    expect(runner).toContain("Write-Output ('__PHASE__=' + $DRName)");
    expect(runner).toContain("[Console]::Error.WriteLine('__PHASE__=' + $DRName)");
    expect(runner).toContain('$rc = 1');
    expect(runner).toContain('. $DRBody');
    expect(runner).toContain('} catch {');
    expect(runner).toContain('if ($rc -eq $null) { $rc = 1 }');
    expect(runner).toContain("Write-Output ('__PHASE_RC__=' + $rc)");
    // DR notes the state so the script can stop after a probe that found the step done.
    expect(script).toMatch(/^function DR\(\$k, \$v\) \{ if \(\$k -eq 'state'\) \{ \$DRRun\.state = /m);
  });

  test('verifies after exactly the exit codes the engine reads as success', () => {
    expect(successCodes('registry.remove')).toEqual([0]);
    expect(successCodes('msi.install').sort()).toEqual([0, 1641, 3010]);
    expect(successCodes('msi.uninstall').sort()).toEqual([0, 1605, 1641, 3010]);
    for (const action of ['msi.install', 'msi.uninstall', 'registry.remove']) {
      for (const code of [0, 1, 2, ...Object.keys(MSI_EXIT).map(Number)]) {
        const failed = ['transient', 'permanent'].includes(classifyExit(action, code));
        expect({ action, code, verified: successCodes(action).includes(code) }).toEqual({
          action,
          code,
          verified: !failed,
        });
      }
    }
    const uninstall = SAMPLES.find((s) => s.action === 'msi.uninstall')!;
    expect(run(uninstall.action, uninstall.target, uninstall.params)).toContain(
      `if (@(${successCodes('msi.uninstall').join(', ')}) -contains $rc)`,
    );
  });

  test('for a registry key (the benchmark’s step) fits on the command line, needing no stdin bootstrap', () => {
    const delivery = planDelivery(run('registry.remove', 'HKLM\\SOFTWARE\\Microsoft\\Old Key', {}));
    expect(delivery.kind).toBe('encoded');
  });
});

describe('reading a run script’s sections', () => {
  const stdout = [
    '__PHASE__=probe',
    'DR:exists=true',
    'DR:state=pending',
    '__PHASE_RC__=0',
    '__PHASE__=apply',
    'out: removed',
    '__PHASE_RC__=3010',
    '__PHASE__=verify',
    'DR:exists=false',
    'DR:state=done',
    '__PHASE_RC__=0',
    '__RC__=3010',
  ].join('\r\n');
  const stderr = ['__PHASE__=probe', '__PHASE__=apply', 'a warning', '__PHASE__=verify'].join('\r\n');

  test('splits stdout and stderr into probe, apply and verify, each with its exit code', () => {
    const sentinel = readSentinel(stdout)!;
    expect(sentinel.exitCode).toBe(3010);
    expect(readSections(sentinel.output, stderr, sentinel.exitCode)).toEqual({
      probe: { phase: 'probe', output: 'DR:exists=true\nDR:state=pending', stderr: '', exitCode: 0 },
      apply: { phase: 'apply', output: 'out: removed', stderr: 'a warning', exitCode: 3010 },
      verify: { phase: 'verify', output: 'DR:exists=false\nDR:state=done', stderr: '', exitCode: 0 },
    });
  });

  test('a probe that found the step done has no apply or verify section', () => {
    const sections = readSections('__PHASE__=probe\nDR:state=done\n__PHASE_RC__=0', '__PHASE__=probe', 0);
    expect(Object.keys(sections)).toEqual(['probe']);
    expect(sections.probe?.output).toBe('DR:state=done');
  });

  test('a marker printed by a phase itself does not start a section', () => {
    const sections = readSections(
      [
        '__PHASE__=probe',
        'DR:state=pending',
        '__PHASE_RC__=0',
        '__PHASE__=apply',
        '__PHASE__=verify',
        'DR:state=done',
        '__PHASE_RC__=0',
      ].join('\n'),
      '',
      0,
    );
    expect(sections.apply?.output).toBe('__PHASE__=verify\nDR:state=done');
    expect(sections.verify).toBeUndefined();
  });

  test('a section the script left without its exit code takes the sentinel’s', () => {
    const sections = readSections(
      '__PHASE__=probe\nDR:state=pending\n__PHASE_RC__=0\n__PHASE__=apply',
      'boom',
      1,
    );
    expect(sections.apply?.exitCode).toBe(1);
  });

  test('output with no section (PowerShell 1.0: the trap ran first) is a failed probe', () => {
    const sections = readSections('DR:psVersion=1.0', 'The term try is not recognized', 1);
    expect(sections).toEqual({
      probe: {
        phase: 'probe',
        output: 'DR:psVersion=1.0',
        stderr: 'The term try is not recognized',
        exitCode: 1,
      },
    });
    expect(readSections('', '', 0).probe?.exitCode).toBe(1);
  });
});
