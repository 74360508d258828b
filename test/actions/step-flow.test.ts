/**
 * The one rule for going on inside a `run`, `applyVerify` or `batch` script: what the simulated
 * estate reads (`goesOn`) is what the script's PowerShell condition (`goesOnPs`) computes.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AFTER_PHASE, goesOn, goesOnPs, STEP_FLOW, type FlowState } from '../../src/actions/step-flow.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';

const ACTIONS = ['iis.reset', 'msi.install', 'msi.uninstall'] as const;
const STATES: FlowState[] = [0, 1, 1605, 3010].flatMap((rc) =>
  [0, 1].flatMap((lastRc) => ['', 'done', 'pending'].map((state) => ({ rc, lastRc, state }))),
);
const RULES = Object.entries(STEP_FLOW);

describe('step flow', () => {
  test('the apply follows a probe that ran and found work; the verify a successful apply', () => {
    const probe = (rc: number, state: string) => ({ rc, lastRc: rc, state });
    expect(goesOn(STEP_FLOW.applyAfterProbe, 'iis.reset', probe(0, 'pending'))).toBe(true);
    expect(goesOn(STEP_FLOW.applyAfterProbe, 'iis.reset', probe(0, 'done'))).toBe(false);
    expect(goesOn(STEP_FLOW.applyAfterProbe, 'iis.reset', probe(1, 'pending'))).toBe(false);
    expect(goesOn(STEP_FLOW.verifyAfterApply, 'msi.install', probe(3010, ''))).toBe(true);
    expect(goesOn(STEP_FLOW.verifyAfterApply, 'iis.reset', probe(3010, ''))).toBe(false);
    expect(AFTER_PHASE).toEqual({
      probe: STEP_FLOW.applyAfterProbe,
      apply: STEP_FLOW.verifyAfterApply,
      verify: undefined,
    });
  });

  test('a batch goes on only after a step that ended done', () => {
    const at = (rc: number, lastRc: number, state: string) => ({ rc, lastRc, state });
    expect(goesOn(STEP_FLOW.nextStepAfter, 'msi.install', at(3010, 0, 'done'))).toBe(true);
    expect(goesOn(STEP_FLOW.nextStepAfter, 'msi.install', at(3010, 0, 'pending'))).toBe(false);
    expect(goesOn(STEP_FLOW.nextStepAfter, 'msi.install', at(3010, 1, 'done'))).toBe(false);
    expect(goesOn(STEP_FLOW.nextStepAfter, 'iis.reset', at(1, 1, 'done'))).toBe(false);
  });

  test('the PowerShell text of each rule is what the scripts have always carried', () => {
    expect(goesOnPs(STEP_FLOW.applyAfterProbe, 'iis.reset')).toBe("$rc -eq 0 -and $DRRun.state -ne 'done'");
    expect(goesOnPs(STEP_FLOW.verifyAfterApply, 'msi.install')).toBe('@(0, 1641, 3010) -contains $rc');
    expect(goesOnPs(STEP_FLOW.nextStepAfter, 'iis.reset')).toBe(
      "(@(0) -contains $rc) -and $DRRun.rc -eq 0 -and $DRRun.state -eq 'done'",
    );
  });

  const pwsh = findPwsh();
  // CI installs pwsh; a developer machine without it skips rather than fails.
  (pwsh || process.env.CI ? test : test.skip)(
    'PowerShell computes every rule as goesOn does, for every action and state',
    () => {
      const cases = ACTIONS.flatMap((action) =>
        RULES.flatMap(([name, rule]) => STATES.map((at) => ({ action, name, rule, at }))),
      );
      const script = cases
        .map(
          ({ action, rule, at }) =>
            `$rc = ${at.rc}; $DRRun = @{ rc = ${at.lastRc}; state = '${at.state}' }; Write-Output ([bool](${goesOnPs(rule, action)}))`,
        )
        .join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'dr-step-flow-'));
      const file = join(dir, 'flow.ps1');
      writeFileSync(file, script);
      let out: string;
      try {
        out = execFileSync(pwsh ?? 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file], {
          encoding: 'utf8',
          timeout: 60_000,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const answers = out.trim().split(/\r?\n/);
      expect(answers).toHaveLength(cases.length);
      const disagree = cases.filter(
        ({ action, rule, at }, i) => (answers[i] === 'True') !== goesOn(rule, action, at),
      );
      expect(disagree.map(({ action, name, at }) => `${name} ${action} ${JSON.stringify(at)}`)).toEqual([]);
    },
    90_000,
  );
});
