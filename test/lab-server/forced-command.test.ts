import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecOutcome } from '../../src/lab/server/estate-port.js';
import { isSftpSubsystem, runForcedCommand, type ShellEstate } from '../../src/lab/shell/forced-command.js';
import { withStateLock } from '../../src/lab/shell/state-lock.js';
import { MAX_STDIN_BYTES } from '../../src/lab/server/stdin.js';
import { planDelivery, STDIN_REFUSED } from '../../src/remote/deliver.js';
import { encodedCommand, FakeEstate, headerScript } from './helpers.js';

/**
 * A fake estate whose only state is a counter in a JSON file, bumped by every command; the
 * scripts it decoded are pushed to `scripts`.
 */
function fileBackedEstate(
  statePath: string,
  outcome?: ExecOutcome,
  scripts: string[] = [],
): () => Promise<ShellEstate> {
  return async () => {
    const fake = new FakeEstate(['hmc-mps-a']);
    let count = Number(JSON.parse(await readFile(statePath, 'utf8')).count);
    if (outcome) fake.behaviour = () => Promise.resolve(outcome);
    return Object.assign(fake, {
      exec: async (host: string, command: string, stdin?: string) => {
        await sleep(5); // widen the window in which an unlocked update would be lost
        count++;
        const answer = await FakeEstate.prototype.exec.call(fake, host, command, stdin);
        scripts.push(...fake.scripts);
        return answer;
      },
      flush: async () => writeFile(statePath, JSON.stringify({ count })),
    });
  };
}

function streams(): { stdin: PassThrough; stdout: PassThrough; stderr: PassThrough; text: () => string[] } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: [string[], string[]] = [[], []];
  stdout.on('data', (c: Buffer) => chunks[0].push(c.toString()));
  stderr.on('data', (c: Buffer) => chunks[1].push(c.toString()));
  return { stdin: new PassThrough(), stdout, stderr, text: () => [chunks[0].join(''), chunks[1].join('')] };
}

describe('forced command behind sshd', () => {
  let dir: string;
  let statePath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-shell-'));
    statePath = join(dir, 'state.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a command is answered from the model, with its output and exit code', async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
    const io = streams();
    const code = await runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: encodedCommand(headerScript('hmc-mps-a', 'complus.shutdown', 'Provisioning Engine')),
      openEstate: fileBackedEstate(statePath),
      ...io,
    });
    expect(code).toBe(0);
    expect(io.text()[0]).toContain('DR:action=complus.shutdown');
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual({ count: 1 });
  });

  test('a stdin-delivered script is read from standard input to EOF, byte for byte, then answered', async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
    const script =
      headerScript('hmc-mps-a', 'msi.install', 'Hosted.msi') + "$s = 'Größe — ☃ 漢字'\n".repeat(2500);
    const delivery = planDelivery(script);
    if (delivery.kind !== 'stdin') throw new Error('expected stdin delivery');
    const io = streams();
    const scripts: string[] = [];
    const run = runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: delivery.command,
      openEstate: fileBackedEstate(statePath, undefined, scripts),
      ...io,
    });
    // In pieces, as a pipe delivers it; nothing is answered before the EOF.
    for (let at = 0; at < delivery.stdin.length; at += 4096) {
      io.stdin.write(delivery.stdin.slice(at, at + 4096));
      await sleep(1);
    }
    const early = await Promise.race([run, sleep(100).then(() => 'waiting for EOF')]);
    expect(early).toBe('waiting for EOF');
    io.stdin.end();
    expect(await run).toBe(0);
    expect(scripts).toEqual([script]);
    expect(io.text()[0]).toContain('DR:action=msi.install');
  });

  test.each([
    ['empty', ''],
    ['garbled', 'no base64 here\n'],
  ])(
    'a stdin bootstrap with %s standard input fails: exit 1, the refusal on stderr, no sentinel',
    async (_why, text) => {
      await writeFile(statePath, JSON.stringify({ count: 0 }));
      const io = streams();
      io.stdin.end(text);
      const code = await runForcedCommand({
        host: 'hmc-mps-a',
        statePath,
        originalCommand: planDelivery('#'.repeat(9000)).command,
        openEstate: fileBackedEstate(statePath),
        ...io,
      });
      expect(code).toBe(1);
      expect(io.text()).toEqual(['', STDIN_REFUSED]);
    },
  );

  test('standard input over the lab bound is refused without opening the estate', async () => {
    const io = streams();
    io.stdin.end('A'.repeat(MAX_STDIN_BYTES + 4));
    let opened = false;
    const code = await runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: planDelivery('#'.repeat(9000)).command,
      openEstate: async () => {
        opened = true;
        throw new Error('must not be opened');
      },
      ...io,
    });
    expect(code).toBe(1);
    expect(io.text()[1]).toMatch(/standard input over \d+ bytes refused/);
    expect(opened).toBe(false);
  });

  test('concurrent sessions sharing one state file lose no update', async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
    const runs = Array.from({ length: 12 }, () =>
      runForcedCommand({
        host: 'hmc-mps-a',
        statePath,
        originalCommand: encodedCommand(headerScript('hmc-mps-a', 'iis.reset', '')),
        openEstate: fileBackedEstate(statePath),
        ...streams(),
      }),
    );
    expect(await Promise.all(runs)).toEqual(Array(12).fill(0));
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual({ count: 12 });
  });

  test('a lock left by a process that no longer exists is taken over', async () => {
    await writeFile(`${statePath}.lock`, `999999999 ${(await import('node:os')).hostname()}\n`);
    await expect(withStateLock(statePath, async () => 'ran', { timeoutMs: 5000 })).resolves.toBe('ran');
  });

  test('a lock held by a live process makes a waiter give up with a locked error', async () => {
    await writeFile(`${statePath}.lock`, `${process.pid} ${(await import('node:os')).hostname()}\n`);
    try {
      await expect(withStateLock(statePath, async () => 'ran', { timeoutMs: 200 })).rejects.toMatchObject({
        code: 'LAB_STATE_LOCKED',
      });
    } finally {
      await rm(`${statePath}.lock`, { force: true });
    }
  });

  test('a drop writes the output so far, cuts the connection and releases the state lock', async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
    const io = streams();
    let cut = false;
    const code = await runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: encodedCommand(headerScript('hmc-mps-a', 'iis.reset', '', 'apply')),
      openEstate: fileBackedEstate(statePath, { kind: 'drop', stdout: 'DR:half=1\n' }),
      dropConnection: () => (cut = true),
      waitForDisconnect: async () => undefined,
      ...io,
    });
    expect(cut).toBe(true);
    expect(code).toBe(255);
    expect(io.text()[0]).toBe('DR:half=1\n');
    await expect(withStateLock(statePath, async () => 'free', { timeoutMs: 200 })).resolves.toBe('free');
  });

  test('a hang says nothing until the connection goes away', async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
    const io = streams();
    let disconnect: () => void = () => undefined;
    const run = runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: encodedCommand(headerScript('hmc-mps-a', 'iis.reset', '', 'apply')),
      openEstate: fileBackedEstate(statePath, { kind: 'hang' }),
      waitForDisconnect: () => new Promise<void>((resolve) => (disconnect = resolve)),
      ...io,
    });
    const early = await Promise.race([run, sleep(300).then(() => 'still running')]);
    expect(early).toBe('still running');
    disconnect();
    expect(await run).toBe(255);
    expect(io.text()).toEqual(['', '']);
  });

  test('a session without a command is refused: the lab offers no interactive shell', async () => {
    const io = streams();
    const code = await runForcedCommand({
      host: 'hmc-mps-a',
      statePath,
      originalCommand: undefined,
      openEstate: fileBackedEstate(statePath),
      ...io,
    });
    expect(code).toBe(1);
    expect(io.text()[1]).toMatch(/no interactive shell/);
  });

  test('the sftp subsystem is recognised in the forms sshd passes it', () => {
    expect(isSftpSubsystem('/usr/lib/openssh/sftp-server')).toBe(true);
    expect(isSftpSubsystem('internal-sftp')).toBe(true);
    expect(isSftpSubsystem(planDelivery('#'.repeat(9000)).command)).toBe(false);
  });
});
