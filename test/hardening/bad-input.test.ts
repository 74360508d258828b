/**
 * A corpus of hostile and malformed input through the CLI: inventories, fault files and rollup
 * packages. Each is refused before any host is changed — exit 2 for bad input, 3 for a package
 * that preflight rejects — with a message that names the file (and line:column where the file
 * has lines) and says what to do.
 */
import { labStateFile } from '../helpers/lab-state.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  applyEvents,
  labInventory,
  PASSWORD_VAR,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
  type CliResult,
} from './helpers.js';

const ENV = { [PASSWORD_VAR]: 'corpus-Pa55' };

let root: string;
let packageDir: string;
let cases = 0;

/** Rewrites one host's line of inventory/lab.yaml. */
const onHost = (host: string, edit: (line: string) => string) => (yaml: string) =>
  yaml.replace(new RegExp(`^  ${host}: .*$`, 'm'), (line) => edit(line));
const append = (text: string) => (yaml: string) => `${yaml}\n${text}\n`;
const replace = (from: RegExp, to: string) => (yaml: string) => {
  if (!from.test(yaml)) throw new Error(`case does not apply: ${String(from)}`);
  return yaml.replace(from, to);
};

interface InventoryCase {
  title: string;
  edit?: (yaml: string) => string;
  /** Replaces the whole file. */
  text?: string;
  /** What the message must say besides the file:line:col. */
  says: RegExp;
}

const INVENTORIES: InventoryCase[] = [
  {
    title: 'an address with $() command substitution',
    edit: onHost('hmc-mps-a', (l) => l.replace('127.0.0.1', '"$(reboot)"')),
    says: /"\$" is not allowed in an address/,
  },
  {
    title: 'an address with a backtick',
    edit: onHost('hmc-mps-a', (l) => l.replace('127.0.0.1', '"`calc`"')),
    says: /"`" is not allowed in an address/,
  },
  {
    title: 'an address with ; and a second command',
    edit: onHost('hmc-mps-a', (l) => l.replace('127.0.0.1', '"10.0.0.1;shutdown"')),
    says: /";" is not allowed/,
  },
  {
    title: 'an address with a pipe',
    edit: onHost('hmc-mps-b', (l) => l.replace('127.0.0.1', '"a|b"')),
    says: /"\|" is not allowed/,
  },
  {
    title: 'an address with an ampersand',
    edit: onHost('hmc-mps-b', (l) => l.replace('127.0.0.1', '"a&b"')),
    says: /"&" is not allowed/,
  },
  {
    title: 'an address with %VAR%',
    edit: onHost('dns-main', (l) => l.replace('127.0.0.1', '"%COMPUTERNAME%"')),
    says: /address/,
  },
  {
    title: 'an IPv6 address written with brackets',
    edit: onHost('dns-main', (l) => l.replace('127.0.0.1', '"[::1]"')),
    says: /address/,
  },
  {
    title: 'a host name with a quote',
    edit: onHost('hmc-web-a', (l) => l.replace('hmc-web-a:', '"hmc\'web":')),
    says: /host name/,
  },
  {
    title: 'a host name with a backtick',
    edit: onHost('hmc-web-a', (l) => l.replace('hmc-web-a:', '"web`a":')),
    says: /host name/,
  },
  {
    title: 'a host name with a semicolon',
    edit: onHost('hmc-web-a', (l) => l.replace('hmc-web-a:', '"web;a":')),
    says: /host name/,
  },
  {
    title: 'a non-ASCII host name',
    edit: onHost('hmc-web-a', (l) => l.replace('hmc-web-a:', 'hôte-web:')),
    says: /host name/,
  },
  {
    title: 'a user name with a quote and a command',
    edit: replace(/user: administrator/, `user: "admin'; Remove-Item C:\\\\"`),
    says: /user name/,
  },
  {
    title: 'a passwordEnv written as %VAR%',
    edit: replace(/passwordEnv: DEPLOY_ROLLUP_LAB_PASSWORD/, 'passwordEnv: "%HMC_PW%"'),
    says: /NAME of an environment variable/,
  },
  {
    title: 'a plaintext password beside passwordEnv',
    edit: replace(
      /auth: \{ passwordEnv: DEPLOY_ROLLUP_LAB_PASSWORD \}/,
      'auth: { passwordEnv: DEPLOY_ROLLUP_LAB_PASSWORD, password: hunter2 }',
    ),
    says: /password/,
  },
  {
    title: 'a hostKey given as an ssh-rsa public key',
    edit: onHost('sql-om-1', (l) => l.replace('roles:', 'hostKey: "ssh-rsa AAAAB3NzaC1yc2E", roles:')),
    says: /SHA256:/,
  },
  { title: 'port 0', edit: onHost('sql-om-1', (l) => l.replace(/port: \d+/, 'port: 0')), says: /port/ },
  {
    title: 'a fractional port',
    edit: onHost('sql-om-1', (l) => l.replace(/port: \d+/, 'port: 22.5')),
    says: /port/,
  },
  {
    title: 'roles written as a string',
    edit: onHost('sql-mps-1', (l) => l.replace('roles: [mpssql]', 'roles: mpssql')),
    says: /roles/,
  },
  { title: 'a rollout window written as a word', edit: replace(/window: 5/, 'window: five'), says: /window/ },
  { title: 'a hub window of 0', edit: replace(/hubWindow: 1/, 'hubWindow: 0'), says: /hubWindow/ },
  {
    title: 'a lab switch that is a string',
    edit: replace(/ur5Installed: false/, 'ur5Installed: "no"'),
    says: /ur5Installed/,
  },
  { title: 'an unknown fact', edit: append('facts:\n  ur6Installed: true'), says: /ur6Installed/ },
  {
    title: 'a transport with a command in it',
    edit: replace(/transport: ssh/, 'transport: "ssh; rm -rf /"'),
    says: /transport/,
  },
  {
    title: 'a host with no settings at all',
    edit: onHost('exhub-west', () => '  exhub-west:'),
    says: /exhub-west/,
  },
  {
    title: 'an alias bomb (billion laughs)',
    text: [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'
        .split('')
        .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
      'hosts: *j',
      '',
    ].join('\n'),
    says: /Excessive alias count/,
  },
  {
    title: 'binary garbage with NUL bytes',
    text: 'hosts:\n  \u0000\u0001\u0002: { address: 127.0.0.1 }\n',
    says: /expected a host name of 1-63 characters/,
  },
];

interface FaultCase {
  title: string;
  text: string;
  says: RegExp;
}

const FAULTS: FaultCase[] = [
  { title: 'a YAML syntax error', text: 'faults: [ { kind: fail\n', says: /Flow (map|sequence)/ },
  {
    title: 'an unknown kind',
    text: '- { kind: explode, host: hmc-mps-a }\n',
    says: /kind must be one of fail, drop, hang, slow, refuse, down, forget/,
  },
  {
    title: 'an exit code written as a string',
    text: '- { kind: fail, host: hmc-mps-a, exitCode: "1603", times: 1 }\n',
    says: /exitCode: .*expected number/,
  },
  {
    title: 'a host that is not in the inventory',
    text: '- { kind: refuse, host: MPS01, times: 1 }\n',
    says: /host "MPS01" is not in the inventory/,
  },
  { title: 'times of 0', text: '- { kind: refuse, host: hmc-mps-a, times: 0 }\n', says: /times/ },
  {
    title: 'a fractional times',
    text: '- { kind: fail, host: hmc-mps-a, exitCode: 1603, times: 1.5 }\n',
    says: /times/,
  },
  {
    title: 'a drop without when',
    text: '- { kind: drop, host: hmc-mps-a, action: iis.reset }\n',
    says: /when/,
  },
  {
    title: 'an unknown field',
    text: '- { kind: slow, host: hmc-mps-a, factor: 2, delay: 5 }\n',
    says: /delay/,
  },
  {
    title: 'a phase that does not exist',
    text: '- { kind: hang, host: hmc-mps-a, action: iis.reset, phase: install }\n',
    says: /phase/,
  },
  { title: 'a slow factor of 0', text: '- { kind: slow, host: hmc-mps-a, factor: 0 }\n', says: /factor/ },
  {
    title: 'a negative afterCommands',
    text: '- { kind: down, host: hmc-mps-a, afterCommands: -1 }\n',
    says: /afterCommands/,
  },
  { title: 'a map without the faults key', text: 'drills: []\n', says: /drills|faults/ },
  { title: 'a bare scalar', text: 'hello\n', says: /expected a list of faults/ },
];

interface Outcome {
  result: CliResult;
  stateDir: string;
}

/** One case in its own dir: the inventory (or `inventoryText`), the CLI with --lab, and what it left behind. */
async function runCase(options: {
  edit?: (yaml: string) => string;
  inventoryText?: string;
  faults?: string;
  pkg?: string;
  extra?: string[];
}): Promise<Outcome & { dir: string; inventory: string; faultsFile: string }> {
  const dir = join(root, `case-${++cases}`);
  mkdirSync(dir);
  const inventory = labInventory(dir, options.pkg ?? packageDir, {
    ...(options.edit ? { edit: options.edit } : {}),
  });
  if (options.inventoryText !== undefined) writeFileSync(inventory, options.inventoryText);
  const faultsFile = join(dir, 'faults.yaml');
  if (options.faults !== undefined) writeFileSync(faultsFile, options.faults);
  const stateDir = join(dir, 'state');
  const result = await runCli(
    [
      '--inventory',
      inventory,
      '--lab',
      '--yes',
      '--state-dir',
      stateDir,
      '--retry-delay',
      '10',
      ...(options.faults !== undefined ? ['--faults', faultsFile] : []),
      ...(options.extra ?? []),
    ],
    { cwd: dir, env: ENV },
  );
  return { result, stateDir, dir, inventory, faultsFile };
}

/** No host was changed: no lab state at all, or one without apply-phase events. */
function expectNoHostChanged(stateDir: string): void {
  if (!labStateFile(stateDir)) return;
  expect(applyEvents(stateDir)).toEqual([]);
}

/** A copy of the package made of hard links (cheap), with `edit` applied to the copy. */
function packageCopy(name: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of readdirSync(packageDir)) linkSync(join(packageDir, file), join(dir, file));
  edit(dir);
  return dir;
}

beforeAll(async () => {
  root = tempDir('corpus');
  packageDir = await sharedPackage(root);
});
afterAll(() => removeDir(root));

describe('a malformed inventory', () => {
  test.concurrent.each(INVENTORIES.map((c) => [c.title, c] as const))(
    'is refused with exit 2, file:line:col and a hint: %s',
    async (_title, c) => {
      const { result, stateDir, inventory } = await runCase(
        c.text !== undefined ? { inventoryText: c.text } : { edit: c.edit! },
      );
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.stderr).toMatch(new RegExp(`${basename(inventory).replace('.', '\\.')}:\\d+:\\d+: `));
      expect(result.stderr).toMatch(c.says);
      expect(result.stderr).toMatch(/^hint: /m);
      expect(result.code).toBe(2);
      expectNoHostChanged(stateDir);
    },
  );

  test('that does not exist is refused with exit 2, naming the path', async () => {
    const result = await runCli(
      [
        '--inventory',
        join(root, 'nowhere.yaml'),
        '--lab',
        '--yes',
        '--state-dir',
        join(root, 'nowhere-state'),
      ],
      { env: ENV },
    );
    expect(result.stderr).toContain(join(root, 'nowhere.yaml'));
    expect(result.code).toBe(2);
    expect(existsSync(join(root, 'nowhere-state'))).toBe(false);
  });
});

describe('a malformed fault file', () => {
  test.concurrent.each(FAULTS.map((c) => [c.title, c] as const))(
    'is refused with exit 2, file:line:col and a hint: %s',
    async (_title, c) => {
      const { result, stateDir } = await runCase({ faults: c.text });
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.stderr).toMatch(/^error: fault file .*faults\.yaml is invalid$/m);
      expect(result.stderr).toMatch(/faults\.yaml:\d+:\d+: /);
      expect(result.stderr).toMatch(c.says);
      expect(result.stderr).toMatch(/^hint: /m);
      expect(result.code).toBe(2);
      expectNoHostChanged(stateDir);
    },
  );

  test('that does not exist is refused with exit 2, naming the path', async () => {
    const { result, stateDir, faultsFile } = await runCase({
      extra: ['--faults', join(root, 'no-such-faults.yaml')],
    });
    expect(faultsFile).toBeDefined();
    expect(result.stderr).toContain('cannot read fault file');
    expect(result.stderr).toContain('no-such-faults.yaml');
    expect(result.code).toBe(2);
    expectNoHostChanged(stateDir);
  });
});

describe('a bad rollup package', () => {
  const PACKAGES: [string, (dir: string) => void, RegExp][] = [
    [
      'a file of the wrong size',
      (dir) => {
        rmSync(join(dir, 'Dnsclient.msi'));
        writeFileSync(
          join(dir, 'Dnsclient.msi'),
          readFileSync(join(packageDir, 'Dnsclient.msi')).subarray(0, 1000),
        );
      },
      /Dnsclient\.msi is 1000 bytes, the KB's file table says \d+; re-extract/,
    ],
    [
      'an extra unknown file',
      (dir) => writeFileSync(join(dir, 'payload.ps1'), 'Remove-Item C:\\ -Recurse\n'),
      /payload\.ps1 is not part of the rollup's file table; remove it/,
    ],
    [
      'a missing file',
      (dir) => rmSync(join(dir, 'Pwdb40ssis.msi')),
      /Pwdb40ssis\.msi is missing .*; re-extract/,
    ],
  ];

  test.concurrent.each(PACKAGES)(
    'blocks preflight with exit 3 and changes nothing: %s',
    async (title, edit, says) => {
      const pkg = packageCopy(`pkg-${title.replace(/\W+/g, '-')}`, edit);
      const { result, stateDir } = await runCase({ pkg });
      expect(result.stderr).toContain(`package ${pkg}:`);
      expect(result.stderr).toMatch(says);
      expect(result.stderr).toContain('nothing was changed');
      expect(result.code).toBe(3);
      expectNoHostChanged(stateDir);
    },
  );

  test('that is missing altogether blocks preflight with exit 3 and the command that writes it', async () => {
    const pkg = join(root, 'pkg-absent');
    // A real run (not --lab, which would generate the stand-in package): hosts on closed ports.
    const dir = join(root, 'case-absent');
    mkdirSync(dir);
    const inventory = labInventory(dir, pkg, { ports: [1, 2, 3, 4, 5, 6, 7, 8] });
    const result = await runCli(
      [
        '--inventory',
        inventory,
        '--state-dir',
        join(dir, 'state'),
        '--retries',
        '0',
        '--accept-new-host-keys',
      ],
      { cwd: dir, env: ENV },
    );
    expect(result.stderr).toContain(`package folder ${pkg} does not exist`);
    expect(result.stderr).toContain(`deploy-rollup lab package --out ${pkg}`);
    expect(result.code).toBe(3);
    expect(existsSync(pkg)).toBe(false);
  });
});
