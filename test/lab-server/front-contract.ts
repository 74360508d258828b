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
import { buildScript } from '../../src/actions/build-script.js';
import type { HostSpec } from '../../src/inventory/types.js';
import { readSections, readSentinel, type ScriptPhase } from '../../src/remote/header.js';
import { planDelivery, STDIN_REFUSED } from '../../src/remote/deliver.js';
import type { TransportEvent, TransportLog } from '../../src/transport/events.js';
import { trustExactly } from '../../src/transport/host-keys.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { SAMPLES } from '../actions/fixtures.js';
import { scriptFiles } from '../helpers/lab-state.js';

export interface FrontFixture {
  /** An `mps` host and a `webServices` host of the estate. */
  mps: string;
  web: string;
  connect(host: string, seen?: string[]): Promise<NodeSSH>;
  /** How the product's SSH transport reaches `host` (spec and, for password hosts, the password). */
  hostSpec(host: string): { spec: HostSpec; password?: string };
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

    /** The product's SSH transport to `host`, pinned to the key the estate holds for it. */
    function transportTo(host: string, log: TransportLog): Transport {
      const { spec, password } = front.hostSpec(host);
      return createSshTransport({
        host: spec,
        ...(password === undefined ? {} : { password }),
        hostKeys: trustExactly({ [spec.name]: front.expectedFingerprint(host) }),
        log,
      });
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

    test('a long script on standard input behind the bootstrap is answered from its header', async () => {
      const script = scriptFor(header(front.web, 'iis.reset', '', 'probe'), `# ${'padding '.repeat(1200)}`);
      const delivery = planDelivery(script);
      expect(delivery.kind).toBe('stdin');
      if (delivery.kind !== 'stdin') return;
      const result = await withClient(front.web, (ssh) =>
        ssh.execCommand(delivery.command, { stdin: delivery.stdin }),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/DR:state=/);
      expect(readSentinel(result.stdout)?.exitCode).toBe(0);
    });

    test.each([
      ['no standard input', undefined],
      ['empty standard input', ''],
      ['garbled standard input', 'this is not base64\n'],
      ['base64 of a headerless script', `${Buffer.from("Write-Output '__RC__=0'\n").toString('base64')}\n`],
    ])(
      'the stdin bootstrap with %s fails: exit 1, the refusal on stderr, no sentinel',
      async (_why, stdin) => {
        const before = (await front.state()).events.length;
        const { command } = planDelivery(`${'#'.repeat(9000)}\n`);
        const result = await withClient(front.web, (ssh) =>
          ssh.execCommand(command, stdin === undefined ? {} : { stdin }),
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(STDIN_REFUSED);
        expect(readSentinel(result.stdout)).toBeUndefined();
        expect((await front.state()).events.length).toBe(before);
      },
    );

    test('a long msi.install run step through the SSH transport is one exec channel, no SFTP, no script on disk', async () => {
      const sample = SAMPLES.find((s) => s.action === 'msi.install')!;
      const script = buildScript({
        run: 'contract',
        step: 'contract/msi-install',
        action: sample.action,
        phase: 'run',
        host: front.mps,
        target: sample.target,
        params: sample.params,
      });
      expect(planDelivery(script).kind).toBe('stdin');
      const before = (await front.state()).events.length;
      const events: TransportEvent[] = [];
      const transport = transportTo(front.mps, (event) => events.push(event));
      try {
        const result = await transport.run(script, { timeoutMs: 30_000, scriptName: 'msi-install-run.ps1' });
        expect(readSentinel(result.stdout)).toBeDefined();
      } finally {
        await transport.close();
      }
      expect(events.map((e) => e.type)).toEqual(['connect', 'connected', 'exec', 'execEnd', 'disconnected']);
      expect(events.find((e) => e.type === 'exec')).toMatchObject({ delivery: 'stdin' });
      const after = await front.state();
      const ran = after.events.slice(before);
      expect(ran.length).toBeGreaterThan(0);
      expect(ran.every((e) => e.host === front.mps && e.action === 'msi.install')).toBe(true);
      expect(new Set(ran.map((e) => e.command)).size).toBe(1);
      expect(scriptFiles(after)).toEqual([]);
    });

    test('powershell: persistent runs every script through one shell, an own-process action on a channel of its own', async () => {
      const { spec, password } = front.hostSpec(front.web);
      const events: TransportEvent[] = [];
      const transport = createSshTransport({
        host: { ...spec, powershell: 'persistent' },
        ...(password === undefined ? {} : { password }),
        hostKeys: trustExactly({ [spec.name]: front.expectedFingerprint(front.web) }),
        log: (event) => events.push(event),
      });
      const scripts = [
        buildScript({ ...header(front.web, 'iis.reset', '', 'probe'), params: {} }),
        buildScript({
          ...header(front.web, 'service.restart', 'W3SVC', 'run'),
          params: { timeoutSeconds: 5 },
        }),
        scriptFor(header(front.web, 'iis.reset', '', 'probe'), `# ${'padding '.repeat(1200)}`),
      ];
      const before = (await front.state()).events.length;
      const codes: (number | undefined)[] = [];
      try {
        for (const [i, script] of scripts.entries()) {
          const result = await transport.run(script, {
            timeoutMs: 30_000,
            scriptName: `persistent-${i}.ps1`,
          });
          codes.push(readSentinel(result.stdout)?.exitCode);
          expect(result.stdout).not.toContain('__DR_END__');
        }
        const own = await transport.run(scripts[0]!, {
          timeoutMs: 30_000,
          scriptName: 'own-process.ps1',
          ownProcess: true,
        });
        codes.push(readSentinel(own.stdout)?.exitCode);
      } finally {
        await transport.close();
      }
      expect(codes).toEqual([0, 0, 0, 0]);
      const deliveries = events.flatMap((e) => (e.type === 'exec' ? [e.delivery] : []));
      expect(deliveries).toEqual(['persistent', 'persistent', 'persistent', 'encoded']);
      const after = await front.state();
      const restart = after.events
        .slice(before)
        .filter((e) => e.host === front.web && e.action === 'service.restart');
      expect(restart.map((e) => e.phase)).toEqual(['probe', 'apply', 'verify']);
      expect(scriptFiles(after)).toEqual([]);
    });

    extra?.(() => front);
  });
}
