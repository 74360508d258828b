import { describe, expect, test } from '@jest/globals';
import { parseInventory } from '../../src/cli/inventory.js';
import { diffInventories, inventoryFingerprint } from '../../src/inventory/fingerprint.js';
import type { Inventory } from '../../src/inventory/types.js';

const BASE = `# production estate
defaults:
  auth: { agent: true }
facts:
  ur5Installed: false
hosts:
  mps-a: { address: 10.0.0.1, roles: [mps] }
  mps-b: { address: 10.0.0.2, roles: [mps] }
  hub-1: { address: 10.0.0.3, roles: [exhub] }
`;

const load = (yaml: string): Inventory => parseInventory(yaml, '/srv/estate/prod.yaml');

function compare(changedYaml: string) {
  const before = load(BASE);
  const after = load(changedYaml);
  return {
    sameFingerprint: inventoryFingerprint(before) === inventoryFingerprint(after),
    ...diffInventories(before, after),
  };
}

describe('inventory fingerprint and diff', () => {
  test('the fingerprint is a sha256 hex digest and stable for the same text', () => {
    const fingerprint = inventoryFingerprint(load(BASE));
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(inventoryFingerprint(load(BASE))).toBe(fingerprint);
  });

  test('a comment or formatting change keeps the fingerprint and is reported as harmless', () => {
    const reformatted = BASE.replace('# production estate', '# production estate, reviewed').replace(
      '  hub-1: { address: 10.0.0.3, roles: [exhub] }',
      '  hub-1:\n    roles: [exhub]   # the only hub\n    address: 10.0.0.3',
    );
    const result = compare(reformatted);
    expect(result.sameFingerprint).toBe(true);
    expect(result.meaningful).toEqual([]);
    expect(result.harmless).toEqual(['comments or formatting changed (same fingerprint)']);
  });

  test('a port change is harmless and keeps the fingerprint', () => {
    const result = compare(BASE.replace('address: 10.0.0.3,', 'address: 10.0.0.3, port: 2222,'));
    expect(result.sameFingerprint).toBe(true);
    expect(result.meaningful).toEqual([]);
    expect(result.harmless).toEqual(['host hub-1 port changed: 22 → 2222']);
  });

  test('user, auth and host key changes are harmless', () => {
    const result = compare(
      BASE.replace(
        'address: 10.0.0.1,',
        'address: 10.0.0.1, user: svc, auth: { passwordEnv: PW }, hostKey: "SHA256:wDZbWjhnzDgvaFT9xPbxDHhXJ1yLHlJb64w5n4CUm+U",',
      ),
    );
    expect(result.sameFingerprint).toBe(true);
    expect(result.meaningful).toEqual([]);
    expect(result.harmless).toEqual([
      'host mps-a user changed: administrator → svc',
      'host mps-a auth changed: ssh-agent → passwordEnv PW',
      'host mps-a hostKey changed: unset → SHA256:wDZbWjhnzDgvaFT9xPbxDHhXJ1yLHlJb64w5n4CUm+U',
    ]);
  });

  test('powershell: persistent, in defaults or on a host, is harmless and keeps the fingerprint', () => {
    const result = compare(
      BASE.replace('  auth: { agent: true }', '  auth: { agent: true }\n  powershell: persistent'),
    );
    expect(result.sameFingerprint).toBe(true);
    expect(result.meaningful).toEqual([]);
    expect(result.harmless).toEqual(
      ['mps-a', 'mps-b', 'hub-1'].map((h) => `host ${h} powershell changed: per-step → persistent`),
    );
    expect(
      load(BASE.replace('roles: [exhub] }', 'roles: [exhub], powershell: persistent }')).hosts.map(
        (h) => h.powershell,
      ),
    ).toEqual([undefined, undefined, 'persistent']);
  });

  test('a role change is meaningful and changes the fingerprint', () => {
    const result = compare(
      BASE.replace('address: 10.0.0.2, roles: [mps]', 'address: 10.0.0.2, roles: [mps, webServices]'),
    );
    expect(result.sameFingerprint).toBe(false);
    expect(result.meaningful).toEqual(['host mps-b roles changed: mps → mps, webServices']);
  });

  test('hosts added and removed are meaningful', () => {
    const result = compare(BASE.replace('hub-1: { address: 10.0.0.3', 'hub-2: { address: 10.0.0.4'));
    expect(result.sameFingerprint).toBe(false);
    expect(result.meaningful).toEqual([
      'host hub-1 removed (it had roles exhub)',
      'host hub-2 added with roles exhub',
    ]);
  });

  test('swapping which mps host comes first is meaningful', () => {
    const swapped = BASE.replace(
      '  mps-a: { address: 10.0.0.1, roles: [mps] }\n  mps-b: { address: 10.0.0.2, roles: [mps] }',
      '  mps-b: { address: 10.0.0.2, roles: [mps] }\n  mps-a: { address: 10.0.0.1, roles: [mps] }',
    );
    const result = compare(swapped);
    expect(result.sameFingerprint).toBe(false);
    expect(result.meaningful).toEqual([
      'order of mps hosts changed: mps-a, mps-b → mps-b, mps-a (steps on the first host of a role may differ)',
    ]);
  });

  test('fact, address, version and runbook-level changes are meaningful, each naming old → new', () => {
    const changed = BASE.replace('ur5Installed: false', 'ur5Installed: true')
      .replace('10.0.0.3', '10.0.0.33')
      .concat('versions: { ur6: "4.5.1600.7" }\n');
    const result = compare(changed);
    expect(result.sameFingerprint).toBe(false);
    expect(result.meaningful).toEqual([
      'fact ur5Installed changed: false → true',
      'version marker ur6 changed: unset → 4.5.1600.7',
      'host hub-1 address changed: 10.0.0.3 → 10.0.0.33',
    ]);
  });

  test('rollout tuning is harmless', () => {
    const result = compare(`${BASE}rollout: { window: 2 }\n`);
    expect(result.sameFingerprint).toBe(true);
    expect(result.harmless).toEqual(['rollout window changed: 5 → 2']);
  });
});
