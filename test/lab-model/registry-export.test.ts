import { describe, expect, test } from '@jest/globals';
import { createEstate } from '../helpers/lab-estate.js';
import { getFile } from '../../src/lab/model/files.js';
import { parseInventory } from '../../src/cli/inventory.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FILE = join(ROOT, 'inventory', 'lab-q240208.yaml');

describe('registry.export on a simulated host', () => {
  test('writes the key and its subkeys as .reg text once, and keeps the first export', async () => {
    const inventory = parseInventory(readFileSync(FILE, 'utf8'), FILE);
    const estate = createEstate(inventory);
    const host = inventory.hosts[0]!.name;
    const key = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI';
    const params = {
      file: 'E:\\exchsrvr\\Connect\\Msmcon\\registry.before-q240208\\services-msexchangemsmi.reg',
    };
    expect((await run(estate, host, 'registry.export', 'probe', key, params)).dr.state).toBe('pending');
    expect((await run(estate, host, 'registry.export', 'apply', key, params)).exitCode).toBe(0);
    const text = getFile(estate.state.hosts[host]!, params.file)?.content ?? '';
    expect(text).toMatch(
      /^Windows Registry Editor Version 5\.00\r\n\r\n\[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeMSMI\]/,
    );
    expect(text).toMatch(/"ImagePath"="/);
    const again = await run(estate, host, 'registry.export', 'apply', key, params);
    expect(again.stdout).toMatch(/already exists: it is the state before the change, and is kept/);
    const missing = await run(estate, host, 'registry.export', 'apply', 'HKLM\\SOFTWARE\\Nothing', {
      file: 'C:\\x.reg',
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/unable to find the specified registry key/);
  });
});
