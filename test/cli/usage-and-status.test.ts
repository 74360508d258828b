/**
 * Bad flags exit 2 before anything starts (no state written, no lab served); misspelt commands
 * and gates are named with what exists; a fault that could never fire is refused when the file
 * is read, one that did not fire is reported at the end; `status` tells where runs stand.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, faultsFile, labArgs, makeLabDir, runCli, type LabDir } from '../resume/helpers.js';

let lab: LabDir;
beforeAll(() => {
  lab = makeLabDir();
});
afterAll(() => lab.cleanup());

describe('flags are checked before anything starts', () => {
  test.each([
    [['--retries', 'abc'], '--retries expects a whole number'],
    [['--step-timeout', 'abc'], '--step-timeout expects a whole number'],
    [['--step-timeout', '0'], '--step-timeout expects a whole number of seconds (at least 1), got "0"'],
    [['--retry-delay', '-5'], '--retry-delay expects a whole number'],
    [['--no-cleanup'], '--no-cleanup only works with --abandon'],
    [['--abandon', '--hub-window', '2'], '--abandon takes no --limit/--exclude/--window'],
    [['--confirm', 'uninstalComponents'], 'its gates are: uninstallComponents, reinstallComponents'],
  ])('--lab %j exits 2 at once, nothing written', async (flags, message) => {
    const state = lab.stateDir(`flags-${flags.join('')}`);
    const result = await runCli(['--inventory', lab.inventory, '--lab', '--state-dir', state, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(state)).toBe(false);
  });

  test('a misspelt command suggests the right one; --version prints the package version', async () => {
    const typo = await runCli(['statsu', '--inventory', lab.inventory]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "deploy-rollup status"?');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(manifest.version);
  });
});

describe('fault files', () => {
  test('a fault naming an action or a gate item the runbook does not have is exit 2, with the names', async () => {
    const state = lab.stateDir('bad-faults');
    const faults = faultsFile(
      lab,
      'bad',
      [
        '- { kind: fail, host: dns-main, action: msi.instal, times: 1, exitCode: 1603 }',
        '- { kind: forget, gate: reinstallComponents, item: Hosted Email 2007 }',
      ].join('\n') + '\n',
    );
    const result = await runCli([...labArgs(lab, state), '--faults', faults]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no step of runbook kb979704 runs action "msi.instal"');
    expect(result.stderr).toContain('gate reinstallComponents lists no item "Hosted Email 2007"');
    expect(result.stderr).toContain('Exchange 2007 Hosted Email');
    expect(existsSync(join(state, 'runs'))).toBe(false);
  });

  test('the docs example of every fault kind is a valid fault file', async () => {
    const docs = readFileSync(join(REPO, 'docs/operations.md'), 'utf8');
    const yaml = /```yaml\n(faults:\n[\s\S]*?)```/.exec(docs)?.[1] ?? '';
    expect(yaml).toContain('kind: forget');
    const state = lab.stateDir('docs-faults');
    const faults = faultsFile(lab, 'docs', yaml);
    // --dry-run --offline never serves the lab: only the check of the file itself runs.
    const { parseFaults } = await import('../../src/lab/model/faults.js');
    const { checkFaultsAgainstRunbook } = await import('../../src/cli/fault-check.js');
    const { loadInventory } = await import('../../src/cli/inventory.js');
    const { runbookFor } = await import('../../runbooks/index.js');
    const inventory = await loadInventory(lab.inventory);
    const parsed = parseFaults(yaml, faults);
    expect(() => checkFaultsAgainstRunbook(parsed, faults, runbookFor(inventory), inventory)).not.toThrow();
    expect(existsSync(state)).toBe(false);
  });

  test('a fault that never fired is reported when the run ends', async () => {
    const state = lab.stateDir('unfired');
    // dns-main never runs complus.shutdown: this drill cannot fire.
    const faults = faultsFile(
      lab,
      'unfired',
      '- { kind: fail, host: dns-main, action: complus.shutdown, times: 1, exitCode: 1603 }\n',
    );
    const result = await runCli([...labArgs(lab, state), '--faults', faults]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /1 fault\(s\) of \S+ never fired in this run:\n {2}- \{ kind: fail, host: dns-main/,
    );
  }, 90_000);
});

describe('status', () => {
  test('no runs yet is exit 0 and says so, as text and JSON', async () => {
    const state = lab.stateDir('empty');
    const text = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('no runs yet');
    const json = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ runs: [], latest: null });
  });

  test('a run at a gate, then abandoned: the gate and its stage, totals per host, history', async () => {
    const state = lab.stateDir('gated');
    const first = await runCli([
      '--inventory',
      lab.inventory,
      '--lab',
      '--state-dir',
      state,
      '--retry-delay',
      '10',
    ]);
    expect(first.code).toBe(10);
    const waiting = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state, '--json']);
    const at = JSON.parse(waiting.stdout) as Record<string, unknown> & {
      hosts: Record<string, { planned?: number; done: number }>;
    };
    expect(at).toMatchObject({ state: 'waiting', stage: 'uninstallComponents', gate: 'uninstallComponents' });
    expect(at.lab).toBe(true);
    expect(at.hosts['hmc-mps-a']).toMatchObject({ done: 2 });
    expect(at.hosts['hmc-mps-a']?.planned).toBeGreaterThan(2);
    expect(at.openObligations).toHaveLength(2);

    const abandoned = await runCli([
      '--inventory',
      lab.inventory,
      '--lab',
      '--state-dir',
      state,
      '--abandon',
    ]);
    expect(abandoned.code).toBe(0);
    expect(abandoned.stderr).toContain('abandoning run');
    expect(abandoned.stderr).not.toContain('resuming run');
    const second = await runCli([...labArgs(lab, state)]);
    expect(second.code).toBe(0);
    const text = await runCli(['status', '--inventory', lab.inventory, '--state-dir', state]);
    expect(text.stdout).toMatch(/^run \S+ \(lab rehearsal\): finished/);
    expect(text.stdout).toMatch(
      /runs of this inventory \(2, oldest first\):\n {2}\S+ +\S+ +abandoned\n {2}\S+ +\S+ +finished/,
    );
    expect(text.stdout).not.toContain('waiting at gate');
  }, 120_000);
});

describe('connection problems', () => {
  test('a host that cannot be reached is named with the one address that was dialled', async () => {
    const state = lab.stateDir('refused');
    const faults = faultsFile(lab, 'refuse', '- { kind: refuse, host: dns-main, times: 20 }\n');
    const result = await runCli([...labArgs(lab, state), '--faults', faults]);
    expect(result.code).toBe(3);
    const line = result.stderr.split('\n').find((l) => l.includes('- dns-main')) ?? '';
    const ports = new Set([...line.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]));
    expect(line).toContain('cannot connect to dns-main');
    expect(ports.size).toBe(1);
  }, 90_000);
});
