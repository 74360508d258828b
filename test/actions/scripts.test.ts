import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../src/actions/build-script.js';
import { ACTION_NAMES } from '../../src/actions/catalog.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { formatSentinel, parseHeader, SCRIPT_PHASES, type ScriptPhase } from '../../src/remote/header.js';
import { SAMPLES, actionsWithoutSample, planSamples } from './fixtures.js';
import { errorsOf, parse } from './ps-tree.js';

const RUN = 'run-20260101T000000Z-abc123';

function build(
  sample: { action: string; target: string; params: Record<string, unknown> },
  phase: ScriptPhase,
  host = 'MPS01',
  step = 'stage/MPS01/key',
): string {
  return buildScript({
    run: RUN,
    step,
    action: sample.action,
    phase,
    host,
    target: sample.target,
    params: sample.params as never,
  });
}

function expectValid(script: string, label: string): void {
  const tree = parse(script);
  expect({ label, errors: tree.rootNode.hasError ? errorsOf(tree) : [] }).toEqual({ label, errors: [] });
  expect({ label, ps3: findPs3Constructs(script) }).toEqual({ label, ps3: [] });
}

describe('the action library', () => {
  test('the parse check itself rejects broken PowerShell (so a pass means something)', () => {
    expect(parse("$x = 'unterminated\nWrite-Output 1").rootNode.hasError).toBe(true);
    expect(parse('if ($x) { Write-Output 1').rootNode.hasError).toBe(true);
    expect(parse("$x = 'fine'; if ($x) { Write-Output 1 }").rootNode.hasError).toBe(false);
  });

  test('has a sample for every catalog action', () => {
    expect(actionsWithoutSample()).toEqual([]);
  });

  const cases = SAMPLES.flatMap((sample) =>
    SCRIPT_PHASES.map(
      (phase) => [`${sample.action} ${phase} (${sample.target || 'no target'})`, sample, phase] as const,
    ),
  );

  test.each(cases)('%s parses as PowerShell and uses nothing newer than 2.0', (label, sample, phase) => {
    expectValid(build(sample, phase), label);
  });

  test.each(cases)(
    '%s begins with a header line that parses back to the same fields',
    (_label, sample, phase) => {
      const script = build(sample, phase, 'EXHUB01', `oofAgent/EXHUB01/${sample.action}`);
      const header = parseHeader(script.split('\n')[0] ?? '');
      expect(header).toEqual({
        run: RUN,
        step: `oofAgent/EXHUB01/${sample.action}`,
        action: sample.action,
        phase,
        host: 'EXHUB01',
        target: sample.target,
        params: sample.params,
      });
    },
  );

  test.each(cases)(
    '%s ends by printing the sentinel and exiting with the same code',
    (_label, sample, phase) => {
      const tail = build(sample, phase).trimEnd().split('\n').slice(-2);
      expect(formatSentinel(7)).toBe('__RC__=7');
      expect(tail).toEqual(["Write-Output ('__RC__=' + $rc)", 'exit $rc']);
    },
  );

  test('every body sets $rc in each phase, and gate applies refuse with exit 1', () => {
    for (const sample of SAMPLES) {
      for (const phase of SCRIPT_PHASES) expect(build(sample, phase)).toMatch(/^\s+\$rc = /m);
    }
    for (const action of [
      'component.uninstall',
      'component.install',
      'provisioning.initialize',
      'provisioning.startDeployment',
    ]) {
      const sample = SAMPLES.find((s) => s.action === action)!;
      expect(build(sample, 'apply')).toContain('performed by the operator in the MPS Deployment Tool');
    }
  });

  test('probes print a DR:state line for every action', () => {
    for (const sample of SAMPLES) expect(build(sample, 'probe')).toContain("DR 'state'");
  });

  test('msi steps run msiexec through RunProcess (a Process of its own, not Start-Process) and create the log folder first', () => {
    const install = build(
      SAMPLES.find((s) => s.action === 'msi.install')!,
      'apply',
    );
    expect(install).toContain(
      "RunProcess 'msiexec.exe' ('/i ' + (QArg $path) + $props + ' /qn /norestart /l*v ' + (QArg $log))",
    );
    expect(install.indexOf('EnsureDir (ParentDir $log)')).toBeLessThan(
      install.indexOf("RunProcess 'msiexec.exe'", install.indexOf('try {')),
    );
    expect(install).toContain('[Diagnostics.Process]::Start($si)');
    expect(install).toContain('$p.WaitForExit()');
    expect(install).not.toMatch(/Start-Process/i);
    expect(install).not.toMatch(/Win32_Product/i);
  });

  test('a script carries only the helpers its body calls', () => {
    const reset = build({ action: 'iis.reset', target: '', params: {} }, 'verify');
    expect(reset).not.toContain('function RunProcess');
    expect(reset).not.toContain('function AllProducts');
    const apply = build({ action: 'iis.reset', target: '', params: {} }, 'apply');
    expect(apply).toContain('function RunProcess');
  });
});

describe('every script the plan can generate', () => {
  test('parses, is PowerShell 2.0-safe and round-trips its header, for all fact combinations and both estates', async () => {
    const samples = await planSamples();
    const actions = new Set(samples.map((s) => s.action));
    expect(actions.size).toBeGreaterThan(20);
    expect([...actions].filter((a) => !(ACTION_NAMES as readonly string[]).includes(a))).toEqual([]);
    for (const sample of samples) {
      for (const phase of SCRIPT_PHASES) {
        const script = build(sample, phase, sample.host, sample.id);
        expectValid(script, `${sample.id} ${phase}`);
        const header = parseHeader(script.split('\n')[0] ?? '');
        expect(header).toMatchObject({ step: sample.id, host: sample.host, action: sample.action, phase });
      }
    }
  });
});
