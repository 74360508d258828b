/**
 * Preflight blocks with exit 3, lists every problem at once, and nothing is applied: each
 * prerequisite of KB979704, an unreachable host, a pinned fact the probe contradicts, a bad package.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempLab, type CliResult, type TempLab } from './helpers.js';

const labs: TempLab[] = [];
afterAll(() => labs.forEach((l) => l.cleanup()));

/** Runs `--lab --yes` on a lab.yaml copy with `labExtra` appended to its `lab:` section. */
async function blocked(
  labExtra: string,
  options: { faults?: string; prepare?: (lab: TempLab) => Promise<void> } = {},
) {
  const lab = tempLab('lab.yaml', (y) =>
    y.replace(/^ {2}upgradedFromHmc40: true\n/m, `  upgradedFromHmc40: true\n${labExtra}`),
  );
  labs.push(lab);
  await options.prepare?.(lab);
  const faults = options.faults ? ['--faults', lab.write('faults.yaml', options.faults)] : [];
  const result = await lab.run(['--yes', ...faults]);
  return { result, applies: lab.applyEvents().length };
}

function problems(result: CliResult): string[] {
  return result.stderr.split('\n').filter((l) => l.startsWith('  - '));
}

describe('preflight', () => {
  test('an account outside Domain Admins blocks with one problem per host and nothing applied', async () => {
    const { result, applies } = await blocked('  notDomainAdmin: true\n');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('nothing was changed');
    expect(problems(result).filter((p) => p.includes('not a member of Domain Admins'))).toHaveLength(8);
    expect(applies).toBe(0);
  });

  test('a missing Deployment Tool, a hub without SP2 and PowerShell 1.0 are all listed in one report', async () => {
    const { result, applies } = await blocked(
      '  noDeploymentTool: true\n  missingSp2: [exhub-west]\n  powershell1: [dns-main]\n',
    );
    expect(result.code).toBe(3);
    const listed = problems(result);
    expect(listed.some((p) => p.includes('hmc-mps-a: the HMC Deployment Tool is not installed'))).toBe(true);
    expect(
      listed.some((p) =>
        p.includes('exhub-west: Exchange Server 2007 Service Pack 2 is required (found SP1)'),
      ),
    ).toBe(true);
    expect(listed.some((p) => p.includes('dns-main: PowerShell 1.0 is too old'))).toBe(true);
    expect(listed).toHaveLength(3);
    expect(applies).toBe(0);
  });

  test('a host that refuses every connection is named as unreachable', async () => {
    const { result, applies } = await blocked('', {
      faults: '- { kind: refuse, host: sql-om-1, times: 1000 }\n',
    });
    expect(result.code).toBe(3);
    expect(problems(result).some((p) => p.startsWith('  - sql-om-1 ') && p.includes('cannot connect'))).toBe(
      true,
    );
    expect(applies).toBe(0);
  });

  test('a pinned fact that the probe contradicts blocks and shows the evidence', async () => {
    const lab = tempLab('lab.yaml', (y) => `${y}\nfacts:\n  ur5Installed: true\n`);
    labs.push(lab);
    const result = await lab.run(['--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /fact ur5Installed: the inventory pins true, but the hosts show false \(UR5 builds are 4\.5\.1500 or later/,
    );
    expect(lab.applyEvents()).toHaveLength(0);
  });

  test('a package file of the wrong size and an unknown extra file are both reported', async () => {
    const { result, applies } = await blocked('', {
      prepare: async (lab) => {
        mkdirSync(lab.packageDir, { recursive: true });
        const written = await runCli(['lab', 'package', '--out', lab.packageDir], lab.dir);
        expect(written.code).toBe(0);
        truncateSync(join(lab.packageDir, 'Dnsclient.msi'), 1000);
        writeFileSync(join(lab.packageDir, 'notes.txt'), 'not part of the rollup\n');
      },
    });
    expect(result.code).toBe(3);
    const listed = problems(result);
    expect(
      listed.some((p) => p.includes("Dnsclient.msi is 1000 bytes, the KB's file table says 682496")),
    ).toBe(true);
    expect(listed.some((p) => p.includes("notes.txt is not part of the rollup's file table"))).toBe(true);
    expect(applies).toBe(0);
  });

  test('a bad package and an unreachable host are both reported, the package first', async () => {
    // The package is hashed while the hosts are inspected; the report keeps its order.
    const { result, applies } = await blocked('', {
      faults: '- { kind: refuse, host: sql-om-1, times: 1000 }\n',
      prepare: async (lab) => {
        mkdirSync(lab.packageDir, { recursive: true });
        expect((await runCli(['lab', 'package', '--out', lab.packageDir], lab.dir)).code).toBe(0);
        truncateSync(join(lab.packageDir, 'Dnsclient.msi'), 1000);
      },
    });
    expect(result.code).toBe(3);
    const listed = problems(result);
    const pkg = listed.findIndex((p) => p.includes('Dnsclient.msi is 1000 bytes'));
    const host = listed.findIndex((p) => p.startsWith('  - sql-om-1 ') && p.includes('cannot connect'));
    expect(pkg).toBeGreaterThanOrEqual(0);
    expect(host).toBeGreaterThan(pkg);
    expect(applies).toBe(0);
  });
});
