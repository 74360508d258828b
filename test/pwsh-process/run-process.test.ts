/**
 * The real `RunProcess` helper text, run by a real PowerShell (pwsh, on Linux) against fake
 * programs: both pipes full at once, a program that outlives its output, exit codes passed
 * through, a program that cannot start, msiexec's 1618 waited out, and a child that leaves a
 * process holding its pipes. System.Diagnostics.Process and the stream APIs the helper uses
 * behave the same under pwsh as under Windows PowerShell 2.0, so the helper runs unchanged.
 *
 * Every pwsh run is bounded (spawnSync timeout, then SIGKILL to that pwsh only); the one
 * long-lived process a fake program starts writes its PID, and only that PID is killed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScript } from '../../src/actions/build-script.js';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { HELPER_NAMES, helpersFor } from '../../src/actions/scripts/helpers.js';
import { psLiteral } from '../../src/remote/ps-literal.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';

const PWSH = findPwsh();
// CI must have pwsh; a developer machine without it skips rather than fails.
const pwshTest = PWSH !== undefined || process.env.CI ? test : test.skip;

let dir = '';

/** Writes an executable bash script `name` into the temp dir; returns its path. */
function fake(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `script` (PowerShell text) in pwsh from a file, bounded by `timeoutMs`. */
function runPwsh(script: string, timeoutMs = 60_000): Run {
  if (PWSH === undefined) throw new Error('pwsh is not installed (looked on PATH and in ~/.dotnet/tools)');
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, script);
  const started = Date.now();
  const result = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', '-File', file], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Date.now() - started;
  if (result.error) throw new Error(`pwsh did not finish within ${timeoutMs} ms: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms };
}

/**
 * A script as build-script frames a body (`$ErrorActionPreference = 'Stop'`, the helpers the
 * body calls, the body in try/catch that reports the message and exits 1), then `exit $rc`.
 */
function scriptCalling(body: string, helpers = helpersFor(body)): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    '$rc = 1',
    helpers,
    'try {',
    body,
    '} catch {',
    '  [Console]::Error.WriteLine($_.Exception.Message)',
    "  Write-Output ('procRcAfterError=' + ($script:ProcRc -eq $null))",
    '  $rc = 1',
    '}',
    "Write-Output ('__RC__=' + $rc)",
    'exit $rc',
    '',
  ].join('\n');
}

const lit = psLiteral;

/**
 * A Linux exit status is 8 bits, so no fake program can exit 1618: the 1618 tests run the helper
 * with msiexec's busy code taken the same way (1618 & 255 = 82), changed in exactly one place.
 */
const BUSY = 1618 & 255;
function helpersWithLinuxBusyCode(): string {
  const text = helpersFor('RunProcess');
  expect(text.split('$rc -eq 1618').length).toBe(2);
  return text.replace('$rc -eq 1618', `$rc -eq ${BUSY}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-run-process-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RunProcess, run by a real PowerShell against fake programs', () => {
  test('the helper text is PowerShell 2.0-safe, and no script code of an action module or helper uses Start-Process', () => {
    expect(findPs3Constructs(helpersFor('RunProcess'))).toEqual([]);
    expect(helpersFor(HELPER_NAMES.join(' '))).not.toMatch(/Start-Process/i);
    // The PowerShell lives in the action modules and the shared helpers.
    const folders = ['modules', 'scripts'].map((f) =>
      join(import.meta.dirname, '..', '..', 'src', 'actions', f),
    );
    const files = folders.flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(d, f)),
    );
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      // Comments may say why Start-Process is not used; the code (the script text) must not.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect({ file, uses: /Start-Process/i.test(code) }).toEqual({ file, uses: false });
    }
  });

  pwshTest(
    'both pipes filled at once (about 1 MB each, interleaved) do not deadlock; exit 7 and both tails come through',
    () => {
      const x = 'x'.repeat(85);
      const y = 'y'.repeat(70);
      const program = fake(
        'chatty',
        [
          'for ((i = 1; i <= 12000; i++)); do',
          `  printf 'out line %d ${x}\\n' "$i"`,
          `  printf 'err line %d ${y}\\n' "$i" >&2`,
          'done',
          'exit 7',
        ].join('\n'),
      );
      const run = runPwsh(
        scriptCalling(
          [
            `RunProcess ${lit(program)} '' '' $true`,
            "Write-Output ('procRc=' + $script:ProcRc)",
            "Write-Output ('procOutCount=' + $script:ProcOut.Count + ' cut=' + $script:ProcOutCut)",
            "Write-Output ('procOutFirst=' + $script:ProcOut[0])",
            "Write-Output ('procOutLast=' + $script:ProcOut[$script:ProcOut.Count - 1])",
            '$rc = $script:ProcRc',
          ].join('\n'),
        ),
        90_000,
      );
      expect(run.status).toBe(7);
      expect(run.stdout).toContain('procRc=7\n');
      expect(run.stdout).toContain('__RC__=7\n');
      // stdout is about 1.2 MB: $script:ProcOut keeps the last 1 MB, starting on a whole line.
      expect(run.stdout).toMatch(/^procOutCount=\d+ cut=True$/m);
      const count = Number(/^procOutCount=(\d+)/m.exec(run.stdout)?.[1]);
      expect(count).toBeGreaterThan(9000);
      expect(count).toBeLessThan(12000);
      expect(run.stdout).toMatch(new RegExp(`^procOutFirst=out line \\d+ ${x}$`, 'm'));
      expect(run.stdout).toContain(`procOutLast=out line 12000 ${x}\n`);
      // The echo: the last 64 KB of stdout as out: lines, after a note.
      const outLines = run.stdout.split('\n').filter((l) => l.startsWith('out: '));
      expect(outLines[0]).toMatch(/^out: \[only the last \d+ lines are shown\]$/);
      expect(outLines.at(-1)).toBe(`out: out line 12000 ${x}`);
      expect(outLines.at(-2)).toBe(`out: out line 11999 ${x}`);
      expect(outLines.join('\n').length).toBeLessThan(70 * 1024);
      // stderr: the last 64 KB, as stderr: lines, after a note.
      const errLines = run.stderr.split('\n').filter((l) => l.startsWith('stderr: '));
      expect(errLines[0]).toMatch(/^stderr: \[\d+ earlier characters not kept\]$/);
      expect(errLines[1]).toMatch(new RegExp(`^stderr: err line \\d+ ${y}$`));
      expect(errLines.at(-1)).toBe(`stderr: err line 12000 ${y}`);
      expect(errLines.join('\n').length).toBeLessThan(70 * 1024);
    },
    120_000,
  );

  pwshTest('waits for the program to exit, even after it has closed its output', () => {
    const marker = join(dir, 'slow-done');
    const program = fake(
      'slow',
      ['echo starting', 'exec >/dev/null 2>&1 </dev/null', 'sleep 1', `touch ${lit(marker)}`, 'exit 0'].join(
        '\n',
      ),
    );
    const run = runPwsh(
      scriptCalling(
        [
          `RunProcess ${lit(program)} '' '' $true`,
          `Write-Output ('markerAfterReturn=' + (Test-Path -LiteralPath ${lit(marker)}))`,
          '$rc = $script:ProcRc',
        ].join('\n'),
      ),
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('out: starting\n');
    expect(run.stdout).toContain('markerAfterReturn=True\n');
    expect(run.status).toBe(0);
  });

  // 3010 (success, reboot required) on Windows. A Linux exit status is 8 bits, so `exit 3010`
  // arrives as 3010 & 255 = 194: what is checked is that the code goes from the process to
  // $script:ProcRc, the script's $rc and its sentinel unmapped, in the real program.run script.
  pwshTest(
    'the exit code passes through as-is (3010, as Linux delivers it), in the real program.run script',
    () => {
      const program = fake('reboot-needed', 'echo "args: $*"\nexit 3010');
      const script = buildScript({
        run: 'r1',
        step: 's/program.run',
        action: 'program.run',
        phase: 'apply',
        host: 'H1',
        target: 'reboot-needed',
        params: { path: program, args: ['a b', 'c'], workingDir: dir },
      });
      const run = runPwsh(script);
      expect(run.stdout).toContain('out: args: a b c\n');
      expect(run.stdout).toContain(`__RC__=${3010 & 255}`);
      expect(run.status).toBe(3010 & 255);
    },
  );

  pwshTest('a program that does not exist gives a clear error and a non-zero rc', () => {
    const missing = join(dir, 'no-such-program');
    const run = runPwsh(
      scriptCalling(
        [
          "$script:ProcRc = 5 # a previous run's code must not survive",
          `RunProcess ${lit(missing)} '/x' '' $true`,
          '$rc = $script:ProcRc',
        ].join('\n'),
      ),
    );
    expect(run.stderr).toContain(`cannot start ${missing}: `);
    expect(run.stdout).toContain('procRcAfterError=True\n');
    expect(run.stdout).toContain('__RC__=1\n');
    expect(run.status).toBe(1);
  });

  pwshTest('the program gets an empty standard input of its own', () => {
    const program = fake('reader', 'if read -r line; then echo "read: $line"; else echo "stdin at EOF"; fi');
    const run = runPwsh(
      scriptCalling(`RunProcess ${lit(program)} '' '' $true\n$rc = $script:ProcRc`),
      30_000,
    );
    expect(run.stdout).toContain('out: stdin at EOF\n');
    expect(run.status).toBe(0);
  });

  pwshTest('msiexec 1618 (another installation is in progress) is retried until it clears', () => {
    const counter = join(dir, 'msi-tries');
    const msiexec = fake(
      'msiexec',
      [
        `n=$(( $(cat ${lit(counter)} 2>/dev/null || echo 0) + 1 ))`,
        `echo "$n" > ${lit(counter)}`,
        `if [ "$n" -lt 3 ]; then exit ${BUSY}; fi`,
        'exit 0',
      ].join('\n'),
    );
    const run = runPwsh(
      scriptCalling(
        `RunProcess ${lit(msiexec)} '/i x.msi /qn' '' $true 30 1\n$rc = $script:ProcRc`,
        helpersWithLinuxBusyCode(),
      ),
    );
    expect(readFileSync(counter, 'utf8').trim()).toBe('3');
    expect(
      run.stderr.match(/another installation is in progress \(1618\); trying again in 1 s/g),
    ).toHaveLength(2);
    expect(run.stdout).toContain('__RC__=0\n');
    expect(run.status).toBe(0);
  });

  pwshTest('msiexec 1618 is left for the engine once the wait is over', () => {
    mkdirSync(join(dir, 'busy'));
    const path = fake('busy/msiexec', `exit ${BUSY}`);
    const run = runPwsh(
      scriptCalling(
        `RunProcess ${lit(path)} '' '' $true 6 1\n$rc = $script:ProcRc`,
        helpersWithLinuxBusyCode(),
      ),
    );
    expect(run.stdout).toContain(`__RC__=${BUSY}\n`);
    // It waited (a first try slower than 5 s, on a loaded machine, would leave none) and stopped
    // within its 6 s: a retry starts only while the next try still starts before the wait is over.
    const retries = run.stderr.match(/trying again/g) ?? [];
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.length).toBeLessThanOrEqual(6);
  });

  pwshTest('exit 1618 from any other program is not retried', () => {
    const program = fake('not-msi', `exit ${BUSY}`);
    const run = runPwsh(
      scriptCalling(
        `RunProcess ${lit(program)} '' '' $true 30 1\n$rc = $script:ProcRc`,
        helpersWithLinuxBusyCode(),
      ),
    );
    expect(run.stderr).not.toContain('trying again');
    expect(run.stdout).toContain(`__RC__=${BUSY}\n`);
  });

  pwshTest('a process the program leaves behind holding its pipes does not keep RunProcess waiting', () => {
    const pidFile = join(dir, 'lingering.pid');
    const program = fake(
      'launcher',
      ['echo launched', `sleep 30 & echo $! > ${lit(pidFile)}`, 'exit 4'].join('\n'),
    );
    try {
      const run = runPwsh(
        scriptCalling(`RunProcess ${lit(program)} '' '' $true\n$rc = $script:ProcRc`),
        30_000,
      );
      expect(run.status).toBe(4);
      expect(run.stdout).toContain('out: launched\n');
      expect(run.stderr).toContain('still holds its output open');
      expect(run.ms).toBeLessThan(20_000);
    } finally {
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    }
  });
});
