import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadInventory, parseInventory } from '../../src/cli/inventory.js';
import { ROLES } from '../../runbooks/kb979704/inventory.js';
import { RUNBOOKS } from '../../runbooks/index.js';
import { DeployError } from '../../src/errors.js';

const INVENTORY_DIR = resolve('inventory');

describe('the shipped inventories', () => {
  test('lab.yaml loads with every role, two mps and two exhub hosts on distinct loopback ports', async () => {
    const inv = await loadInventory('inventory/lab.yaml');
    for (const role of ROLES) expect(inv.roles[role]!.length).toBeGreaterThan(0);
    expect(inv.roles.mps!).toHaveLength(2);
    expect(inv.roles.exhub).toHaveLength(2);
    expect(inv.roles.mps![0]).toBe('hmc-mps-a');
    const web = inv.hosts.find((host) => host.roles.includes('webServices'));
    expect(web?.roles).toEqual(expect.arrayContaining(['webServices', 'prov']));
    const ports = inv.hosts.map((host) => host.port);
    expect(new Set(ports).size).toBe(ports.length);
    for (const host of inv.hosts) {
      expect(host.address).toBe('127.0.0.1');
      expect(host.port).toBeGreaterThanOrEqual(22000);
      expect(host.port).toBeLessThanOrEqual(22999);
      expect(host.auth).toEqual({ passwordEnv: 'DEPLOY_ROLLUP_LAB_PASSWORD' });
    }
    expect(inv.packageDir).toBe(join(INVENTORY_DIR, 'packages', 'ur6-lab'));
    expect(inv.facts).toEqual({});
    expect(inv.lab).toMatchObject({ ur5Installed: false, upgradedFromHmc40: true });
    expect(inv.file).toBe(join(INVENTORY_DIR, 'lab.yaml'));
  });

  test('lab-ur5.yaml is the same estate with UR5 applied, on ports that do not clash with lab.yaml', async () => {
    const lab = await loadInventory('inventory/lab.yaml');
    const ur5 = await loadInventory('inventory/lab-ur5.yaml');
    expect(ur5.roles).toEqual(lab.roles);
    expect(ur5.lab?.ur5Installed).toBe(true);
    const labPorts = new Set(lab.hosts.map((host) => host.port));
    for (const host of ur5.hosts) expect(labPorts.has(host.port)).toBe(false);
  });

  test('prod.example.yaml loads with pinned facts, host keys, key file auth and rollout settings', async () => {
    const inv = await loadInventory('inventory/prod.example.yaml', { env: { HOME: '/home/operator' } });
    expect(inv.roles.mps!.length).toBeGreaterThanOrEqual(2);
    expect(inv.roles.webServices!.length).toBeGreaterThanOrEqual(1);
    expect(inv.roles.exhub!.length).toBeGreaterThanOrEqual(2);
    expect(inv.facts).toEqual({ ur5Installed: false, upgradedFromHmc40: true });
    expect(inv.hosts.filter((host) => host.hostKey).length).toBeGreaterThan(inv.hosts.length / 2);
    expect(inv.hosts[0]?.auth).toEqual({ keyFile: '/home/operator/.ssh/hmc_deploy_ed25519' });
    expect(inv.rollout).toEqual({ window: 2, hubWindow: 1, errorBudget: 0 });
    expect(inv.source).not.toMatch(/^\s*password\s*:/m);
  });
});

describe('normalization', () => {
  const MINIMAL = [
    'defaults:',
    '  auth: { agent: true }',
    'hosts:',
    '  web-1: { address: web1.corp.example, roles: [webServices, webServices] }',
    '  engine-b: { address: 10.0.0.2, roles: [mps] }',
    '  "7": { address: "fe80::1", roles: [mps], user: CORP\\deployer, port: 2222, transport: local }',
    '  engine-a: { address: 10.0.0.1, roles: [mps, prov], auth: { keyFile: keys/id_ed25519 } }',
    'lab: { missingSp2: [ENGINE-B] }',
    '',
  ].join('\n');

  test('fills defaults, keeps inventory order in roles, and keeps the raw source', () => {
    const inv = parseInventory(MINIMAL, '/srv/estate/inv.yaml');
    expect(inv.runbook).toBe('kb979704');
    expect(inv.packageDir).toBe('/srv/estate/packages/ur6');
    expect(inv.rollout).toEqual({ window: 5, hubWindow: 1, errorBudget: 0 });
    expect(inv.hosts.map((host) => host.name)).toEqual(['web-1', 'engine-b', '7', 'engine-a']);
    expect(inv.roles.mps!).toEqual(['engine-b', '7', 'engine-a']);
    expect(Object.keys(inv.roles).sort()).toEqual([...ROLES].sort());
    expect(inv.roles.dns).toEqual([]);
    expect(inv.hosts[0]).toEqual({
      name: 'web-1',
      address: 'web1.corp.example',
      port: 22,
      user: 'administrator',
      auth: { agent: true },
      transport: 'ssh',
      roles: ['webServices'],
    });
    expect(inv.hosts[2]).toMatchObject({ user: 'CORP\\deployer', port: 2222, transport: 'local' });
    expect(inv.hosts[3]?.auth).toEqual({ keyFile: '/srv/estate/keys/id_ed25519' });
    expect(inv.source).toBe(MINIMAL);
    expect(inv.versions).toBeUndefined();
  });

  test('lab host lists match host names ignoring case and use the inventory spelling', () => {
    const inv = parseInventory(MINIMAL, '/srv/estate/inv.yaml');
    expect(inv.lab).toEqual({
      ur5Installed: false,
      upgradedFromHmc40: false,
      notDomainAdmin: false,
      noDeploymentTool: false,
      missingSp2: ['engine-b'],
    });
  });

  test('empty optional sections count as absent', () => {
    const inv = parseInventory(`facts:\nrollout:\n${MINIMAL}`, '/srv/estate/inv.yaml');
    expect(inv.facts).toEqual({});
    expect(inv.rollout.window).toBe(5);
  });

  test('a runbook given in the options is accepted and judged by its own profile', () => {
    const profile = { ...RUNBOOKS.kb979704!.inventory, roles: [{ id: 'mps', description: 'x' }] };
    const runbooks = { ...RUNBOOKS, kb999999: { inventory: profile } };
    const only = 'defaults: { auth: { agent: true } }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n';
    const inv = parseInventory(`runbook: kb999999\n${only}`, '/srv/inv.yaml', { runbooks });
    expect(inv.runbook).toBe('kb999999');
    expect(Object.keys(inv.roles)).toEqual(['mps']);
    expect(() => parseInventory(`runbook: kb999999\n${MINIMAL}`, '/srv/inv.yaml', { runbooks })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringContaining('unknown role "webServices" for runbook kb999999'),
        ]),
      }),
    );
  });

  test('~ in package and keyFile expands to the home directory from the given env', () => {
    const yaml =
      'package: ~/rollups/ur6\ndefaults: { auth: { keyFile: ~/.ssh/id } }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n';
    const inv = parseInventory(yaml, '/srv/inv.yaml', { env: { HOME: '/home/op' } });
    expect(inv.packageDir).toBe('/home/op/rollups/ur6');
    expect(inv.hosts[0]?.auth).toEqual({ keyFile: '/home/op/.ssh/id' });
  });
});

describe('reading the file', () => {
  test('a missing file is a bad-input error naming the path', async () => {
    const error = await loadInventory('inventory/no-such.yaml').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeployError);
    expect(error).toMatchObject({ kind: 'badInput', code: 'INVENTORY_NOT_FOUND' });
    expect((error as DeployError).message).toBe('inventory inventory/no-such.yaml was not found');
    expect((error as DeployError).exitCode).toBe(2);
  });

  test('a folder given as the inventory is refused as unreadable', async () => {
    const error = await loadInventory('inventory').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'badInput', code: 'INVENTORY_UNREADABLE' });
    expect((error as DeployError).message).toContain('is a folder');
  });

  test('relative paths resolve against the inventory file, not the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inv-'));
    try {
      const file = join(dir, 'estate.yaml');
      await writeFile(
        file,
        'package: ../pkg\ndefaults: { auth: { agent: true } }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n',
      );
      const inv = await loadInventory(file);
      expect(inv.packageDir).toBe(resolve(dir, '..', 'pkg'));
      expect(inv.file).toBe(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a recorded inventory is reused only for the same path and text, and never when the text has a ~', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inv-'));
    try {
      const file = join(dir, 'estate.yaml');
      const text =
        'package: ./pkg\ndefaults: { auth: { agent: true } }\nhosts:\n  a: { address: 10.0.0.1, roles: [mps] }\n';
      await writeFile(file, text);
      const parsed = await loadInventory(file);
      // A marker the parse would never produce tells a reuse from a parse.
      const recorded = { ...parsed, rollout: { ...parsed.rollout, window: 77 } };
      expect((await loadInventory(file, { recorded })).rollout.window).toBe(77);
      expect((await loadInventory(join(dir, '.', 'estate.yaml'), { recorded })).rollout.window).toBe(77);
      await writeFile(file, `${text}# one comment more\n`);
      expect((await loadInventory(file, { recorded })).rollout.window).toBe(parsed.rollout.window);
      const moved = join(dir, 'other.yaml');
      await writeFile(moved, text);
      expect((await loadInventory(moved, { recorded })).rollout.window).toBe(parsed.rollout.window);
      const tilde = text.replace('./pkg', '~/pkg');
      await writeFile(file, tilde);
      const withHome = { ...recorded, source: tilde };
      expect((await loadInventory(file, { recorded: withHome })).rollout.window).toBe(parsed.rollout.window);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
