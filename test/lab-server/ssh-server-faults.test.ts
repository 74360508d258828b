import { afterEach, describe, expect, test } from '@jest/globals';
import type { NodeSSH } from 'node-ssh';
import { commandFor, scriptFor } from '../../src/lab/model/command.js';
import { Estate } from '../../src/lab/model/estate.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import { startLabServer, type LabServer } from '../../src/lab/server/ssh-server.js';
import { MAX_STDIN_BYTES } from '../../src/lab/server/stdin.js';
import { planDelivery } from '../../src/remote/deliver.js';
import { readSentinel } from '../../src/remote/header.js';
import { header } from './front-contract.js';
import { connectClient, makeInventory, within } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

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
  const estate = createEstate(inventory, { faults: parseFaults(faultYaml, 'faults.yaml') });
  const logged: string[] = [];
  lab = await startLabServer(estate, inventory, {
    bind: 'ephemeral',
    password: PASSWORD,
    log: (l) => logged.push(l),
  });
  return { port: lab.endpoints[HOST]!.port, estate, logged };
}

const connect = (port: number) => connectClient({ port, password: PASSWORD, readyTimeout: 5000 });

/** A command as the transport delivers it: encoded, or (long) the bootstrap with the script on stdin. */
interface Delivered {
  command: string;
  stdin?: string;
}

function disable(phase: 'probe' | 'apply' = 'apply', long = false): Delivered {
  const step = header(HOST, 'complus.disable', 'Provisioning Engine', phase);
  if (!long) return { command: commandFor(step) };
  const delivery = planDelivery(scriptFor(step, `# ${'long body '.repeat(1000)}`));
  if (delivery.kind !== 'stdin') throw new Error('expected a stdin-delivered script');
  return delivery;
}

const exec = (ssh: NodeSSH, sent: Delivered) =>
  ssh.execCommand(sent.command, sent.stdin === undefined ? {} : { stdin: sent.stdin });

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
      expect((await exec(ssh, disable('probe'))).code).toBe(0);
    } finally {
      ssh.dispose();
    }
    for (let i = 0; i < 3; i++) {
      await expect(connect(port)).rejects.toThrow(/ECONNRESET|Connection lost before handshake/);
    }
  });
});

describe.each([
  ['an encoded command', false],
  ['a stdin-delivered script', true],
])('command faults on the lab SSH server, for %s', (_kind, long) => {
  test('a drop before the command closes the connection with no output and no exit status', async () => {
    const { port, estate } = await startWith(
      `- { kind: drop, host: ${HOST}, action: complus.disable, phase: apply, when: before }\n`,
    );
    const ssh = await connect(port);
    try {
      const result = await within(exec(ssh, disable('apply', long)), 10_000, 'timeout' as const);
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
      const result = await within(exec(ssh, disable('apply', long)), 10_000, 'timeout' as const);
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
    const result = await within(exec(hung, disable('apply', long)), CLIENT_TIMEOUT_MS, 'no answer' as const);
    hung.dispose();
    expect(result).toBe('no answer');
    const next = await connect(port);
    try {
      expect((await exec(next, disable('apply', long))).code).toBe(0);
    } finally {
      next.dispose();
    }
  });
});

describe('standard input on the lab SSH server', () => {
  test('a channel closed part-way through its input acts on no cut script, and the host serves the next command', async () => {
    const { port, estate } = await startWith('');
    const ssh = await connect(port);
    try {
      const sent = disable('apply', true);
      await new Promise<void>((resolve, reject) => {
        ssh.connection!.exec(sent.command, (error, channel) => {
          if (error) return reject(error);
          channel.resume(); // 'close' waits until what the channel received is consumed
          // Not even the header line: what arrived is judged like any input, and is no script.
          channel.write(sent.stdin!.slice(0, 100));
          channel.on('close', () => resolve());
          setTimeout(() => channel.close(), 200);
        });
      });
      expect(estate.state.events).toEqual([]);
      expect((await exec(ssh, disable('apply', true))).code).toBe(0);
      expect(estate.state.events).toHaveLength(1);
    } finally {
      ssh.dispose();
    }
  });

  test('standard input over the lab bound is refused with exit 1 and no sentinel', async () => {
    const { port, estate } = await startWith('');
    const ssh = await connect(port);
    try {
      const { command } = disable('apply', true);
      const result = await ssh.execCommand(command, { stdin: 'A'.repeat(MAX_STDIN_BYTES + 4) });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/standard input over \d+ bytes refused/);
      expect(readSentinel(result.stdout)).toBeUndefined();
      expect(estate.state.events).toEqual([]);
    } finally {
      ssh.dispose();
    }
  });
});
