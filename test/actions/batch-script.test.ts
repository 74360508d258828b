/**
 * The `batch` script: several steps' `run`s in one PowerShell process, each framed by step
 * markers, going on only after a step that ended done; and the engine's reading of its output.
 */
import { describe, expect, test } from '@jest/globals';
import { buildBatchScript, buildScript } from '../../src/actions/build-script.js';
import { successCodes } from '../../src/actions/catalog.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { batchSteps, parseHeader, readBatch, readSentinel, type BatchStep } from '../../src/remote/header.js';
import { SAMPLES } from './fixtures.js';
import { errorsOf, parse } from './ps-tree.js';

const steps: BatchStep[] = SAMPLES.filter((s) => s.action !== 'package.upload').map((s, i) => ({
  step: `stage/MPS01/${i}-${s.action}`,
  action: s.action,
  target: s.target,
  params: s.params,
}));

function batch(of: BatchStep[]): string {
  return buildBatchScript({ run: 'run-1', host: 'MPS01', steps: of });
}

/** The lines of a step's own `run` script from `$DRRun = …` to its last phase call. */
function runCore(step: BatchStep): string {
  const script = buildScript({ run: 'run-1', host: 'MPS01', phase: 'run', ...step });
  const lines = script.split('\n');
  const from = lines.indexOf("$DRRun = @{ state = ''; rc = 1 }");
  const to = lines.findIndex((l) => l.startsWith("Write-Output ('__RC__="));
  return lines.slice(from, to).join('\n');
}

describe('a batch script', () => {
  test('of every catalog action parses, is PowerShell 2.0-safe, and holds each step’s run unchanged, in order', () => {
    expect(steps.length).toBeGreaterThan(10);
    const script = batch(steps);
    expect(errorsOf(parse(script))).toEqual([]);
    expect(findPs3Constructs(script)).toEqual([]);
    let at = 0;
    for (const step of steps) {
      const core = runCore(step)
        .split('\n')
        .map((l) => (l === '' ? l : `  ${l}`))
        .join('\n');
      const found = script.indexOf(core, at);
      expect({ step: step.step, found: found > at }).toEqual({ step: step.step, found: true });
      at = found;
    }
  });

  test('names its steps in its header, for the lab, and each header field round-trips', () => {
    const two = steps.slice(0, 2);
    const header = parseHeader(batch(two).split('\n', 1)[0] ?? '');
    if ('error' in header) throw new Error(header.error);
    expect(header).toMatchObject({ phase: 'batch', action: 'batch', step: two[0]?.step, host: 'MPS01' });
    expect(batchSteps(header)).toEqual(two);
    expect(batchSteps({ ...header, params: { steps: [{ step: 'x' }] } })).toEqual({
      error: 'batch header steps need step, action, target and params',
    });
  });

  test('goes on after a step only when its exit code is a success for its action and its last phase exited 0 finding it done', () => {
    const uninstall = steps.find((s) => s.action === 'msi.uninstall')!;
    const script = batch([uninstall, steps[0]!]);
    expect(script).toContain(
      `$DRGo = ((@(${successCodes('msi.uninstall').join(', ')}) -contains $rc) -and $DRRun.rc -eq 0 -and $DRRun.state -eq 'done')`,
    );
    // Every step after the first is guarded by that flag; the first always runs.
    expect(script.split('\n').filter((l) => l === 'if ($DRGo) {')).toHaveLength(2);
    expect(script).toContain('$DRGo = $true');
  });

  test('refuses no steps, and a step whose script cannot be built', () => {
    expect(() => batch([])).toThrow(TypeError);
    expect(() => batch([{ ...steps[0]!, target: 'a\nb' }])).toThrow(TypeError);
  });
});

describe('reading a batch script’s output', () => {
  const ids = ['s/h/a', 's/h/b', 's/h/c'];
  const stdout = [
    '__STEP__=s/h/a',
    '__PHASE__=probe',
    'DR:state=done',
    '__PHASE_RC__=0',
    '__STEP_RC__=0',
    '__STEP__=s/h/b',
    '__PHASE__=probe',
    'DR:state=pending',
    '__PHASE_RC__=0',
    '__PHASE__=apply',
    '__STEP__=s/h/c',
    '__PHASE_RC__=1603',
    '__STEP_RC__=1603',
    '__RC__=1603',
  ].join('\r\n');
  const stderr = [
    '__STEP__=s/h/a',
    '__PHASE__=probe',
    '__STEP__=s/h/b',
    '__PHASE__=probe',
    '__PHASE__=apply',
    'failed',
  ].join('\n');

  test('gives each step that started its share, with its exit code; a marker a step prints itself does not start the next', () => {
    const sentinel = readSentinel(stdout)!;
    const shares = readBatch(sentinel.output, stderr, ids);
    expect(shares).toEqual([
      { output: '__PHASE__=probe\nDR:state=done\n__PHASE_RC__=0', stderr: '__PHASE__=probe', exitCode: 0 },
      {
        output:
          '__PHASE__=probe\nDR:state=pending\n__PHASE_RC__=0\n__PHASE__=apply\n__STEP__=s/h/c\n__PHASE_RC__=1603',
        stderr: '__PHASE__=probe\n__PHASE__=apply\nfailed',
        exitCode: 1603,
      },
    ]);
  });

  test('a step the script left inside (the trap) has no exit code of its own', () => {
    const shares = readBatch('__STEP__=s/h/a\n__PHASE__=probe', 'boom', ids);
    expect(shares).toEqual([{ output: '__PHASE__=probe', stderr: 'boom', exitCode: undefined }]);
  });

  test('markers out of order count for nothing, and output with no step is the first step’s', () => {
    expect(readBatch('__STEP__=s/h/b\nDR:psVersion=1.0', 'not recognized', ids)).toEqual([
      { output: '__STEP__=s/h/b\nDR:psVersion=1.0', stderr: 'not recognized', exitCode: undefined },
    ]);
  });
});
