/**
 * Every wait is bounded and so is every fan-out: a host that accepts TCP but never speaks SSH
 * fails within the connect timeout (transport and CLI), and a rollout window of 1 never works on
 * two hosts of a role at once. Bounded command output (a 64 KiB tail) is proven by
 * test/transport/ssh-transport.test.ts ("huge output keeps only its tail ...").
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { HostSpec } from '../../src/inventory/types.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import { DEFAULT_TAIL_BYTES } from '../../src/transport/tail-buffer.js';
import type { LabEvent } from '../../src/lab/model/state.js';
import {
  labInventory,
  PASSWORD_VAR,
  readLabState,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
} from './helpers.js';

const ENV = { [PASSWORD_VAR]: 'limits-Pa55' };

/** A TCP server that accepts and then says nothing, like a hung sshd or a tarpit. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, sockets };
}

describe('a host that accepts TCP but never speaks SSH', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let dir: string;

  beforeAll(async () => {
    silent = await silentServer();
    dir = tempDir('limits');
  });
  afterAll(async () => {
    for (const socket of silent.sockets) socket.destroy();
    await new Promise<void>((done) => silent.server.close(() => done()));
    removeDir(dir);
  });

  test('fails the transport connect within its timeout, as a retryable SSH_CONNECT error', async () => {
    const host: HostSpec = {
      name: 'tarpit',
      address: '127.0.0.1',
      port: silent.port,
      user: 'administrator',
      auth: { passwordEnv: 'X' },
      transport: 'ssh',
      roles: ['mps'],
    };
    const transport = createSshTransport({
      host,
      password: 'x',
      hostKeys: { verify: () => ({ ok: true }) },
      connectTimeoutMs: 800,
    });
    try {
      await expect(transport.connect()).rejects.toMatchObject({
        code: 'SSH_CONNECT',
        retryable: true,
        message: expect.stringMatching(/handshake/i),
      });
    } finally {
      await transport.close();
    }
  });

  test('blocks the CLI preflight (exit 3) after the connect timeout instead of hanging', async () => {
    const inventory = join(dir, 'tarpit.yaml');
    writeFileSync(
      inventory,
      [
        'package: ./nowhere',
        'defaults:',
        `  auth: { passwordEnv: ${PASSWORD_VAR} }`,
        'hosts:',
        `  tarpit-mps: { address: 127.0.0.1, port: ${silent.port}, roles: [mps] }`,
        '',
      ].join('\n'),
    );
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
    const line = result.stderr.split('\n').find((l) => l.startsWith('  - tarpit-mps '));
    expect(line).toMatch(/timed out while waiting for handshake.*\[SSH_CONNECT\]/i);
    expect(result.code).toBe(3);
  }, 60_000);
});

describe('bounded fan-out and output', () => {
  let dir: string;
  let events: LabEvent[];
  let code: number;

  beforeAll(async () => {
    dir = tempDir('window');
    const inventory = labInventory(dir, await sharedPackage(dir), {
      edit: (yaml) => yaml.replace(/window: 5 /, 'window: 1 '),
    });
    const stateDir = join(dir, 'state');
    code = (
      await runCli(
        ['--inventory', inventory, '--lab', '--yes', '--state-dir', stateDir, '--retry-delay', '10'],
        { cwd: dir, env: ENV },
      )
    ).code;
    events = readLabState(stateDir).events;
  });
  afterAll(() => removeDir(dir));

  test('a rollout window of 1 never has commands in flight on both MPS servers within a stage', () => {
    expect(code).toBe(0);
    const byStage = new Map<string, LabEvent[]>();
    for (const event of events.filter((e) => e.host === 'hmc-mps-a' || e.host === 'hmc-mps-b')) {
      const stage = event.step.split('/')[0] ?? '';
      byStage.set(stage, [...(byStage.get(stage) ?? []), event]);
    }
    const shared = [...byStage.entries()].filter(([, list]) => new Set(list.map((e) => e.host)).size === 2);
    expect(shared.map(([stage]) => stage)).toEqual(expect.arrayContaining(['stopEngines', 'startEngines']));
    const overlaps = shared.flatMap(([stage, list]) =>
      list.flatMap((a) =>
        list
          .filter((b) => a.host < b.host && a.start < b.end && b.start < a.end)
          .map((b) => `${stage}: ${a.host} ${a.action} / ${b.host} ${b.action}`),
      ),
    );
    expect(overlaps).toEqual([]);
  });

  test('command output is kept as a bounded tail of 64 KiB per stream', () => {
    expect(DEFAULT_TAIL_BYTES).toBe(64 * 1024);
  });
});
