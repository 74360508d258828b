import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { startLabServer, type LabServer } from '../../src/lab/server/ssh-server.js';
import { MAX_SESSIONS } from '../../src/lab/server/session-handler.js';
import { connectClient, encodedCommand, FakeEstate, headerScript, makeInventory, within } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

describe('lab SSH server with password hosts', () => {
  const estate = new FakeEstate(['hmc-mps-a', 'hmc-web-b']);
  const inventory = makeInventory(estate.hostNames(), { passwordEnv: 'LAB_TEST_PASSWORD' });
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

  test('an exec of a header-built command is answered by the model with its exit code', async () => {
    const ssh = await connectClient({ port: portOf('hmc-mps-a'), password: PASSWORD });
    try {
      const result = await ssh.execCommand(
        encodedCommand(headerScript('hmc-mps-a', 'complus.disable', 'Provisioning Engine')),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('DR:action=complus.disable');
      expect(result.stdout).toContain('__RC__=0');
    } finally {
      ssh.dispose();
    }
  });

  test('an exit code Windows uses above 255 reaches the client unchanged', async () => {
    estate.behaviour = () =>
      Promise.resolve({ kind: 'exit', stdout: '__RC__=3010\n', stderr: 'reboot\n', exitCode: 3010 });
    const ssh = await connectClient({ port: portOf('hmc-mps-a'), password: PASSWORD });
    try {
      const result = await ssh.execCommand(
        encodedCommand(headerScript('hmc-mps-a', 'msi.install', 'x.msi', 'apply')),
      );
      expect(result.code).toBe(3010);
      expect(result.stderr).toBe('reboot');
    } finally {
      estate.behaviour = undefined;
      ssh.dispose();
    }
  });

  test('each host presents the host key fingerprint the estate holds for it', async () => {
    for (const host of estate.hostNames()) {
      const seen: string[] = [];
      const ssh = await connectClient({ port: portOf(host), password: PASSWORD, seen });
      ssh.dispose();
      expect(seen).toEqual([estate.hostKey(host).fingerprint]);
      expect(lab.endpoints[host]!.fingerprint).toBe(estate.hostKey(host).fingerprint);
    }
  });

  test('a wrong password is refused and logged without the password', async () => {
    logged.length = 0;
    await expect(connectClient({ port: portOf('hmc-web-b'), password: 'guess' })).rejects.toThrow(
      /authentication methods failed/,
    );
    expect(logged.join('\n')).toMatch(/hmc-web-b: authentication failed for "administrator": wrong password/);
    expect(logged.join('\n')).not.toContain('guess');
  });

  test('the right password for a user other than the inventory user is refused', async () => {
    await expect(
      connectClient({ port: portOf('hmc-web-b'), username: 'root', password: PASSWORD }),
    ).rejects.toThrow(/authentication methods failed/);
  });

  test(`${MAX_SESSIONS} concurrent channels on one connection succeed and the next one fails`, async () => {
    const releases: (() => void)[] = [];
    estate.behaviour = () =>
      new Promise((resolve) =>
        releases.push(() => resolve({ kind: 'exit', stdout: '__RC__=0\n', stderr: '', exitCode: 0 })),
      );
    const ssh = await connectClient({ port: portOf('hmc-mps-a'), password: PASSWORD });
    try {
      const command = encodedCommand(headerScript('hmc-mps-a', 'iis.reset', ''));
      const first = Array.from({ length: MAX_SESSIONS }, () => ssh.execCommand(command));
      for (let i = 0; i < 200 && releases.length < MAX_SESSIONS; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(releases).toHaveLength(MAX_SESSIONS);
      await expect(ssh.execCommand(command)).rejects.toThrow(/Channel open failure/);
      for (const release of releases) release();
      const results = await Promise.all(first);
      expect(results.map((r) => r.code)).toEqual(Array(MAX_SESSIONS).fill(0));
    } finally {
      estate.behaviour = undefined;
      ssh.dispose();
    }
  });

  test('an SFTP upload lands in the host model and a -File script uploaded that way runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-sftp-'));
    const ssh = await connectClient({ port: portOf('hmc-web-b'), password: PASSWORD });
    try {
      const msi = join(dir, 'HostedEmail2007NS.msi');
      await writeFile(msi, Buffer.alloc(300_000, 7));
      await ssh.putFile(msi, '/C:/MSIShare/HostedEmail2007NS.msi');
      expect(estate.statFile('hmc-web-b', 'C:\\MSIShare\\HostedEmail2007NS.msi')).toEqual({ size: 300_000 });

      const script = join(dir, 'step.ps1');
      await writeFile(script, '\uFEFF' + headerScript('hmc-web-b', 'iis.reset', '', 'apply'));
      await ssh.putFile(script, '/C:/Windows/Temp/deploy-rollup/step.ps1');
      const result = await ssh.execCommand(
        'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\Windows\\Temp\\deploy-rollup\\step.ps1"',
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('DR:action=iis.reset');
    } finally {
      ssh.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a file in the model can be read back over SFTP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-sftp-'));
    estate.writeFile('hmc-mps-a', 'C:\\Config\\MpsConfig.xml', Buffer.from('<MpsConfig/>'));
    const ssh = await connectClient({ port: portOf('hmc-mps-a'), password: PASSWORD });
    try {
      await ssh.getFile(join(dir, 'out.xml'), '/C:/Config/MpsConfig.xml');
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(join(dir, 'out.xml'), 'utf8')).toBe('<MpsConfig/>');
    } finally {
      ssh.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lab SSH server with key hosts', () => {
  const estate = new FakeEstate(['hmc-prov-1']);
  let dir: string;
  let lab: LabServer;
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  const stranger = ssh2.utils.generateKeyPairSync('ed25519');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-key-'));
    await writeFile(join(dir, 'id_ed25519'), pair.private, { mode: 0o600 });
    await writeFile(join(dir, 'id_ed25519.pub'), pair.public);
    const inventory = makeInventory(estate.hostNames(), { keyFile: join(dir, 'id_ed25519') });
    lab = await startLabServer(estate, inventory, { bind: 'ephemeral' });
  });
  afterAll(async () => {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the key named by keyFile logs in and runs a command', async () => {
    const ssh = await connectClient({ port: lab.endpoints['hmc-prov-1']!.port, privateKey: pair.private });
    try {
      const result = await ssh.execCommand(
        encodedCommand(headerScript('hmc-prov-1', 'service.restart', 'W3SVC')),
      );
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
});

describe('lab SSH server connection faults', () => {
  const estate = new FakeEstate(['hmc-hub-1']);
  const inventory = makeInventory(estate.hostNames(), { passwordEnv: 'LAB_TEST_PASSWORD' });
  let lab: LabServer;

  beforeAll(async () => {
    lab = await startLabServer(estate, inventory, { bind: 'ephemeral', password: PASSWORD });
  });
  afterAll(async () => {
    await lab.close();
  });
  const port = (): number => lab.endpoints['hmc-hub-1']!.port;

  test.each(['refuse', 'down'] as const)(
    'a %s fault cuts the connection before the SSH handshake',
    async (fault) => {
      estate.faults.set('hmc-hub-1', fault);
      try {
        await expect(connectClient({ port: port(), password: PASSWORD, readyTimeout: 5000 })).rejects.toThrow(
          /ECONNRESET|Connection lost before handshake/,
        );
      } finally {
        estate.faults.delete('hmc-hub-1');
      }
    },
  );

  test('a drop outcome delivers the output so far and then closes without an exit status', async () => {
    estate.behaviour = () => Promise.resolve({ kind: 'drop', stdout: 'DR:started=1\n' });
    const ssh = await connectClient({ port: port(), password: PASSWORD });
    try {
      const result = await within(
        ssh.execCommand(
          encodedCommand(headerScript('hmc-hub-1', 'service.restart', 'MSExchangeTransport', 'apply')),
        ),
        10_000,
        'timeout' as const,
      );
      expect(result).not.toBe('timeout');
      if (result === 'timeout') return;
      expect(result.code).toBeNull();
      expect(result.stdout).toBe('DR:started=1');
    } finally {
      estate.behaviour = undefined;
      ssh.dispose();
    }
  });

  test('a drop with no output before it closes the connection with nothing said', async () => {
    estate.behaviour = () => Promise.resolve({ kind: 'drop', stdout: '' });
    const ssh = await connectClient({ port: port(), password: PASSWORD });
    try {
      const result = await within(
        ssh.execCommand(encodedCommand(headerScript('hmc-hub-1', 'iis.reset', '', 'apply'))),
        10_000,
        'timeout' as const,
      );
      expect(result).not.toBe('timeout');
      if (result === 'timeout') return;
      expect(result.code).toBeNull();
      expect(result.stdout).toBe('');
    } finally {
      estate.behaviour = undefined;
      ssh.dispose();
    }
  });

  test('a hang outcome never answers, and the host serves the next connection after the client gives up', async () => {
    estate.behaviour = (_host, action) =>
      action === 'iis.reset' ? Promise.resolve({ kind: 'hang' }) : undefined;
    const ssh = await connectClient({ port: port(), password: PASSWORD });
    const result = await within(
      ssh.execCommand(encodedCommand(headerScript('hmc-hub-1', 'iis.reset', '', 'apply'))),
      1500,
      'no answer' as const,
    );
    ssh.dispose();
    expect(result).toBe('no answer');
    const next = await connectClient({ port: port(), password: PASSWORD });
    try {
      const answered = await next.execCommand(
        encodedCommand(headerScript('hmc-hub-1', 'service.restart', 'X')),
      );
      expect(answered.code).toBe(0);
    } finally {
      estate.behaviour = undefined;
      next.dispose();
    }
  });
});
