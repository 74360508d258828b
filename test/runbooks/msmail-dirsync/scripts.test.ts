/** The import script: the password enters once, as a literal, in apply only, after the same checks as probe and verify. */
import { describe, expect, test } from '@jest/globals';
import { buildScript } from '../../../src/actions/build-script.js';
import { psLiteral } from '../../../src/remote/ps-literal.js';

const PASSWORD = "it's $(a) p@ss`word";
const params = {
  program: 'import',
  args: ['admin', '-q', '-y'],
  exeDir: 'C:\\Microsoft Mail\\Executables',
  drive: 'M',
  forcedos: true,
  password: PASSWORD,
};

function script(phase: 'probe' | 'apply' | 'verify'): string {
  return buildScript({
    run: '20261123-135952-8f2b',
    step: 't3Requestors/postoffice-with-a-long-name/import',
    action: 'msmail.run',
    phase,
    host: 'postoffice-with-a-long-name',
    target: 'import -dM admin -q -y -p********',
    params,
  });
}

describe('msmail.run import script', () => {
  test('the password enters the apply body once as a single-quoted literal and is passed as -p', () => {
    const body = script('apply').split('\n').slice(1).join('\n');
    expect(body.split(psLiteral(PASSWORD)).length - 1).toBe(1);
    expect(body).toContain("$line = $line + ' -p' + $secret");
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
