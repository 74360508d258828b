/**
 * The run report: after a rollout with one retried step (exit 1618 once) and operator gates
 * (non-interactive without --yes stops with 10; resume confirms), report.md and report.json
 * carry the retry and who confirmed each gate, how and when.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../../src/report/build-report.js';
import { makeUxLab, runCli } from './helpers.js';

describe('the run report', () => {
  const lab = makeUxLab();
  afterAll(() => lab.cleanup());
  const faults = join(lab.root, 'faults.yaml');
  writeFileSync(
    faults,
    'faults:\n  - { kind: fail, host: exhub-east, action: msi.install, times: 1, exitCode: 1618 }\n',
  );
  const common = [
    '--inventory',
    lab.inventory,
    '--lab',
    '--faults',
    faults,
    '--state-dir',
    lab.stateDir,
    '--retry-delay',
    '10',
  ];

  test('a halt at a gate already leaves a report naming the waiting gate', async () => {
    const first = await runCli(common);
    expect(first.code).toBe(10);
    const report = JSON.parse(readFileSync(join(lab.runDir(), 'report.json'), 'utf8')) as RunReport;
    expect(report.status).toBe('halted');
    expect(report.gates.find((g) => g.gateId === 'uninstallComponents')?.state).toBe('waiting');
    expect(first.stderr).toMatch(/report: .*report\.md/);
  }, 120_000);

  test('after resuming with --confirm, the report shows the retried step and each confirmation', async () => {
    const gates = ['uninstallComponents', 'reinstallComponents', 'initializeProvisioning'].flatMap((g) => [
      '--confirm',
      g,
    ]);
    const second = await runCli([...common, '--resume', ...gates]);
    expect(second.code).toBe(0);
    const runDir = lab.runDir();
    for (const file of ['report.json', 'report.md'])
      expect(statSync(join(runDir, file)).mode & 0o777).toBe(0o600);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as RunReport;
    expect(report.status).toBe('finished');
    const hub = report.hosts.find((h) => h.host === 'exhub-east');
    const retried = hub?.steps.filter((s) => s.action === 'msi.install' && s.attempts === 2) ?? [];
    expect(retried).toHaveLength(1);
    expect(retried[0]?.exitCodes).toContain('apply:1618');
    expect(retried[0]?.outcome).toBe('ok');
    const gate = report.gates.find((g) => g.gateId === 'uninstallComponents');
    expect(gate).toMatchObject({ state: 'verified', how: '--confirm uninstallComponents' });
    expect(gate?.confirmedBy).toMatch(/@/);
    expect(gate?.confirmedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.backups.some((b) => b.host === 'exhub-east' && b.taken)).toBe(true);
    expect(Object.keys(report.packageHashes).length).toBeGreaterThan(0);
    expect(report.facts.map((f) => f.name)).toContain('ur5Installed');

    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/\| oofAgent \| msi\.install [^|]+ \| ok \| 2 \|/);
    expect(markdown).toMatch(
      /\| uninstallComponents \| hmc-mps-a \| verified \| [^|]+@[^|]+ \| --confirm uninstallComponents \| \d{4}-/,
    );
  }, 120_000);
});
