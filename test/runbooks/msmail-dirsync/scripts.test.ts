/** The import script: the password enters once, as a literal, in apply only, after the same checks as probe and verify. */
import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../../src/actions/build-script.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { psLiteral } from '../../../src/remote/ps-literal.js';
import { findPwsh } from '../../pwsh/pwsh.js';

const PASSWORD = "it's$(a)p@ss`word";
const params = {
  program: 'import',
  args: ['admin', '-q', '-y'],
  exeDir: 'C:\\Microsoft Mail\\Executables',
  drive: 'M',
  forcedos: true,
  password: PASSWORD,
  passwordAt: 1,
};

function script(phase: 'probe' | 'apply' | 'verify', extra: Record<string, unknown> = {}): string {
  return buildScript({
    run: '20261123-135952-8f2b',
    step: 't3Requestors/postoffice-with-a-long-name/import',
    action: 'msmail.run',
    phase,
    host: 'postoffice-with-a-long-name',
    target: 'import -dM admin -p******** -q -y',
    params: { ...params, ...extra },
  });
}

describe('msmail.run import script', () => {
  test('the password enters the apply body once as a single-quoted literal and is passed as -p, quoted by QArg', () => {
    const body = script('apply').split('\n').slice(1).join('\n');
    expect(body.split(psLiteral(PASSWORD)).length - 1).toBe(1);
    expect(body).toContain("$line = $line + ' ' + (QArg ('-p' + $secret))");
    expect(body).not.toContain("' -p' + $secret");
  });

  (findPwsh() || process.env.CI ? test : test.skip)(
    "the command line is the KB's order, import -d<drive> admin -p<password> -q -y",
    () => {
      const apply = script('apply');
      const from = apply.indexOf("$line = '-d' + $drive");
      const to = apply.indexOf('if ($forcedos)');
      const declared = apply
        .split('\n')
        .filter((line) => /^\s*\$(drive|arguments|secret|passwordAt) = /.test(line))
        .join('\n');
      const text = `${declared}\nfunction QArg([string]$a) { $a }\n${apply.slice(from, to)}\n$line`;
      const dir = mkdtempSync(join(tmpdir(), 'dr-import-'));
      const file = join(dir, 'line.ps1');
      writeFileSync(file, text);
      let out = '';
      try {
        out = execFileSync(findPwsh() ?? 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file], {
          encoding: 'utf8',
          timeout: 30_000,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(out.trim()).toBe(`-dM admin -p${PASSWORD} -q -y`);
    },
  );

  test('a password the DOS command line cannot carry is refused, described and never quoted', () => {
    for (const bad of ['two words', 'a"quote', 'tab\there']) {
      let message = '';
      try {
        script('apply', { password: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/contains a space, a double quote or a control character/);
      expect(message).not.toContain(bad);
    }
  });

  test('probe and verify bodies do not carry the password', () => {
    for (const phase of ['probe', 'verify'] as const)
      expect(script(phase).split('\n').slice(1).join('\n')).not.toContain('p@ss');
  });

  test('apply checks the drive letter and the program before it builds the command line, as probe and verify do', () => {
    const apply = script('apply');
    expect(apply).toContain("if ($drive -notmatch '^[A-Za-z]$') { throw ('not a drive letter: ' + $drive) }");
    expect(apply).toContain("-notcontains $program) { throw ('not an MS Mail program: ' + $program) }");
    expect(apply.indexOf('-notcontains $program')).toBeLessThan(apply.indexOf("$line = '-d' + $drive"));
  });
});
