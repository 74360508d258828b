/** The CLI's contract: help, usage errors, exit codes and messages without stack traces. */
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN } from '../helpers/cli-bin.js';

const BIN = CLI_BIN;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function tempInventory(text: string): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dr-cli-'));
  const file = join(dir, 'inv.yaml');
  writeFileSync(file, text);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('deploy-rollup CLI', () => {
  test('prints help with examples and exit codes, and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--inventory <file>');
    expect(result.stdout).toContain('Exit codes: 0 done; 1 failed');
    expect(result.stdout).toContain('deploy-rollup --inventory prod.yaml --resume --confirm');
  });

  test('runbooks lists every registered runbook with its roles, as text and as JSON', async () => {
    const { RUNBOOKS } = await import('../../runbooks/index.js');
    const text = await cli(['runbooks']);
    expect(text.code).toBe(0);
    for (const runbook of Object.values(RUNBOOKS)) {
      expect(text.stdout).toContain(`${runbook.id}`);
      expect(text.stdout).toContain(`roles: ${runbook.inventory.roles.map((r) => r.id).join(', ')}`);
    }
    expect(text.stdout).toContain('kb979704 (default)');
    const json = await cli(['runbooks', '--json']);
    const listed = JSON.parse(json.stdout) as { id: string; default: boolean; needsPackage: boolean }[];
    expect(listed.map((r) => r.id).sort()).toEqual(Object.keys(RUNBOOKS).sort());
    expect(listed.find((r) => r.id === 'kb979704')).toMatchObject({ default: true, needsPackage: true });
  });

  test('exits 2 and says what to do when --inventory is missing', async () => {
    const result = await cli(['--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--inventory FILE is required');
  });

  test('reports a bad inventory with file, line and fix, exit 2 and no stack trace', async () => {
    const inv = tempInventory('hosts:\n  a1: { address: 127.0.0.1, roles: [mps], password: hunter2 }\n');
    try {
      const result = await cli(['--inventory', inv.file, '--dry-run', '--offline']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/inv\.yaml:2:\d+: /);
      expect(result.stderr).toContain('passwordEnv');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr).not.toContain('hunter2');
    } finally {
      inv.cleanup();
    }
  });

  test('prints the offline plan as JSON on stdout alone, following the plan contract', async () => {
    const lab = readFileSync('inventory/lab.yaml', 'utf8').replace(
      'runbook: kb979704',
      'runbook: kb979704\nfacts: { ur5Installed: false, upgradedFromHmc40: false }',
    );
    const inv = tempInventory(lab);
    try {
      const result = await cli(['--inventory', inv.file, '--dry-run', '--offline', '--format', 'json']);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as {
        runbook: string;
        facts: object;
        stages: { id: string; title: string; steps: Record<string, unknown>[] }[];
      };
      expect(plan.runbook).toBe('kb979704');
      expect(plan.facts).toEqual({ ur5Installed: false, upgradedFromHmc40: false });
      expect(plan.stages[0]?.id).toBe('stopEngines');
      for (const step of plan.stages.flatMap((s) => s.steps)) {
        for (const key of ['id', 'host', 'role', 'action', 'target']) expect(step).toHaveProperty(key);
      }
      expect(
        plan.stages.flatMap((s) => s.steps).some((s) => s.action === 'provisioning.startDeployment'),
      ).toBe(true);
    } finally {
      inv.cleanup();
    }
  });

  test('refuses an offline plan whose branch needs an unpinned fact, naming it (exit 2)', async () => {
    const result = await cli(['--inventory', 'inventory/lab.yaml', '--dry-run', '--offline']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ur5Installed');
    expect(result.stderr).toContain('facts:');
  });

  test('renders the statechart as Mermaid with its parallel tail', async () => {
    const result = await cli(['--inventory', 'inventory/lab.yaml', '--format', 'mermaid']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('stateDiagram-v2')).toBe(true);
    expect(result.stdout).toContain('withoutUpdateRollup5');
    expect(result.stdout).toContain('[ur5Installed]');
  });
});
