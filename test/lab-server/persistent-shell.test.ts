import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { buildScript } from '../../src/actions/build-script.js';
import { createEstate } from '../helpers/lab-estate.js';
import { parseFaults } from '../../src/lab/model/faults.js';
import type { EstatePort, ExecOutcome } from '../../src/lab/server/estate-port.js';
import type { Inventory } from '../../src/inventory/types.js';
import { MAX_LINE_BYTES } from '../../src/lab/server/persistent-shell.js';
import { startLabServer, type LabServer } from '../../src/lab/server/ssh-server.js';
import { runForcedCommand, type ShellEstate } from '../../src/lab/shell/forced-command.js';
import { withStateLock } from '../../src/lab/shell/state-lock.js';
import { encodeCommand, POWERSHELL } from '../../src/remote/deliver.js';
import { readSentinel, type ScriptPhase } from '../../src/remote/header.js';
import {
  encodeRequest,
  findEnd,
  PERSISTENT_MARKER,
  PERSISTENT_REFUSED,
  persistentBootstrap,
  persistentCommand,
} from '../../src/remote/persistent-shell.js';
import { SAMPLES } from '../actions/fixtures.js';
import { FakeEstate, headerScript, makeInventory, within } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const MPS = 'hmc-mps-a';
const NONCE = '0123456789abcdef0123456789abcdef';
const WAIT_MS = 10_000;

/** One script's answer on one stream: the output before its end line, and the stdout end line's code. */
interface Answer {
  output: string;
  exitCode?: number;
}

/** Cuts one stream's text at the shell's end lines, as the product's client reads it. */
function answers(text: string, stream: 'stdout' | 'stderr', nonce = NONCE): Answer[] {
  const found: Answer[] = [];
  let rest = text;
  for (let end = findEnd(rest, nonce, stream); end; end = findEnd(rest, nonce, stream)) {
    found.push({
      output: rest.slice(0, end.index),
      ...(end.exitCode === undefined ? {} : { exitCode: end.exitCode }),
    });
    rest = rest.slice(end.after);
  }
  return found;
}

/** Both streams of a shell, collected as text. */
interface Output {
  stdout: string;
  stderr: string;
}

/** Resolves once `ready` holds for `output` (checked on every chunk); rejects after `ms`. */
function until(
  output: Output,
  subscribe: (onChunk: () => void) => () => void,
  ready: (output: Output) => boolean,
  ms = WAIT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(
          `timed out; stdout ${JSON.stringify(output.stdout)}, stderr ${JSON.stringify(output.stderr)}`,
        ),
      );
    }, ms);
    const check = (): void => {
      if (!ready(output)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    unsubscribe = subscribe(check);
    check();
  });
}

/** Both streams hold `count` end lines. */
const answered =
  (count: number, nonce = NONCE) =>
  (output: Output): boolean =>
    answers(output.stdout, 'stdout', nonce).length >= count &&
    answers(output.stderr, 'stderr', nonce).length >= count;

function script(action: string, phase: ScriptPhase, step: string): string {
  const sample = SAMPLES.find((s) => s.action === action)!;
  return buildScript({
    run: 'persistent',
    step,
    action,
    phase,
    host: MPS,
    target: sample.target,
    params: sample.params,
  });
}

/** A raw ssh2 client: the test speaks the shell's protocol itself, as the product's transport does. */
async function connectRaw(port: number): Promise<ssh2.Client> {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({
      sock: netConnect({ host: '127.0.0.1', port, noDelay: true }),
      username: 'administrator',
      password: PASSWORD,
      hostVerifier: () => true,
      readyTimeout: WAIT_MS,
    });
  });
  client.on('error', () => undefined); // a server closed under a disposed client may reset
  return client;
}

interface RawShell {
  channel: ClientChannel;
  output: Output;
  /** Resolves once both streams hold `count` end lines. */
  waitFor(count: number): Promise<void>;
  /** The exit status (undefined: none) once the channel closed. */
  closed: Promise<number | undefined>;
}

function execRaw(client: ssh2.Client, command: string, nonce = NONCE): Promise<RawShell> {
  return new Promise((resolve, reject) =>
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      // Listen before anything else runs: the whole answer may arrive with the exec reply.
      resolve(watch(channel, nonce));
    }),
  );
}

function watch(channel: ClientChannel, nonce: string): RawShell {
  const output: Output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  channel.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  let exitCode: number | undefined;
  channel.on('exit', (code: number | null) => {
    if (typeof code === 'number') exitCode = code;
  });
  const closed = new Promise<number | undefined>((resolve) => channel.once('close', () => resolve(exitCode)));
  const subscribe = (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { channel, output, closed, waitFor: (count) => until(output, subscribe, answered(count, nonce)) };
}

/**
 * For the describe block calling it: a lab ssh2 server for `estate` and one raw client of its
 * MPS host; returns how to run a command on a new channel of that client.
 */
function rawShellsOn(
  estate: EstatePort,
  inventory: Inventory,
): (command: string, nonce?: string) => Promise<RawShell> {
  let lab: LabServer | undefined;
  let client: ssh2.Client | undefined;
  beforeAll(async () => {
    lab = await startLabServer(estate, inventory, { bind: 'ephemeral', password: PASSWORD });
    client = await connectRaw(lab.endpoints[MPS]!.port);
  });
  afterAll(async () => {
    client?.end();
    await lab?.close();
  });
  return (command, nonce) => execRaw(client!, command, nonce);
}

describe('the persistent shell on the in-process ssh2 front', () => {
  const inventory = makeInventory([MPS, 'hmc-web-b'], { passwordEnv: 'LAB_TEST_PASSWORD' });
  const faults = parseFaults(
    `- { kind: fail, host: ${MPS}, action: msi.install, phase: apply, times: 1, exitCode: 1603 }\n`,
    'faults.yaml',
  );
  const estate = createEstate(inventory, { faults });
  const openShell = rawShellsOn(estate, inventory);

  const eventsSince = (before: number): string[] =>
    estate.state.events.slice(before).map((e) => `${e.host} ${e.action} ${e.phase}`);

  test('scripts sent together on one channel run in order, each answered with its sentinel and an end line carrying its full exit code', async () => {
    const before = estate.state.events.length;
    const shell = await openShell(persistentCommand(NONCE));
    shell.channel.write(
      encodeRequest(script('complus.disable', 'probe', 'p/1')) +
        encodeRequest(script('msi.install', 'apply', 'p/2')) +
        encodeRequest(script('iis.reset', 'probe', 'p/3')),
    );
    await shell.waitFor(3);
    const stdout = answers(shell.output.stdout, 'stdout');
    expect(stdout.map((a) => a.exitCode)).toEqual([0, 1603, 0]);
    expect(stdout.map((a) => readSentinel(a.output)?.exitCode)).toEqual([0, 1603, 0]);
    expect(answers(shell.output.stderr, 'stderr')).toHaveLength(3);
    // The wire form of the end lines, exactly.
    expect(shell.output.stdout.endsWith(`__DR_END__=${NONCE} 0\r\n`)).toBe(true);
    expect(shell.output.stderr.endsWith(`__DR_END__=${NONCE}\r\n`)).toBe(true);
    expect(eventsSince(before)).toEqual([
      `${MPS} complus.disable probe`,
      `${MPS} msi.install apply`,
      `${MPS} iis.reset probe`,
    ]);
    shell.channel.end();
    expect(await within(shell.closed, WAIT_MS, 'still open')).toBe(0);
  });

  test('a line that holds no deploy-rollup script is refused with exit code 1 and the shell goes on reading', async () => {
    const before = estate.state.events.length;
    const shell = await openShell(persistentCommand(NONCE));
    shell.channel.write('this is not base64\n');
    shell.channel.write(`${Buffer.from("Write-Output '__RC__=0'\n").toString('base64')}\n`);
    shell.channel.write(encodeRequest(script('iis.reset', 'probe', 'r/1')));
    await shell.waitFor(3);
    const stdout = answers(shell.output.stdout, 'stdout');
    const stderr = answers(shell.output.stderr, 'stderr');
    expect(stdout.map((a) => a.exitCode)).toEqual([1, 1, 0]);
    expect(stdout.slice(0, 2).map((a) => a.output)).toEqual(['', '']);
    expect(stderr.map((a) => a.output)).toEqual([
      `${PERSISTENT_REFUSED}\r\n`,
      `${PERSISTENT_REFUSED}\r\n`,
      '',
    ]);
    expect(readSentinel(stdout[2]!.output)?.exitCode).toBe(0);
    expect(eventsSince(before)).toEqual([`${MPS} iis.reset probe`]);
    shell.channel.end();
    await shell.closed;
  });

  test("the client's EOF ends the shell with exit status 0, after every line sent before it is answered", async () => {
    const shell = await openShell(persistentCommand(NONCE));
    shell.channel.end(
      encodeRequest(script('iis.reset', 'probe', 'e/1')) +
        encodeRequest(script('complus.disable', 'probe', 'e/2')),
    );
    expect(await within(shell.closed, WAIT_MS, 'still open')).toBe(0);
    expect(answers(shell.output.stdout, 'stdout').map((a) => a.exitCode)).toEqual([0, 0]);
    expect(answers(shell.output.stderr, 'stderr')).toHaveLength(2);
  });

  test('the shell for another nonce writes end lines with that nonce only', async () => {
    const other = 'fedcba9876543210fedcba9876543210';
    const shell = await openShell(persistentCommand(other), other);
    shell.channel.write(encodeRequest(script('iis.reset', 'probe', 'n/1')));
    await shell.waitFor(1);
    expect(shell.output.stdout).not.toContain(NONCE);
    expect(answers(shell.output.stdout, 'stdout', other)).toHaveLength(1);
    shell.channel.end();
    expect(await within(shell.closed, WAIT_MS, 'still open')).toBe(0);
  });

  test.each([
    ['the bootstrap with a line added', persistentBootstrap(NONCE) + "Write-Output 'extra'\n"],
    ['a bootstrap with the marker only', `${PERSISTENT_MARKER} runs whatever\n`],
  ])('%s is answered as an unknown command and no line of its input is run', async (_what, text) => {
    const before = estate.state.events.length;
    const shell = await openShell(`${POWERSHELL} -EncodedCommand ${encodeCommand(text)}`);
    shell.channel.write(encodeRequest(script('iis.reset', 'probe', 'w/1')));
    expect(await within(shell.closed, WAIT_MS, 'still open')).toBe(1);
    expect(readSentinel(shell.output.stdout)?.exitCode).toBe(1);
    expect(shell.output.stdout).not.toContain('__DR_END__');
    expect(shell.output.stderr).toMatch(/^deploy-rollup lab: /);
    expect(eventsSince(before)).toEqual([]);
  });
});

describe('the persistent shell on the ssh2 front when a script does not end', () => {
  const estate = new FakeEstate([MPS]);
  const inventory = makeInventory(estate.hostNames(), { passwordEnv: 'LAB_TEST_PASSWORD' });
  const openShell = rawShellsOn(estate, inventory);

  test('a client that closes the channel mid-script gets no answer and no later line is run', async () => {
    estate.scripts.length = 0;
    let release: (outcome: ExecOutcome) => void = () => undefined;
    estate.behaviour = (_host, action) =>
      action === 'iis.reset' ? new Promise((resolve) => (release = resolve)) : undefined;
    const shell = await openShell(persistentCommand(NONCE));
    shell.channel.write(
      encodeRequest(headerScript(MPS, 'iis.reset', '')) +
        encodeRequest(headerScript(MPS, 'complus.start', 'X')),
    );
    for (let i = 0; i < 200 && estate.scripts.length === 0; i++) await sleep(10);
    expect(estate.scripts).toHaveLength(1);
    shell.channel.close();
    expect(await within(shell.closed, WAIT_MS, 'still open')).toBeUndefined();
    release({ kind: 'exit', stdout: '__RC__=0\n', stderr: '', exitCode: 0 });
    await sleep(200);
    expect(estate.scripts).toEqual([headerScript(MPS, 'iis.reset', '')]);
    expect(shell.output.stdout).toBe('');
  });

  test('a hang answers nothing more and reads no further line, and the channel stays open', async () => {
    estate.scripts.length = 0;
    estate.behaviour = (_host, action) =>
      action === 'iis.reset' ? Promise.resolve({ kind: 'hang' }) : undefined;
    const shell = await openShell(persistentCommand(NONCE));
    shell.channel.write(
      encodeRequest(headerScript(MPS, 'complus.start', 'X')) +
        encodeRequest(headerScript(MPS, 'iis.reset', '')) +
        encodeRequest(headerScript(MPS, 'complus.start', 'Y')),
    );
    await shell.waitFor(1);
    const early = await Promise.race([shell.closed.then(() => 'closed'), sleep(300).then(() => 'open')]);
    expect(early).toBe('open');
    expect(estate.scripts).toHaveLength(2);
    expect(answers(shell.output.stdout, 'stdout')).toHaveLength(1);
    shell.channel.close();
    await shell.closed;
    estate.behaviour = undefined;
  });
});

describe('the persistent shell in the forced command behind sshd', () => {
  let dir: string;
  let statePath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-persistent-'));
    statePath = join(dir, 'state.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await writeFile(statePath, JSON.stringify({ count: 0 }));
  });

  /**
   * A fake estate whose state is a counter in the state file, bumped by every command; the
   * scripts it decoded are pushed to `scripts`, and `opened` counts the loads.
   */
  function counterEstate(outcome?: ExecOutcome): {
    open: () => Promise<ShellEstate>;
    scripts: string[];
    opened: () => number;
  } {
    const scripts: string[] = [];
    let opened = 0;
    const open = async (): Promise<ShellEstate> => {
      opened++;
      const fake = new FakeEstate([MPS]);
      if (outcome) fake.behaviour = () => Promise.resolve(outcome);
      let count = Number((JSON.parse(await readFile(statePath, 'utf8')) as { count: number }).count);
      return Object.assign(fake, {
        exec: async (host: string, command: string, stdin?: string) => {
          count++;
          const answer = await FakeEstate.prototype.exec.call(fake, host, command, stdin);
          scripts.push(...fake.scripts);
          return answer;
        },
        flush: async () => writeFile(statePath, JSON.stringify({ count })),
      });
    };
    return { open, scripts, opened: () => opened };
  }

  function streams(): {
    stdin: PassThrough;
    stdout: PassThrough;
    stderr: PassThrough;
    output: Output;
    waitFor(count: number): Promise<void>;
  } {
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    const output: Output = { stdout: '', stderr: '' };
    const listeners = new Set<() => void>();
    io.stdout.on('data', (c: Buffer) => {
      output.stdout += c.toString();
      for (const listener of listeners) listener();
    });
    io.stderr.on('data', (c: Buffer) => {
      output.stderr += c.toString();
      for (const listener of listeners) listener();
    });
    const subscribe = (listener: () => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    return { ...io, output, waitFor: (count) => until(output, subscribe, answered(count)) };
  }

  const state = async (): Promise<unknown> => JSON.parse(await readFile(statePath, 'utf8'));

  /** The forced command for `originalCommand` (the persistent bootstrap unless given) on MPS. */
  const serve = (
    open: () => Promise<ShellEstate>,
    io: ReturnType<typeof streams>,
    originalCommand = persistentCommand(NONCE),
  ): Promise<number> => runForcedCommand({ host: MPS, statePath, originalCommand, openEstate: open, ...io });

  test('two lines run in one process, each under the state lock on its own, the state saved between them', async () => {
    const estate = counterEstate();
    const io = streams();
    const lockedWhileWriting: boolean[] = [];
    io.stdout.on('data', () => lockedWhileWriting.push(existsSync(`${statePath}.lock`)));
    const run = serve(estate.open, io);
    io.stdin.write(encodeRequest(headerScript(MPS, 'iis.reset', '')));
    await io.waitFor(1);
    expect(await state()).toEqual({ count: 1 });
    // Between the lines the lock is free: other sessions may run.
    await expect(withStateLock(statePath, async () => 'free', { timeoutMs: 200 })).resolves.toBe('free');
    io.stdin.write(encodeRequest(headerScript(MPS, 'complus.start', 'X')));
    await io.waitFor(2);
    expect(await state()).toEqual({ count: 2 });
    expect(estate.opened()).toBe(2);
    expect(lockedWhileWriting).toEqual([false, false]); // each answer went out after its lock was released
    const early = await Promise.race([run, sleep(100).then(() => 'still running')]);
    expect(early).toBe('still running');
    io.stdin.end();
    expect(await within(run, WAIT_MS, 'still running')).toBe(0);
    expect(estate.scripts).toEqual([
      headerScript(MPS, 'iis.reset', ''),
      headerScript(MPS, 'complus.start', 'X'),
    ]);
    expect(answers(io.output.stdout, 'stdout').map((a) => a.output)).toEqual([
      'DR:action=iis.reset\n__RC__=0\n',
      'DR:action=complus.start\n__RC__=0\n',
    ]);
  });

  test('an exit code above 255 reaches the end line in full, and the shell still exits 0 at EOF', async () => {
    const estate = counterEstate({
      kind: 'exit',
      stdout: '__RC__=3010\r\n',
      stderr: 'reboot\r\n',
      exitCode: 3010,
    });
    const io = streams();
    io.stdin.end(encodeRequest(headerScript(MPS, 'msi.install', 'A.msi', 'apply')));
    const code = await within(serve(estate.open, io), WAIT_MS, 'still running');
    expect(code).toBe(0);
    expect(io.output).toEqual({
      stdout: `__RC__=3010\r\n__DR_END__=${NONCE} 3010\r\n`,
      stderr: `reboot\r\n__DR_END__=${NONCE}\r\n`,
    });
  });

  test('lines end at "\\n", "\\r\\n" (even cut between chunks) or a lone "\\r", and text after the last line end is a line', async () => {
    const estate = counterEstate();
    const io = streams();
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((t) => headerScript(MPS, 'complus.start', t));
    const base64 = (text: string | undefined): string => Buffer.from(text!, 'utf8').toString('base64');
    const run = serve(estate.open, io);
    io.stdin.write(`${base64(a)}\r`);
    await sleep(20);
    io.stdin.write(`\n${base64(b)}\r${base64(c)}\n`);
    io.stdin.end(base64(d));
    expect(await within(run, WAIT_MS, 'still running')).toBe(0);
    expect(estate.scripts).toEqual([a, b, c, d]);
    expect(answers(io.output.stdout, 'stdout').map((x) => x.exitCode)).toEqual([0, 0, 0, 0]);
    expect(io.output.stderr).not.toContain(PERSISTENT_REFUSED);
  });

  test('a line over the lab bound is refused with exit code 1 without opening the estate, and the next line runs', async () => {
    const estate = counterEstate();
    const io = streams();
    const run = serve(estate.open, io);
    for (let sent = 0; sent <= MAX_LINE_BYTES; sent += 64 * 1024) io.stdin.write('A'.repeat(64 * 1024));
    io.stdin.end(`\r\n${encodeRequest(headerScript(MPS, 'iis.reset', ''))}`);
    expect(await within(run, WAIT_MS, 'still running')).toBe(0);
    const stdout = answers(io.output.stdout, 'stdout');
    const stderr = answers(io.output.stderr, 'stderr');
    expect(stdout.map((x) => x.exitCode)).toEqual([1, 0]);
    expect(stderr[0]?.output).toMatch(/^deploy-rollup lab: standard input over \d+ bytes refused\r\n$/);
    expect(estate.opened()).toBe(1);
    expect(estate.scripts).toEqual([headerScript(MPS, 'iis.reset', '')]);
  });

  test('a bootstrap that is not the exact text is answered as an unknown command without reading standard input', async () => {
    const estate = counterEstate();
    const io = streams();
    io.stdin.write(encodeRequest(headerScript(MPS, 'iis.reset', ''))); // and no EOF
    const code = await within(
      serve(
        estate.open,
        io,
        `${POWERSHELL} -EncodedCommand ${encodeCommand(`${persistentBootstrap(NONCE)}\n`)}`,
      ),
      WAIT_MS,
      'still running',
    );
    expect(code).toBe(1);
    expect(io.output.stdout).not.toContain('__DR_END__');
    expect(estate.scripts.some((s) => s.includes('action=iis.reset'))).toBe(false);
  });

  test('standard input that breaks off without an EOF ends the shell as a lost connection', async () => {
    const io = streams();
    const run = serve(counterEstate().open, io);
    io.stdin.write(encodeRequest(headerScript(MPS, 'iis.reset', '')));
    await io.waitFor(1);
    io.stdin.destroy();
    expect(await within(run, WAIT_MS, 'still running')).toBe(255);
  });
});
