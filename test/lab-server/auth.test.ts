import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentialLoader } from '../../src/lab/server/auth.js';
import { generateEd25519, makeInventory } from './helpers.js';

describe('lab host credentials', () => {
  let home: string;
  const mine = generateEd25519();
  const theirs = generateEd25519();

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'lab-home-'));
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh', 'id_ed25519.pub'), mine.public);
    await writeFile(join(home, '.ssh', 'id_ed25519'), mine.private, { mode: 0o600 });
    await writeFile(join(home, '.ssh', 'known_hosts'), 'not a key\n');
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('an agent host accepts the public keys in ~/.ssh/*.pub and no others', async () => {
    const [host] = makeInventory(['hmc-mps-a'], { agent: true }).hosts;
    const credentials = await createCredentialLoader({ homeDir: home, env: {} })(host!);
    expect(credentials.method).toBe('publickey');
    if (credentials.method !== 'publickey') return;
    const blobs = credentials.keys.map((k) => k.getPublicSSH().toString('base64'));
    expect(blobs).toEqual([mine.public.split(' ')[1]]);
    expect(blobs).not.toContain(theirs.public.split(' ')[1]);
  });

  test('a keyFile under ~ is read from the home folder', async () => {
    const [host] = makeInventory(['hmc-mps-a'], { keyFile: '~/.ssh/id_ed25519' }).hosts;
    const credentials = await createCredentialLoader({ homeDir: home, env: {} })(host!);
    expect(credentials.method === 'publickey' && credentials.keys.length).toBe(1);
  });

  test('a password host takes its password from the variable the inventory names', async () => {
    const [host] = makeInventory(['hmc-mps-a'], { passwordEnv: 'LAB_PW' }).hosts;
    const credentials = await createCredentialLoader({ env: { LAB_PW: 's3cret' } })(host!);
    expect(credentials).toMatchObject({ method: 'password', user: 'administrator', password: 's3cret' });
  });
});
