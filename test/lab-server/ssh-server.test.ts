import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFor } from '../../src/lab/model/command.js';
import { createEstate } from '../helpers/lab-estate.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import { MAX_SESSIONS } from '../../src/lab/server/session-handler.js';
import { startLabServer, type LabServer } from '../../src/lab/server/ssh-server.js';
import { formatHeader } from '../../src/remote/header.js';
import { trustExactly } from '../../src/transport/host-keys.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import { describeFrontContract, header } from './front-contract.js';
import { connectClient, FakeEstate, generateEd25519, makeInventory } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const HOSTS = ['hmc-mps-a', 'hmc-web-b'];

describeFrontContract('the in-process ssh2 front', async () => {
  const inventory = makeInventory(HOSTS, { passwordEnv: 'LAB_TEST_PASSWORD' });
  const estate = createEstate(inventory);
  const lab = await startLabServer(estate, inventory, { bind: 'ephemeral', password: PASSWORD });
  const port = (host: string): number => lab.endpoints[host]!.port;
  return {
    mps: 'hmc-mps-a',
    web: 'hmc-web-b',
    connect: (host, seen) =>
      connectClient({ port: port(host), password: PASSWORD, ...(seen ? { seen } : {}) }),
    connectWrongly: (host) => connectClient({ port: port(host), password: 'not it' }),
    hostSpec: (host) => ({
      spec: { ...inventory.hosts.find((h) => h.name === host)!, address: '127.0.0.1', port: port(host) },
      password: PASSWORD,
    }),
    expectedFingerprint: (host) => estate.hostKey(host).fingerprint,
    state: async () => estate.state,
    close: () => lab.close(),
  };
});

describe('lab SSH server with password hosts', () => {
  const inventory = makeInventory(HOSTS, { passwordEnv: 'LAB_TEST_PASSWORD' });
  const faults = parseFaults(
    '- { kind: fail, host: hmc-web-b, action: msi.install, phase: apply, times: 1, exitCode: 3010 }\n',
    'faults.yaml',
  );
  const estate = createEstate(inventory, { faults });
  const logged: string[] = [];
  let lab: LabServer;

  beforeAll(async () => {
    lab = await startLabServer(estate, inventory, {
      bind: 'ephemeral',
      password: PASSWORD,
      log: (l) => logged.push(l),
    });
  });
  afterAll(async () => {
    await lab.close();
  });
  const portOf = (host: string): number => lab.endpoints[host]!.port;

  test('the endpoints list each host with the fingerprint of its estate host key', () => {
    expect(Object.keys(lab.endpoints)).toEqual(HOSTS);
    for (const host of HOSTS) expect(lab.endpoints[host]!.fingerprint).toBe(estate.hostKey(host).fingerprint);
  });

  test('an exit code Windows uses above 255 reaches the client unchanged', async () => {
    const ssh = await connectClient({ port: portOf('hmc-web-b'), password: PASSWORD });
    try {
      const result = await ssh.execCommand(
        commandFor(header('hmc-web-b', 'msi.install', 'Foo.msi', 'apply')),
      );
      expect(result.code).toBe(3010);
    } finally {
      ssh.dispose();
    }
  });

  test('a wrong password is refused and logged without the password', async () => {
    logged.length = 0;
    await expect(connectClient({ port: portOf('hmc-web-b'), password: 'guess-me' })).rejects.toThrow(
      /authentication methods failed/,
    );
    expect(logged.join('\n')).toMatch(/hmc-web-b: authentication failed for "administrator": wrong password/);
    expect(logged.join('\n')).not.toContain('guess-me');
  });

  test('the right password for a user other than the inventory user is refused', async () => {
    logged.length = 0;
    await expect(
      connectClient({ port: portOf('hmc-web-b'), username: 'root', password: PASSWORD }),
    ).rejects.toThrow(/authentication methods failed/);
    expect(logged.join('\n')).toMatch(/"root": user "root" is not the inventory user/);
  });

  test('a key is refused on a host the inventory gives a password', async () => {
    const key = generateEd25519();
    await expect(connectClient({ port: portOf('hmc-mps-a'), privateKey: key.private })).rejects.toThrow(
      /authentication methods failed/,
    );
  });
});

describe('lab SSH server with key hosts', () => {
  const inventoryFor = (keyFile: string) => makeInventory(['hmc-prov-1'], { keyFile });
  const pair = generateEd25519();
  const stranger = generateEd25519();
  let dir: string;
  let lab: LabServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-key-'));
    await writeFile(join(dir, 'id_ed25519'), pair.private, { mode: 0o600 });
    await writeFile(join(dir, 'id_ed25519.pub'), pair.public);
    const inventory = inventoryFor(join(dir, 'id_ed25519'));
    lab = await startLabServer(createEstate(inventory), inventory, { bind: 'ephemeral' });
  });
  afterAll(async () => {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the key named by keyFile logs in and runs a command', async () => {
    const ssh = await connectClient({ port: lab.endpoints['hmc-prov-1']!.port, privateKey: pair.private });
    try {
      const result = await ssh.execCommand(commandFor(header('hmc-prov-1', 'iis.reset', '', 'probe')));
      expect(result.code).toBe(0);
    } finally {
      ssh.dispose();
    }
  });

  test('another key and a password are both refused', async () => {
    const port = lab.endpoints['hmc-prov-1']!.port;
    await expect(connectClient({ port, privateKey: stranger.private })).rejects.toThrow(
      /authentication methods failed/,
    );
    await expect(connectClient({ port, password: PASSWORD })).rejects.toThrow(
      /authentication methods failed/,
    );
  });

  test('a key file without its .pub is read for its public half', async () => {
    const bare = join(dir, 'bare_key');
    await writeFile(bare, pair.private, { mode: 0o600 });
    const inventory = inventoryFor(bare);
    const other = await startLabServer(createEstate(inventory), inventory, { bind: 'ephemeral' });
    try {
      const ssh = await connectClient({
        port: other.endpoints['hmc-prov-1']!.port,
        privateKey: pair.private,
      });
      ssh.dispose();
    } finally {
      await other.close();
    }
  });
});

describe('OpenSSH MaxSessions on the lab SSH server', () => {
  const estate = new FakeEstate(['hmc-mps-a']);
  const inventory = makeInventory(estate.hostNames(), { passwordEnv: 'LAB_TEST_PASSWORD' });
  let lab: LabServer;
  beforeAll(async () => {
    lab = await startLabServer(estate, inventory, { bind: 'ephemeral', password: PASSWORD });
  });
  afterAll(async () => {
    await lab.close();
  });

  test(`${MAX_SESSIONS} concurrent channels on one connection succeed and the next one fails`, async () => {
    const releases: (() => void)[] = [];
    estate.behaviour = () =>
      new Promise((resolve) =>
        releases.push(() => resolve({ kind: 'exit', stdout: '__RC__=0\n', stderr: '', exitCode: 0 })),
      );
    const ssh = await connectClient({ port: lab.endpoints['hmc-mps-a']!.port, password: PASSWORD });
    ssh.connection?.setMaxListeners(2 * MAX_SESSIONS); // node-ssh adds a listener per concurrent exec
    try {
      const command = commandFor(header('hmc-mps-a', 'iis.reset', '', 'probe'));
      const first = Array.from({ length: MAX_SESSIONS }, () => ssh.execCommand(command));
      for (let i = 0; i < 400 && releases.length < MAX_SESSIONS; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(releases).toHaveLength(MAX_SESSIONS);
      await expect(ssh.execCommand(command)).rejects.toThrow(/Channel open failure/);
      for (const release of releases) release();
      const results = await Promise.all(first);
      expect(results.map((r) => r.code)).toEqual(Array(MAX_SESSIONS).fill(0));
      // Closed channels free their slots.
      estate.behaviour = undefined;
      expect((await ssh.execCommand(command)).code).toBe(0);
    } finally {
      estate.behaviour = undefined;
      ssh.dispose();
    }
  });
});

describe('standard input on the lab SSH server', () => {
  const estate = new FakeEstate(['hmc-mps-a']);
  const inventory = makeInventory(estate.hostNames(), { passwordEnv: 'LAB_TEST_PASSWORD' });
  let lab: LabServer;
  beforeAll(async () => {
    lab = await startLabServer(estate, inventory, { bind: 'ephemeral', password: PASSWORD });
  });
  afterAll(async () => {
    await lab.close();
  });

  test('a 50 KB script with non-ASCII literals reaches the model byte for byte through the product transport', async () => {
    const script =
      formatHeader({
        run: 'r1',
        step: 's1',
        action: 'msi.install',
        phase: 'run',
        host: 'hmc-mps-a',
        target: 'x.msi',
        params: {},
      }) +
      '\n' +
      "$s = 'Größe ünïcode — ☃ 漢字 \u{1F600}'\r\n".repeat(1400);
    expect(Buffer.byteLength(script)).toBeGreaterThan(50_000);
    const transport = createSshTransport({
      host: { ...inventory.hosts[0]!, address: '127.0.0.1', port: lab.endpoints['hmc-mps-a']!.port },
      password: PASSWORD,
      hostKeys: trustExactly({ 'hmc-mps-a': estate.hostKey('hmc-mps-a').fingerprint }),
    });
    try {
      const result = await transport.run(script, { timeoutMs: 20_000, scriptName: 'big.ps1' });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('DR:action=msi.install');
    } finally {
      await transport.close();
    }
    expect(estate.scripts).toEqual([script]);
    expect(estate.files.size).toBe(0);
  });
});
