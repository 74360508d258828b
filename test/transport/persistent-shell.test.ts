/**
 * The persistent shell's client against a scripted channel (the lab fronts and real sshd are
 * exercised in test/lab-server): framing, stops and the pool's bound.
 */
import { describe, expect, test } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { decodeCommand } from '../../src/remote/deliver.js';
import { decodeRequest, endLines, persistentNonce } from '../../src/remote/persistent-shell.js';
import {
  createShellPool,
  openPersistentShell,
  type PersistentShell,
} from '../../src/transport/persistent-shell.js';

/** A channel that records what the client writes and lets the test answer. */
class FakeChannel extends EventEmitter {
  readonly stderr = new EventEmitter();
  readonly written: string[] = [];
  ended = false;
  closed = false;
  write(data: string): boolean {
    this.written.push(data);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.emit('close'));
  }
  out(text: string): void {
    this.emit('data', Buffer.from(text));
  }
  err(text: string): void {
    this.stderr.emit('data', Buffer.from(text));
  }
}

async function shellOn(): Promise<{ shell: PersistentShell; channel: FakeChannel; nonce: string }> {
  const channel = new FakeChannel();
  let nonce = '';
  const shell = await openPersistentShell(
    async (command) => {
      nonce = persistentNonce(decodeCommand(command.split(' ').pop() ?? '')) ?? '';
      return channel as unknown as ClientChannel;
    },
    () => false,
  );
  return { shell, channel, nonce };
}

const SCRIPT = '# deploy-rollup/1 run=r step=s action=a phase=probe host=h target= params=e30\n';
const opts = { timeoutMs: 5000, scriptName: 'test' };

describe('the persistent shell client', () => {
  test('starts the exact bootstrap and sends each script as one base64 line', async () => {
    const { shell, channel, nonce } = await shellOn();
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    const running = shell.run(SCRIPT, opts);
    expect(channel.written).toHaveLength(1);
    expect(decodeRequest(channel.written[0] ?? '')).toEqual({ script: SCRIPT });
    const end = endLines(nonce, 0);
    channel.out(`DR:state=done\r\n__RC__=0\r\n${end.stdout}`);
    channel.err(end.stderr);
    await expect(running).resolves.toMatchObject({
      exitCode: 0,
      stdout: 'DR:state=done\r\n__RC__=0\r\n',
      stderr: '',
      timedOut: false,
    });
    expect(shell.alive).toBe(true);
  });

  test('an end line split across chunks, and a long output, are read whole', async () => {
    const { shell, channel, nonce } = await shellOn();
    const running = shell.run(SCRIPT, opts);
    const body = 'x'.repeat(100_000) + '\r\n__RC__=3010\r\n';
    const all = body + endLines(nonce, 3010).stdout;
    for (let i = 0; i < all.length; i += 7) channel.out(all.slice(i, i + 7));
    channel.err('oops\r\n' + endLines(nonce, 0).stderr.slice(0, 5));
    channel.err(endLines(nonce, 0).stderr.slice(5));
    const result = await running;
    expect(result.exitCode).toBe(3010);
    expect(result.stdout.endsWith('__RC__=3010\r\n')).toBe(true);
    expect(result.stdout).not.toContain('__DR_END__');
    expect(result.stderr).toBe('oops\r\n');
    expect(result.truncatedBytes).toBeGreaterThan(0);
  });

  test('waits for both streams, and an end line with another nonce is output like any other', async () => {
    const { shell, channel, nonce } = await shellOn();
    let settled = false;
    const running = shell.run(SCRIPT, opts).then((r) => ((settled = true), r));
    channel.out(endLines('0'.repeat(32), 0).stdout + endLines(nonce, 2).stdout);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    channel.err(endLines(nonce, 2).stderr);
    const result = await running;
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe(endLines('0'.repeat(32), 0).stdout);
  });

  test('a deadline closes the channel and the shell is gone', async () => {
    const { shell, channel } = await shellOn();
    const result = await shell.run(SCRIPT, { ...opts, timeoutMs: 20 });
    expect(result).toMatchObject({ timedOut: true, cancelled: false, exitCode: undefined });
    expect(channel.closed).toBe(true);
    expect(shell.alive).toBe(false);
    await expect(shell.run(SCRIPT, opts)).resolves.toMatchObject({ dropped: true, exitCode: undefined });
    expect(channel.written).toHaveLength(1); // nothing sent on a closed shell
  });

  test('a batch’s deadline starts again at each step marker, and only at one that starts a line', async () => {
    const { shell, channel, nonce } = await shellOn();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Four steps of 60 ms each under a 150 ms deadline: only the markers keep it alive.
    const running = shell.run(SCRIPT, { ...opts, timeoutMs: 150, rearmOn: '__STEP__=' });
    for (const id of ['a', 'b', 'c', 'd']) {
      channel.out(`__STEP__=s/h/${id}\r\n__PHASE__=pr`);
      channel.out('obe\r\n');
      await sleep(60);
    }
    channel.out(`__RC__=0\r\n${endLines(nonce, 0).stdout}`);
    channel.err(endLines(nonce, 0).stderr);
    await expect(running).resolves.toMatchObject({ timedOut: false, exitCode: 0 });

    // A marker inside a line moves nothing: the second script times out.
    const again = shell.run(SCRIPT, { ...opts, timeoutMs: 100, rearmOn: '__STEP__=' });
    for (let i = 0; i < 4 && shell.alive; i++) {
      channel.out('DR:x=__STEP__=s/h/a\r\n');
      await sleep(40);
    }
    await expect(again).resolves.toMatchObject({ timedOut: true });
  });

  test('powershell.exe ending mid-script gives its exit status, not a drop', async () => {
    const { shell, channel } = await shellOn();
    const running = shell.run(SCRIPT, opts);
    channel.out('partial\r\n');
    channel.emit('exit', 5);
    channel.emit('close');
    await expect(running).resolves.toMatchObject({ exitCode: 5, stdout: 'partial\r\n', dropped: false });
  });
});

describe('the shell pool', () => {
  test('reuses an idle shell, opens at most max, and wakes a waiter when one is handed back', async () => {
    const opened: FakeChannel[] = [];
    const pool = createShellPool(async () => {
      const { shell, channel } = await shellOn();
      opened.push(channel);
      return shell;
    }, 2);
    const a = await pool.take();
    const b = await pool.take();
    expect(opened).toHaveLength(2);
    let third: PersistentShell | undefined;
    const waiting = pool.take().then((s) => (third = s));
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    pool.give(a!);
    await waiting;
    expect(third).toBe(a);
    expect(opened).toHaveLength(2);
    pool.give(b!);
    expect(await pool.take()).toBe(b);
  });

  test('a waiter whose signal fires gets nothing, and a closed shell frees its place', async () => {
    const pool = createShellPool(async () => (await shellOn()).shell, 1);
    const only = await pool.take();
    const controller = new AbortController();
    const waiting = pool.take(controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await only!.run(SCRIPT, { ...opts, timeoutMs: 1 }); // stopped: the shell closes
    pool.give(only!);
    const next = await pool.take();
    expect(next).not.toBe(only);
    expect(next?.alive).toBe(true);
  });
});
