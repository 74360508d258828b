/**
 * The contract every network front of the simulated estate keeps (the in-process ssh2 server and
 * the forced command behind real sshd), run as one suite against each so no front drifts.
 */

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeSSH } from 'node-ssh';
import { commandFor, scriptFor } from '../../src/lab/model/command.js';
import type { HostState, LabState } from '../../src/lab/model/state.js';
import { readSections, readSentinel, type ScriptPhase } from '../../src/remote/header.js';
import { planDelivery, toSftpPath } from '../../src/remote/deliver.js';

export interface FrontFixture {
  /** An `mps` host and a `webServices` host of the estate. */
  mps: string;
  web: string;
  connect(host: string, seen?: string[]): Promise<NodeSSH>;
  /** Connects with credentials the inventory does not grant (must be refused). */
  connectWrongly(host: string): Promise<NodeSSH>;
  expectedFingerprint(host: string): string;
  /** The model's state as the front left it. */
  state(): Promise<LabState>;
  close(): Promise<void>;
}

export function header(host: string, action: string, target: string, phase: ScriptPhase) {
  return { run: 'contract', step: `${action}:${target}`, action, phase, host, target, params: {} };
}

function hostState(state: LabState, name: string): HostState {
  const key = Object.keys(state.hosts).find((k) => k.toLowerCase() === name.toLowerCase());
  return state.hosts[key ?? name]!;
}

function fileSize(host: HostState, windowsPath: string): number | undefined {
  const key = Object.keys(host.files).find((k) => k.toLowerCase() === windowsPath.toLowerCase());
  return key === undefined ? undefined : host.files[key]?.size;
}

/**
 * Registers the shared front contract under `title`. `extra` adds a front's own tests, run on the
 * same fixture.
 */
export function describeFrontContract(
  title: string,
  setup: () => Promise<FrontFixture>,
  extra?: (front: () => FrontFixture) => void,
): void {
  describe(title, () => {
    let front: FrontFixture;
    let dir: string;
    beforeAll(async () => {
      front = await setup();
      dir = await mkdtemp(join(tmpdir(), 'lab-contract-'));
    });
    afterAll(async () => {
      await front?.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function withClient<T>(host: string, work: (ssh: NodeSSH) => Promise<T>): Promise<T> {
      const ssh = await front.connect(host);
      try {
        return await work(ssh);
      } finally {
        ssh.dispose();
      }
    }

    test('a probe is answered by the host model and recorded as an event', async () => {
      const result = await withClient(front.mps, (ssh) =>
        ssh.execCommand(commandFor(header(front.mps, 'complus.disable', 'Provisioning Engine', 'probe'))),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/DR:state=pending/);
      expect(result.stdout).toMatch(/__RC__=0\s*$/);
      const events = (await front.state()).events;
      expect(
        events.some((e) => e.host === front.mps && e.action === 'complus.disable' && e.phase === 'probe'),
      ).toBe(true);
    });

    test("an apply changes the host's state in the model", async () => {
      const result = await withClient(front.mps, (ssh) =>
        ssh.execCommand(commandFor(header(front.mps, 'complus.disable', 'Provisioning Engine', 'apply'))),
      );
      expect(result.code).toBe(0);
      const comPlus = hostState(await front.state(), front.mps).comPlus;
      const engine = Object.entries(comPlus).find(([name]) => name.toLowerCase() === 'provisioning engine');
      expect(engine?.[1].enabled).toBe(false);
    });

    test('a run command probes, applies and verifies in one session, answering in sections', async () => {
      const result = await withClient(front.web, (ssh) =>
        ssh.execCommand(
          commandFor({
            ...header(front.web, 'service.restart', 'W3SVC', 'run'),
            params: { timeoutSeconds: 5 },
          }),
        ),
      );
      expect(result.code).toBe(0);
      const sentinel = readSentinel(result.stdout);
      expect(sentinel?.exitCode).toBe(0);
      const sections = readSections(sentinel?.output ?? '', result.stderr, sentinel?.exitCode ?? 1);
      expect(Object.keys(sections)).toEqual(['probe', 'apply', 'verify']);
      expect(sections.verify?.output).toMatch(/DR:state=done/);
      const events = (await front.state()).events.filter(
        (e) => e.host === front.web && e.action === 'service.restart' && e.command !== undefined,
      );
      expect(events.map((e) => e.phase)).toEqual(['probe', 'apply', 'verify']);
      expect(new Set(events.map((e) => e.command)).size).toBe(1);
    });

    test('each host proves itself with the host key the estate holds for it', async () => {
      for (const host of [front.mps, front.web]) {
        const seen: string[] = [];
        (await front.connect(host, seen)).dispose();
        expect(seen).toEqual([front.expectedFingerprint(host)]);
      }
    });

    test('credentials the inventory does not grant are refused', async () => {
      await expect(front.connectWrongly(front.web)).rejects.toThrow(/authentication methods failed/);
    });

    test('an SFTP upload lands in the model with its exact size', async () => {
      const local = join(dir, 'payload.bin');
      await writeFile(local, Buffer.alloc(123_457, 0x5a));
      await withClient(front.web, (ssh) => ssh.putFile(local, '/C:/MSIShare/Staging/payload.bin'));
      expect(fileSize(hostState(await front.state(), front.web), 'C:\\MSIShare\\Staging\\payload.bin')).toBe(
        123_457,
      );
    });

    test('a long script uploaded over SFTP and run with -File is answered from its header', async () => {
      const script = scriptFor(header(front.web, 'iis.reset', '', 'probe'), `# ${'padding '.repeat(1200)}`);
      const delivery = planDelivery(script, 'contract-step.ps1');
      expect(delivery.kind).toBe('file');
      if (delivery.kind !== 'file') return;
      const local = join(dir, 'contract-step.ps1');
      await writeFile(local, delivery.content);
      const result = await withClient(front.web, async (ssh) => {
        await ssh.putFile(local, toSftpPath(delivery.remotePath));
        return ssh.execCommand(delivery.command);
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/DR:state=/);
    });

    extra?.(() => front);
  });
}
