/**
 * Runbook `inputs:` refuse control characters and line breaks (SECURITY.md), at their file and
 * line, described and never quoted; printable text, including non-ASCII, passes.
 */
import { describe, expect, test } from '@jest/globals';
import { parseInventory } from '../../src/cli/inventory.js';

const HOSTS = `defaults: { auth: { passwordEnv: LAB_PW } }
hosts:
  po-hq: { address: 127.0.0.1, port: 23401, roles: [dirsyncServer] }
`;

function problemsOf(inputs: string): string[] {
  try {
    parseInventory(`runbook: msmail-dirsync\n${HOSTS}inputs:\n${inputs}`, 'inv.yaml');
  } catch (error) {
    return (error as { problems?: string[] }).problems ?? [String(error)];
  }
  return [];
}

describe('control characters in inputs:', () => {
  test.each([
    [
      'a quoted line feed',
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: "C:\\\\MAILEXE\\nrm"\n',
      /line feed \(U\+000A\) at character 11/,
    ],
    [
      'a quoted carriage return',
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: "C:\\\\MAILEXE\\r"\n',
      /carriage return \(U\+000D\)/,
    ],
    [
      'a quoted tab',
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: "C:\\t\\\\MAILEXE"\n',
      /a tab \(U\+0009\) at character 3/,
    ],
    [
      'a block scalar',
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: |\n    C:\\MAILEXE\n    more\n',
      /line feed/,
    ],
    [
      'an escape character',
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: "C:\\\\M\\e[2J"\n',
      /control character \(U\+001B\)/,
    ],
  ])('%s is refused at its line, described, never quoted', (_name, inputs, what) => {
    const problems = problemsOf(inputs);
    expect(problems).toEqual([expect.stringMatching(/^inv\.yaml:7:\d+: inputs\.exeDir: this value has /)]);
    expect(problems[0]).toMatch(what);
    expect(problems[0]).not.toContain('MAILEXE');
  });

  test('in a nested map and in a key too', () => {
    const problems = problemsOf(
      '  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: C:\\MAILEXE\n  mailDrives: { po-hq: "N\\n", "a\\tb": M }\n',
    );
    expect(problems).toEqual([
      expect.stringMatching(/^inv\.yaml:8:\d+: inputs\.mailDrives\.po-hq: this value has a line feed/),
      expect.stringMatching(/^inv\.yaml:8:\d+: inputs\.mailDrives\[".*"\]: this key has a tab/),
    ]);
  });

  test('printable text passes, non-ASCII included', () => {
    expect(problemsOf('  adminPasswordEnv: MSMAIL_ADMIN_PASSWORD\n  exeDir: C:\\MAILEXÉ\n')).toEqual([]);
  });
});
