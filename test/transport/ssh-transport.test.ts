import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from '../../src/inventory/types.js';
import { readSentinel } from '../../src/remote/header.js';
import type { TransportEvent } from '../../src/transport/events.js';
import { trustExactly } from '../../src/transport/host-keys.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { startTestSshServer, waitFor, type TestSshServer } from './helpers/ssh-test-server.js';

const HEADER = '# deploy-rollup/1 run=r1 step=s1 action=iis.reset phase=apply host=WEB01 target=';
const RUN = { timeoutMs: 20_000, scriptName: 'step.ps1' };

function hostFor(server: TestSshServer): HostSpec {
  return {
    name: 'WEB01',
    address: '127.0.0.1',
    port: server.port,
    user: 'administrator',
    auth: { passwordEnv: 'HMC_PASSWORD' },
    transport: 'ssh',
    roles: ['webServices'],
  };
}

let server: TestSshServer;
let transport: Transport;
let events: TransportEvent[];

beforeEach(async () => {
  server = await startTestSshServer();
  events = [];
  transport = createSshTransport({
    host: hostFor(server),
    password: 'secret',
    hostKeys: trustExactly({ WEB01: server.fingerprint }),
    log: (event) => events.push(event),
  });
});

afterEach(async () => {
  await transport.close();
  await server.close();
});

describe('SSH transport commands', () => {
  test('a script runs and its exit code and sentinel come back', async () => {
    const ok = await transport.run(`${HEADER}\n#test exit=0`, RUN);
    const failed = await transport.run(`${HEADER}\n#test exit=1618\n#test stderr=busy`, RUN);

    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain(`HEADER ${HEADER}`);
    expect(readSentinel(ok.stdout)?.exitCode).toBe(0);
    expect(failed.exitCode).toBe(1618);
    expect(readSentinel(failed.stdout)?.exitCode).toBe(1618);
    expect(failed.stderr).toContain('busy');
    expect([ok.timedOut, ok.cancelled, ok.dropped]).toEqual([false, false, false]);
  });

  test('twenty commands share one connection', async () => {
    for (let i = 0; i < 20; i++) {
      const result = await transport.run(`${HEADER}\n#test exit=${i}`, RUN);
      expect(result.exitCode).toBe(i);
    }
    expect(server.connections).toBe(1);
  });

  test('thirty commands started at once never hold more than ten channels', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        transport.run(`${HEADER}\n#test gate=10`, { ...RUN, scriptName: `s${i}.ps1` }),
      ),
    );
    expect(results.every((result) => result.exitCode === 0)).toBe(true);
    expect(server.maxOpenSessions).toBe(10);
    expect(server.refusedSessions).toBe(0);
    expect(server.connections).toBe(1);
  });

  test('a command past its timeout has its channel closed and reports timedOut', async () => {
    const result = await transport.run(`${HEADER}\n#test hang`, { ...RUN, timeoutMs: 300 });

    expect(result).toMatchObject({ exitCode: undefined, timedOut: true, cancelled: false, dropped: false });
    await waitFor(() => server.events.includes('exec-closed'));
    const next = await transport.run(`${HEADER}\n#test exit=0`, RUN);
    expect(next.exitCode).toBe(0);
    expect(server.connections).toBe(1);
  });

  test('a batch’s deadline starts again at each step marker: four 150 ms steps finish under a 300 ms deadline', async () => {
    const script = `${HEADER}\n#test steps=4,150`;
    const batch = await transport.run(script, { ...RUN, timeoutMs: 300, rearmOn: '__STEP__=' });
    expect(batch).toMatchObject({ exitCode: 0, timedOut: false });
    expect(batch.stdout).toContain('__STEP__=s/h/3');
    // The same output without rearmOn: one deadline for all four.
    const plain = await transport.run(script, { ...RUN, timeoutMs: 300 });
    expect(plain).toMatchObject({ timedOut: true });
  });

  test('aborting the signal closes the channel and reports cancelled', async () => {
    const controller = new AbortController();
    server.onExec(() => controller.abort());
    const result = await transport.run(`${HEADER}\n#test hang`, { ...RUN, signal: controller.signal });

    expect(result).toMatchObject({ exitCode: undefined, timedOut: false, cancelled: true });
    await waitFor(() => server.events.includes('exec-closed'));
  });

  test('an already aborted signal runs nothing', async () => {
    const result = await transport.run(`${HEADER}\n#test exit=0`, { ...RUN, signal: AbortSignal.abort() });
    expect(result.cancelled).toBe(true);
    expect(server.events.filter((event) => event.startsWith('exec '))).toEqual([]);
  });

  test('a connection cut mid-command reports dropped, and the next command reconnects', async () => {
    const dropped = await transport.run(`${HEADER}\n#test drop`, RUN);
    const next = await transport.run(`${HEADER}\n#test exit=0`, RUN);

    expect(dropped).toMatchObject({ exitCode: undefined, dropped: true, timedOut: false });
    expect(dropped.stdout).toContain('partial output');
    expect(next.exitCode).toBe(0);
    expect(server.connections).toBe(2);
    expect(events.some((event) => event.type === 'disconnected' && event.reason === 'dropped')).toBe(true);
  });

  test('a long script goes on one exec channel: the bootstrap as -EncodedCommand, the script on stdin', async () => {
    // ~50 KB with non-ASCII literals, well past the command-line budget.
    const script = `${HEADER}\n#test exit=3\n` + "$s = 'Größe ünïcode — ☃ 漢字'\n".repeat(1600);
    const result = await transport.run(script, { ...RUN, scriptName: 'long-step.ps1' });

    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain(`HEADER ${HEADER}`);
    expect(server.scripts).toEqual([script]);
    const execs = server.events.filter((event) => event.startsWith('exec '));
    expect(execs).toHaveLength(1);
    expect(execs[0]!.length).toBeLessThan(2000);
    expect(server.events).not.toContain('sftp');
    expect(server.files.size).toBe(0);
    expect(events.filter((e) => e.type === 'exec')).toEqual([
      expect.objectContaining({ delivery: 'stdin', scriptName: 'long-step.ps1' }),
    ]);
    expect(events.some((e) => e.type === 'upload')).toBe(false);
  });

  test('a long script that hangs times out and closes its channel, as a short one does', async () => {
    const script = `${HEADER}\n#test hang\n` + '# padding\n'.repeat(500);
    const result = await transport.run(script, { ...RUN, timeoutMs: 300 });

    expect(result).toMatchObject({ exitCode: undefined, timedOut: true, cancelled: false, dropped: false });
    expect(server.events.some((event) => event.startsWith('stdin '))).toBe(true);
    await waitFor(() => server.events.includes('exec-closed'));
    expect((await transport.run(`${HEADER}\n#test exit=0`, RUN)).exitCode).toBe(0);
    expect(server.connections).toBe(1);
  });

  test('a connection cut during a long script reports dropped', async () => {
    const script = `${HEADER}\n#test drop\n` + '# padding\n'.repeat(500);
    const dropped = await transport.run(script, RUN);
    expect(dropped).toMatchObject({ exitCode: undefined, dropped: true, timedOut: false });
    expect(dropped.stdout).toContain('partial output');
  });

  test('huge output keeps only its tail, with the sentinel, and says how much was cut', async () => {
    const result = await transport.run(`${HEADER}\n#test bytes=300000`, RUN);

    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(readSentinel(result.stdout)?.exitCode).toBe(0);
    expect(result.truncatedBytes).toBeGreaterThan(200_000);
    expect(result.stdout.startsWith('x')).toBe(true);
  });

  test('upload puts a local file at a Windows path, creating its folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-upload-'));
    try {
      const local = join(dir, 'HostedEmail2007NS.msi');
      writeFileSync(local, Buffer.alloc(100_000, 7));
      await transport.upload(local, 'C:\\MSIShare\\UR6\\HostedEmail2007NS.msi', { timeoutMs: 20_000 });

      expect(server.events).toContain('mkdir /C:/MSIShare');
      expect(server.events).toContain('mkdir /C:/MSIShare/UR6');
      expect(
        server.files.get('/C:/MSIShare/UR6/HostedEmail2007NS.msi')?.equals(Buffer.alloc(100_000, 7)),
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('uploads in turn share one SFTP session and make a folder once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-upload-'));
    try {
      for (const name of ['a.msi', 'b.msi', 'c.msi']) {
        writeFileSync(join(dir, name), name);
        await transport.upload(join(dir, name), `C:\\MSIShare\\UR6\\${name}`, { timeoutMs: 20_000 });
      }
      expect(server.events.filter((e) => e === 'sftp')).toHaveLength(1);
      expect(server.events.filter((e) => e === 'mkdir /C:/MSIShare/UR6')).toHaveLength(1);
      expect([...server.files.keys()].sort()).toEqual(
        ['a.msi', 'b.msi', 'c.msi'].map((name) => `/C:/MSIShare/UR6/${name}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the SFTP session ends once idle, freeing its channel; the next upload opens another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-upload-'));
    const quick = createSshTransport({
      host: hostFor(server),
      password: 'secret',
      hostKeys: trustExactly({ WEB01: server.fingerprint }),
      sftpIdleMs: 20,
    });
    try {
      writeFileSync(join(dir, 'a.msi'), 'a');
      await quick.upload(join(dir, 'a.msi'), 'C:\\MSIShare\\a.msi', { timeoutMs: 20_000 });
      await waitFor(() => server.openSessions === 0);
      await quick.upload(join(dir, 'a.msi'), 'C:\\MSIShare\\b.msi', { timeoutMs: 20_000 });
      expect(server.events.filter((e) => e === 'sftp')).toHaveLength(2);
      expect(server.files.get('/C:/MSIShare/b.msi')?.toString()).toBe('a');
    } finally {
      await quick.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an upload that times out ends its session; the next one opens a new session and lands', async () => {
    const stalling = await startTestSshServer({ stallWrites: /stuck/ });
    const dir = mkdtempSync(join(tmpdir(), 'dr-upload-'));
    const other = createSshTransport({
      host: hostFor(stalling),
      password: 'secret',
      hostKeys: trustExactly({ WEB01: stalling.fingerprint }),
    });
    try {
      writeFileSync(join(dir, 'a.msi'), 'a');
      await expect(
        other.upload(join(dir, 'a.msi'), 'C:\\MSIShare\\stuck.msi', { timeoutMs: 300 }),
      ).rejects.toMatchObject({ code: 'UPLOAD_TIMEOUT', retryable: true });
      await other.upload(join(dir, 'a.msi'), 'C:\\MSIShare\\fine.msi', { timeoutMs: 20_000 });
      expect(stalling.events.filter((e) => e === 'sftp')).toHaveLength(2);
      expect(stalling.files.get('/C:/MSIShare/fine.msi')?.toString()).toBe('a');
      expect(stalling.files.has('/C:/MSIShare/stuck.msi')).toBe(false);
    } finally {
      await other.close();
      await stalling.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('uploading a missing local file is bad input, not a remote failure', async () => {
    await expect(
      transport.upload('/nonexistent/file.msi', 'C:\\MSIShare\\x.msi', { timeoutMs: 1000 }),
    ).rejects.toMatchObject({
      kind: 'badInput',
      code: 'UPLOAD_SOURCE_MISSING',
    });
  });

  test('an upload whose signal is already aborted is refused as CANCELLED and sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-upload-'));
    try {
      const local = join(dir, 'a.msi');
      writeFileSync(local, 'x');
      const upload = transport.upload(local, 'C:\\MSIShare\\a.msi', {
        timeoutMs: 1000,
        signal: AbortSignal.abort(),
      });
      await expect(upload).rejects.toMatchObject({ code: 'CANCELLED', retryable: false });
      expect(server.files.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('events carry no password', async () => {
    await transport.run(`${HEADER}\n#test exit=0`, RUN);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['connect', 'connected', 'exec', 'execEnd']),
    );
    expect(JSON.stringify(events)).not.toContain('secret');
  });
});
