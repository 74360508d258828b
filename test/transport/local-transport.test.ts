import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostSpec } from '../../src/inventory/types.js';
import { readSentinel } from '../../src/remote/header.js';
import type { TransportEvent } from '../../src/transport/events.js';
import { createLocalTransport } from '../../src/transport/local.js';
import type { Transport } from '../../src/transport/types.js';
import { waitFor } from './helpers/ssh-test-server.js';

const FAKE = fileURLToPath(new URL('./fixtures/fake-powershell.js', import.meta.url));
const HEADER = '# deploy-rollup/1 run=r1 step=s2 action=msi.install phase=apply host=MPS01 target=Hosted.msi';
const RUN = { timeoutMs: 20_000, scriptName: 'step.ps1' };
const HOST: HostSpec = {
  name: 'MPS01',
  address: '127.0.0.1',
  port: 22,
  user: 'administrator',
  auth: { agent: true },
  transport: 'local',
  roles: ['mps'],
};

/** A process is gone when signalling it fails or it is a zombie waiting to be reaped. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

let dir: string;
let transport: Transport;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-local-'));
  transport = createLocalTransport(HOST, { shell: [process.execPath, FAKE] });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('local transport', () => {
  test('a short script goes as -EncodedCommand with the standard flags, and its exit code comes back', async () => {
    // 17, not an msiexec code: POSIX exit statuses are 8 bits (Windows' are 32).
    const result = await transport.run(`${HEADER}\n#fake exit=17`, RUN);

    expect(result.exitCode).toBe(17);
    expect(readSentinel(result.stdout)?.exitCode).toBe(17);
    expect(result.stdout).toContain(`HEADER ${HEADER}`);
    expect(result.stdout).toContain('FLAGS -NoProfile -NonInteractive -ExecutionPolicy Bypass');
    expect(result.stdout).toContain('DELIVERY encoded');
    expect([result.timedOut, result.cancelled, result.dropped]).toEqual([false, false, false]);
  });

  test('a long script goes on standard input behind the bootstrap, byte for byte, and nothing is written', async () => {
    // ~50 KB with non-ASCII literals: UTF-8 base64 on stdin must bring back the same bytes.
    const body = "$s = 'Größe ünïcode — ☃ 漢字'\n".repeat(1600);
    const script = `${HEADER}\n#fake exit=0\n${body}`;
    const result = await transport.run(script, { ...RUN, scriptName: 'long.ps1' });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('DELIVERY stdin');
    expect(result.stdout).toContain('FLAGS -NoProfile -NonInteractive -ExecutionPolicy Bypass');
    expect(result.stdout).toContain(`HEADER ${HEADER}`);
    expect(result.stdout).toContain(`SHA256 ${createHash('sha256').update(script, 'utf8').digest('hex')}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a long script logs one exec with stdin delivery and a short command line', async () => {
    const events: TransportEvent[] = [];
    const logged = createLocalTransport(HOST, {
      shell: [process.execPath, FAKE],
      log: (e) => events.push(e),
    });
    const result = await logged.run(`${HEADER}\n#fake exit=0\n${'# padding\n'.repeat(500)}`, RUN);

    expect(result.exitCode).toBe(0);
    const execs = events.filter((e) => e.type === 'exec');
    expect(execs).toEqual([expect.objectContaining({ delivery: 'stdin' })]);
    expect(execs[0]?.type === 'exec' && execs[0].commandLength).toBeLessThan(2000);
    expect(events.some((e) => e.type === 'upload')).toBe(false);
  });

  test('a hanging script times out with no exit code', async () => {
    const result = await transport.run(`${HEADER}\n#fake hang`, { ...RUN, timeoutMs: 500 });
    expect(result).toMatchObject({ exitCode: undefined, timedOut: true, cancelled: false });
    expect(result.stdout).toContain('HEADER');
  });

  test('a hanging long script, delivered on stdin, times out the same way', async () => {
    const script = `${HEADER}\n#fake hang\n${'# padding\n'.repeat(500)}`;
    const result = await transport.run(script, { ...RUN, timeoutMs: 500 });
    expect(result).toMatchObject({ exitCode: undefined, timedOut: true, cancelled: false });
    expect(result.stdout).toContain('DELIVERY stdin');
  });

  test('a timeout kills the whole process group, including a grandchild holding the pipes', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const result = await transport.run(`${HEADER}\n#fake grandchild=${pidFile}`, { ...RUN, timeoutMs: 1000 });

    expect(result.timedOut).toBe(true);
    expect(existsSync(pidFile)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => isGone(pid), 5000);
    expect(isGone(pid)).toBe(true);
  });

  test('aborting the signal cancels the script', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await transport.run(`${HEADER}\n#fake hang`, { ...RUN, signal: controller.signal });
    expect(result).toMatchObject({ exitCode: undefined, cancelled: true, timedOut: false });
  });

  test('a shell that cannot start is a LOCAL_SHELL error', async () => {
    const broken = createLocalTransport(HOST, { shell: [join(dir, 'no-such-powershell')] });
    await expect(broken.run(`${HEADER}\n#fake exit=0`, RUN)).rejects.toMatchObject({ code: 'LOCAL_SHELL' });
  });

  test('upload copies the file, creating its folders', async () => {
    const source = join(dir, 'a.msi');
    writeFileSync(source, 'msi bytes');
    const target = join(dir, 'MSIShare', 'UR6', 'a.msi');
    await transport.upload(source, target, { timeoutMs: 1000 });
    expect(readFileSync(target, 'utf8')).toBe('msi bytes');
  });
});
