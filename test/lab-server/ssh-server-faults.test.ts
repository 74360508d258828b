import { afterEach, describe, expect, test } from '@jest/globals';
import { commandFor } from '../../src/lab/model/command.js';
import { Estate } from '../../src/lab/model/estate.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import { startLabServer, type LabServer } from '../../src/lab/server/ssh-server.js';
import { header } from './front-contract.js';
import { connectClient, makeInventory, within } from './helpers.js';

const PASSWORD = 'lab-fault-password';
const HOST = 'hmc-mps-a';
const CLIENT_TIMEOUT_MS = 1500;

let lab: LabServer | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function startWith(faultYaml: string): Promise<{ port: number; estate: Estate; logged: string[] }> {
  const inventory = makeInventory([HOST], { passwordEnv: 'LAB_TEST_PASSWORD' });
  const estate = Estate.create(inventory, { faults: parseFaults(faultYaml, 'faults.yaml') });
  const logged: string[] = [];
  lab = await startLabServer(estate, inventory, {
    bind: 'ephemeral',
    password: PASSWORD,
    log: (l) => logged.push(l),
  });
  return { port: lab.endpoints[HOST]!.port, estate, logged };
}

const connect = (port: number) => connectClient({ port, password: PASSWORD, readyTimeout: 5000 });
const disable = (phase: 'probe' | 'apply' = 'apply') =>
  commandFor(header(HOST, 'complus.disable', 'Provisioning Engine', phase));

describe('connection faults on the lab SSH server', () => {
  test('a refuse fault cuts connections before the SSH banner, then the host answers again', async () => {
    const { port, logged } = await startWith(`- { kind: refuse, host: ${HOST}, times: 2 }\n`);
    for (let i = 0; i < 2; i++) {
      await expect(connect(port)).rejects.toThrow(/ECONNRESET|Connection lost before handshake/);
    }
    const ssh = await connect(port);
    ssh.dispose();
    expect(logged.filter((l) => l.includes('(refuse fault)'))).toHaveLength(2);
  });

  test('a down fault takes the host off the network after its commands, for every later attempt', async () => {
    const { port } = await startWith(`- { kind: down, host: ${HOST}, afterCommands: 1 }\n`);
    const ssh = await connect(port);
    try {
      expect((await ssh.execCommand(disable('probe'))).code).toBe(0);
    } finally {
      ssh.dispose();
    }
    for (let i = 0; i < 3; i++) {
      await expect(connect(port)).rejects.toThrow(/ECONNRESET|Connection lost before handshake/);
    }
  });

  test('a drop before the command closes the connection with no output and no exit status', async () => {
    const { port, estate } = await startWith(
      `- { kind: drop, host: ${HOST}, action: complus.disable, phase: apply, when: before }\n`,
    );
    const ssh = await connect(port);
    try {
      const result = await within(ssh.execCommand(disable()), 10_000, 'timeout' as const);
      expect(result).toMatchObject({ code: null, stdout: '' });
    } finally {
      ssh.dispose();
    }
    expect(estate.state.events.at(-1)).toMatchObject({ action: 'complus.disable', exitCode: null });
  });

  test('a drop after the command delivers its output but no exit status, and the change stands', async () => {
    const { port, estate } = await startWith(
      `- { kind: drop, host: ${HOST}, action: complus.disable, phase: apply, when: after }\n`,
    );
    const ssh = await connect(port);
    try {
      const result = await within(ssh.execCommand(disable()), 10_000, 'timeout' as const);
      expect(result).toMatchObject({ code: null });
      expect(result).not.toBe('timeout');
    } finally {
      ssh.dispose();
    }
    expect(estate.state.events.at(-1)).toMatchObject({
      action: 'complus.disable',
      fault: 'drop',
      exitCode: 0,
    });
  });

  test('a hang never answers within the client timeout, and the host serves the next connection', async () => {
    const { port } = await startWith(
      `- { kind: hang, host: ${HOST}, action: complus.disable, phase: apply }\n`,
    );
    const hung = await connect(port);
    const result = await within(hung.execCommand(disable()), CLIENT_TIMEOUT_MS, 'no answer' as const);
    hung.dispose();
    expect(result).toBe('no answer');
    const next = await connect(port);
    try {
      expect((await next.execCommand(disable())).code).toBe(0);
    } finally {
      next.dispose();
    }
  });
});
