/**
 * The real `FileSha256` helper text, run by a real PowerShell (pwsh): it hashes with the
 * FIPS-validated provider when the framework has one, and where it has none and the FIPS policy
 * forbids SHA256Managed it fails naming the policy instead of breaking every hash check.
 * Every pwsh run is bounded by a spawnSync timeout (SIGKILL to that pwsh only).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helpersFor } from '../../src/actions/scripts/helpers.js';
import { psLiteral } from '../../src/remote/ps-literal.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';

const PWSH = findPwsh();
// CI must have pwsh; a developer machine without it skips rather than fails.
const pwshTest = PWSH !== undefined || process.env.CI ? test : test.skip;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-sha-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPwsh(script: string): { status: number | null; stdout: string; stderr: string } {
  if (PWSH === undefined) throw new Error('pwsh is not installed (looked on PATH and in ~/.dotnet/tools)');
  const file = join(dir, `script-${randomBytes(4).toString('hex')}.ps1`);
  writeFileSync(file, script);
  const result = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', '-File', file], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const helper = helpersFor('FileSha256 $p');

describe('FileSha256 (real pwsh)', () => {
  pwshTest('hashes a file with the FIPS-validated provider, as sha256 does', () => {
    const path = join(dir, 'payload.bin');
    const bytes = randomBytes(300_000);
    writeFileSync(path, bytes);
    const run = runPwsh(
      [
        helper,
        `$p = ${psLiteral(path)}`,
        'FileSha256 $p',
        // Which provider the helper chose: the CSP, not SHA256::Create()'s managed default.
        "if ('System.Security.Cryptography.SHA256CryptoServiceProvider' -as [Type]) { 'csp' }",
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split(/\r?\n/)).toEqual([
      createHash('sha256').update(bytes).digest('hex'),
      'csp',
    ]);
  });

  pwshTest('without the CSP, a FIPS refusal of SHA256Managed is reported naming the policy', () => {
    const path = join(dir, 'other.bin');
    writeFileSync(path, 'x');
    // .NET 2.0 without 3.5: the CSP type does not resolve; under FIPS, SHA256Managed's constructor throws.
    const without = helper.replace(
      "'System.Security.Cryptography.SHA256CryptoServiceProvider'",
      "'System.Security.Cryptography.NoSuchProvider'",
    );
    expect(without).not.toBe(helper);
    const run = runPwsh(
      [
        "function New-Object { throw 'This implementation is not part of the Windows Platform FIPS validated cryptographic algorithms.' }",
        without,
        `$p = ${psLiteral(path)}`,
        'try { FileSha256 $p; exit 0 } catch { [Console]::Error.WriteLine($_.Exception.Message); exit 7 }',
      ].join('\n'),
    );
    expect(run.status).toBe(7);
    expect(run.stderr).toContain('HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy');
    expect(run.stderr).toContain('.NET Framework 3.5');
    expect(run.stderr).toContain('FIPS validated');
  });
});
