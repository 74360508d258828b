/**
 * One fixture per rule: each bad inventory must be refused with INVENTORY_INVALID, and every
 * problem must name the exact line:column, the path, what is wrong and what would be right.
 */
import { describe, expect, test } from '@jest/globals';
import { parseInventory } from '../../src/cli/inventory.js';
import { DeployError } from '../../src/errors.js';

const FILE = 'inventory/bad.yaml';
const AGENT = 'defaults:\n  auth: { agent: true }\n';

/** Parses and returns the problems, failing the test if the inventory was accepted. */
function problemsOf(yaml: string): string[] {
  let caught: unknown;
  try {
    parseInventory(yaml, FILE);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DeployError);
  const error = caught as DeployError;
  expect(error.kind).toBe('badInput');
  expect(error.code).toBe('INVENTORY_INVALID');
  expect(error.message).toBe(`inventory ${FILE} is not valid`);
  expect(error.hint).toContain('prod.example.yaml');
  return error.problems;
}

interface Expected {
  /** `line:col` */
  at: string;
  /** The path, or '' for whole-file problems. */
  path: string;
  /** Fragments the message must contain: what is wrong and what would be right. */
  says: string[];
}

interface Case {
  title: string;
  yaml: string;
  problems: Expected[];
}

const CASES: Case[] = [
  {
    title: 'a YAML syntax error names its line and column',
    yaml: `${AGENT}hosts:\n  hmc-mps-a: address: 10.0.0.1\n`,
    problems: [
      {
        at: '4:14',
        path: '',
        says: ['YAML syntax error', 'Nested mappings are not allowed', 'own indented lines'],
      },
    ],
  },
  {
    title: 'an unclosed quote is reported with what to do, once per error the parser found',
    yaml: 'hosts:\n  hmc-mps-a: { address: "10.0.0.1, roles: [mps] }\n',
    problems: [
      { at: '3:1', path: '', says: ['YAML syntax error', 'Missing closing "quote', 'close the quote'] },
      { at: '3:1', path: '', says: ['YAML syntax error', 'end with a }'] },
    ],
  },
  {
    title: 'tab indentation is refused with the fix',
    yaml: 'hosts:\n\thmc-mps-a: { address: 10.0.0.1, roles: [mps] }\n',
    problems: [{ at: '2:1', path: '', says: ['Tabs are not allowed', 'indent with spaces'] }],
  },
  {
    title: 'the same host name written twice is a syntax error on the second',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n  a: { address: 10.0.0.2, roles: [mps] }\n`,
    problems: [{ at: '5:3', path: '', says: ['Map keys must be unique', 'host names must be unique'] }],
  },
  {
    title: 'a key repeated inside a host is found too, and every repeat is named',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, address: 10.0.0.3, roles: [mps] }\n  b: { address: 10.0.0.2, roles: [mps] }\n  b: { address: 10.0.0.4, roles: [mps] }\n`,
    problems: [
      { at: '4:27', path: '', says: ['Map keys must be unique'] },
      { at: '6:3', path: '', says: ['Map keys must be unique', 'host names must be unique'] },
    ],
  },
  {
    title: 'an empty file says what it should contain',
    yaml: '',
    problems: [{ at: '1:1', path: '', says: ['the file is empty', 'expected a map with at least `hosts:`'] }],
  },
  {
    title: 'a file of only comments counts as empty',
    yaml: '# nothing yet\n',
    problems: [{ at: '1:1', path: '', says: ['the file is empty'] }],
  },
  {
    title: 'a list at the top level is not an inventory',
    yaml: '- hmc-mps-a\n- hmc-mps-b\n',
    problems: [{ at: '1:1', path: '', says: ['expected a map with at least `hosts:`, got a list'] }],
  },
  {
    title: 'hosts written as a list is refused',
    yaml: `${AGENT}hosts: [hmc-mps-a, hmc-mps-b]\n`,
    problems: [
      { at: '3:8', path: 'hosts', says: ['expected a map of host name → host settings, got a list'] },
    ],
  },
  {
    title: 'hosts left empty is refused',
    yaml: `${AGENT}hosts:\n`,
    problems: [
      { at: '3:7', path: 'hosts', says: ['expected a map of host name → host settings, got an empty value'] },
    ],
  },
  {
    title: 'an empty hosts map asks for a host',
    yaml: `${AGENT}hosts: {}\n`,
    problems: [{ at: '3:1', path: 'hosts', says: ['no hosts', 'roles: [ROLE]'] }],
  },
  {
    title: 'an unknown top-level key suggests the right one and lists the allowed keys',
    yaml: `${AGENT}host:\n  a: { address: 10.0.0.1, roles: [mps] }\n`,
    problems: [
      { at: '1:1', path: 'hosts', says: ['missing; expected a map of host name → host settings'] },
      {
        at: '3:1',
        path: 'host',
        says: ['unknown key "host"', 'did you mean "hosts"?', 'Allowed keys: runbook, package'],
      },
    ],
  },
  {
    title: 'an unknown host key points at the key and suggests the right one',
    yaml: `${AGENT}hosts:\n  a:\n    address: 10.0.0.1\n    roles: [mps]\n    hostkey: "SHA256:x"\n`,
    problems: [
      {
        at: '7:5',
        path: 'hosts.a.hostkey',
        says: ['unknown key "hostkey"', 'did you mean "hostKey"?', 'address, port, user'],
      },
    ],
  },
  {
    title: 'a plaintext password in an auth map is refused with the passwordEnv fix',
    yaml: 'hosts:\n  a:\n    address: 10.0.0.1\n    roles: [mps]\n    auth: { password: "Pa55w0rd" }\n',
    problems: [
      {
        at: '5:13',
        path: 'hosts.a.auth.password',
        says: ['must never be written in the inventory', 'environment variable', 'passwordEnv'],
      },
    ],
  },
  {
    title: 'a plaintext password anywhere else is refused too',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps], Password: hunter2 }\n`,
    problems: [{ at: '4:41', path: 'hosts.a.Password', says: ['must never be written', 'passwordEnv'] }],
  },
  {
    title: 'a host without roles is pointed at by its name',
    yaml: `${AGENT}hosts:\n  hmc-mps-a: { address: 10.0.0.1 }\n  b: { address: 10.0.0.2, roles: [mps] }\n`,
    problems: [
      {
        at: '4:3',
        path: 'hosts.hmc-mps-a.roles',
        says: ['missing; expected a list of roles such as [mps]'],
      },
    ],
  },
  {
    title: 'an empty roles list asks for at least one role',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n  b: { address: 10.0.0.2, roles: [] }\n`,
    problems: [{ at: '5:34', path: 'hosts.b.roles', says: ['expected at least one role', 'got a list'] }],
  },
  {
    title: 'an unknown role suggests the closest valid role',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n  b: { address: 10.0.0.2, roles: [prov, webservices] }\n`,
    problems: [
      {
        at: '5:41',
        path: 'hosts.b.roles[1]',
        says: ['unknown role "webservices"', 'did you mean "webServices"?', 'roles are: mps'],
      },
    ],
  },
  {
    title: 'an estate without an mps host is refused',
    yaml: `${AGENT}hosts:\n  web: { address: 10.0.0.1, roles: [webServices] }\n`,
    problems: [
      {
        at: '3:1',
        path: 'hosts',
        says: ['no host has role mps', 'the first mps host runs the Deployment Tool'],
      },
    ],
  },
  {
    title: 'host names that differ only in case are refused, as on Windows',
    yaml: `${AGENT}hosts:\n  MPS01: { address: 10.0.0.1, roles: [mps] }\n  mps01: { address: 10.0.0.2, roles: [mps] }\n`,
    problems: [
      { at: '5:3', path: 'hosts.mps01', says: ['same as "MPS01" ignoring case', 'case-insensitive'] },
    ],
  },
  {
    title: 'a host name with a space is refused at the name',
    yaml: `${AGENT}hosts:\n  "mps 01": { address: 10.0.0.1, roles: [mps] }\n`,
    problems: [
      {
        at: '4:3',
        path: 'hosts["mps 01"]',
        says: ['expected a host name of 1-63 characters', 'got "mps 01"'],
      },
    ],
  },
  {
    title: 'two hosts on one address and port are refused, counting the default port',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n  b: { address: 10.0.0.1, port: 22, roles: [exhub] }\n`,
    problems: [
      {
        at: '5:17',
        path: 'hosts.b.address',
        says: ['hosts a and b both use 10.0.0.1:22', 'own address or port'],
      },
    ],
  },
  {
    title: 'a port that is not a number is refused',
    yaml: `${AGENT}hosts:\n  MPS01:\n    address: 10.0.0.1\n    port: "22x"\n    roles: [mps]\n`,
    problems: [{ at: '6:11', path: 'hosts.MPS01.port', says: ['expected an integer 1-65535, got "22x"'] }],
  },
  {
    title: 'a port out of range is refused',
    yaml: `defaults:\n  port: 70000\n  auth: { agent: true }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n`,
    problems: [{ at: '2:9', path: 'defaults.port', says: ['expected an integer 1-65535, got 70000'] }],
  },
  {
    title: 'an address carrying a shell command is refused, naming the character',
    yaml: `${AGENT}hosts:\n  a: { address: "10.0.0.1; shutdown /s", roles: [mps] }\n`,
    problems: [
      {
        at: '4:17',
        path: 'hosts.a.address',
        says: ['expected an IPv4 address, an IPv6 address or a DNS name', '";" is not allowed'],
      },
    ],
  },
  {
    title: 'an impossible IPv4 address is refused rather than taken for a DNS name',
    yaml: `${AGENT}hosts:\n  a: { address: 10.1.0.300, roles: [mps] }\n`,
    problems: [
      { at: '4:17', path: 'hosts.a.address', says: ['got "10.1.0.300"', 'not a valid IPv4 address'] },
    ],
  },
  {
    title: 'a host key that is not a SHA256 fingerprint is refused with the expected form',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps], hostKey: "SHA256:abc=" }\n`,
    problems: [
      {
        at: '4:50',
        path: 'hosts.a.hostKey',
        says: ['"SHA256:" followed by 43 base64 characters', 'ssh-keygen -lf', 'got "SHA256:abc="'],
      },
    ],
  },
  {
    title: 'a passwordEnv that is not a variable name is refused',
    yaml: 'defaults:\n  auth: { passwordEnv: "HMC-PASSWORD" }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n',
    problems: [
      {
        at: '2:24',
        path: 'defaults.auth.passwordEnv',
        says: ['NAME of an environment variable', 'got "HMC-PASSWORD"'],
      },
    ],
  },
  {
    title: 'an auth with both keyFile and passwordEnv asks for exactly one',
    yaml: 'hosts:\n  a:\n    address: 10.0.0.1\n    roles: [mps]\n    auth: { keyFile: ~/.ssh/id, passwordEnv: HMC_PW }\n',
    problems: [
      {
        at: '5:11',
        path: 'hosts.a.auth',
        says: ['expected exactly one of { agent: true }', 'got keyFile and passwordEnv'],
      },
    ],
  },
  {
    title: 'a host with no auth and no default auth is refused at the host',
    yaml: 'hosts:\n  hmc-mps-a: { address: 10.0.0.1, roles: [mps] }\n',
    problems: [
      { at: '2:3', path: 'hosts.hmc-mps-a', says: ['no auth for this host', '`auth:` under `defaults:`'] },
    ],
  },
  {
    title: 'agent: false is not an auth method',
    yaml: 'defaults:\n  auth: { agent: false }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n',
    problems: [{ at: '2:18', path: 'defaults.auth.agent', says: ['expected true', 'got false'] }],
  },
  {
    title: 'a version YAML reads as a number is refused with the advice to quote it',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\nversions:\n  ur5: 4.5\n  ur6: "4.5.x"\n`,
    problems: [
      {
        at: '6:8',
        path: 'versions.ur5',
        says: ['expected a dotted version string such as "4.5.1600.6"', 'quote it', 'got 4.5'],
      },
      { at: '7:8', path: 'versions.ur6', says: ['got "4.5.x"'] },
    ],
  },
  {
    title: 'lab.missingSp2 must name hosts of the inventory',
    yaml: `${AGENT}hosts:\n  hmc-mps-a: { address: 10.0.0.1, roles: [mps] }\nlab:\n  missingSp2: [hmc-mps-a, hmc-mps-x]\n`,
    problems: [
      {
        at: '6:27',
        path: 'lab.missingSp2[1]',
        says: ['"hmc-mps-x" is not a host in this inventory', 'did you mean "hmc-mps-a"?'],
      },
    ],
  },
  {
    title: 'lab.powershell1 must name hosts of the inventory',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\nlab:\n  powershell1: [nowhere]\n`,
    problems: [{ at: '6:17', path: 'lab.powershell1[0]', says: ['"nowhere" is not a host', 'hosts are: a'] }],
  },
  {
    title: 'a rollout window of 0 is refused',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\nrollout:\n  window: 0\n`,
    problems: [{ at: '6:11', path: 'rollout.window', says: ['expected an integer of at least 1', 'got 0'] }],
  },
  {
    title: 'a negative error budget is refused',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\nrollout: { errorBudget: -1 }\n`,
    problems: [
      { at: '5:25', path: 'rollout.errorBudget', says: ['expected an integer of at least 0', 'got -1'] },
    ],
  },
  {
    title: 'an unknown runbook is refused with the known ones',
    yaml: `runbook: kb979705\n${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n`,
    problems: [
      {
        at: '1:10',
        path: 'runbook',
        says: ['unknown runbook "kb979705"', 'did you mean "kb979704"?', 'Known runbooks: kb979704'],
      },
    ],
  },
  {
    title: 'two local-transport hosts are refused at the second',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps], transport: local }\n  b: { address: 10.0.0.2, roles: [mps], transport: local }\n`,
    problems: [
      {
        at: '5:52',
        path: 'hosts.b.transport',
        says: ['only one host can be `transport: local`', 'a already is'],
      },
    ],
  },
  {
    title: 'an unknown transport is refused',
    yaml: `${AGENT}hosts:\n  a: { address: 10.0.0.1, roles: [mps], transport: winrm }\n`,
    problems: [{ at: '4:52', path: 'hosts.a.transport', says: ['expected "ssh" or "local", got "winrm"'] }],
  },
  {
    title: 'a fact that is not a boolean is refused',
    yaml: `${AGENT}facts:\n  ur5Installed: yes\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n`,
    problems: [{ at: '4:17', path: 'facts.ur5Installed', says: ['expected true or false, got "yes"'] }],
  },
  {
    title: 'several problems in one file are reported together, in file order',
    yaml: [
      'runbook: kb979704',
      'defaults:',
      '  port: 0',
      'hosts:',
      '  MPS01: { address: 10.0.0.1, roles: [mps], auth: { password: x } }',
      '  web01: { address: "a b", roles: [webservice] }',
      'rollout: { window: 0 }',
      'colour: blue',
      '',
    ].join('\n'),
    problems: [
      { at: '3:9', path: 'defaults.port', says: ['expected an integer 1-65535, got 0'] },
      { at: '5:53', path: 'hosts.MPS01.auth.password', says: ['passwordEnv'] },
      { at: '6:3', path: 'hosts.web01', says: ['no auth for this host'] },
      { at: '6:21', path: 'hosts.web01.address', says: ['whitespace is not allowed'] },
      { at: '6:36', path: 'hosts.web01.roles[0]', says: ['did you mean "webServices"?'] },
      { at: '7:20', path: 'rollout.window', says: ['got 0'] },
      { at: '8:1', path: 'colour', says: ['unknown key "colour"', 'allowed keys:'] },
    ],
  },
];

describe('an invalid inventory is refused with every problem located', () => {
  test('the table covers at least 25 kinds of mistake', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  test.each(CASES.map((entry) => [entry.title, entry] as const))('%s', (_title, entry) => {
    const problems = problemsOf(entry.yaml);
    expect(problems).toHaveLength(entry.problems.length);
    entry.problems.forEach((want, index) => {
      const prefix = `${FILE}:${want.at}: ${want.path ? `${want.path}: ` : ''}`;
      const got = problems[index]!;
      expect(got.startsWith(prefix) ? prefix : got).toBe(prefix);
      for (const fragment of want.says) expect(got).toContain(fragment);
    });
  });
});
