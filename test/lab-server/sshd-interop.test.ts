/**
 * The lab behind a real OpenSSH sshd: the same front contract as the in-process ssh2 server, plus
 * what only this front must prove (the state file shared by concurrent sessions, drop and hang
 * faults ending or holding a real sshd session).
 *
 * Needs /usr/sbin/sshd (Debian: openssh-server) and a built tree (`npm run build`; `npm test`
 * builds first). Without sshd the suite fails in CI and is skipped, loudly, elsewhere.
 */

import { expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildScript } from '../../src/actions/build-script.js';
import { commandFor } from '../../src/lab/model/command.js';
import { planDelivery } from '../../src/remote/deliver.js';
import { readSentinel } from '../../src/remote/header.js';
import { trustExactly } from '../../src/transport/host-keys.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import { describeFrontContract, header } from './front-contract.js';
import { within } from './helpers.js';
import { forcedCommandsRunning, SSHD, startSshdFront, type SshdFixture } from './sshd-fixture.js';

const MPS = 'hmc-mps-a';
const WEB = 'hmc-web-b';
const FAULTS = [
  `- { kind: drop, host: ${WEB}, action: iis.reset, phase: apply, when: before }`,
  `- { kind: hang, host: ${MPS}, action: complus.start, phase: apply }`,
  '',
].join('\n');

if (!existsSync(SSHD)) {
  const message = `${SSHD} is missing: the real-OpenSSH interop tests cannot run (apt-get install openssh-server)`;
  if (process.env.CI) {
    test('OpenSSH sshd is installed for the interop tests', () => {
      throw new Error(message);
    });
  } else {
    console.warn(`\n*** SKIPPED: ${message} ***\n`);
    test.skip('lab behind a real OpenSSH sshd', () => undefined);
  }
} else {
  describeFrontContract(
    'the forced command behind real OpenSSH sshd',
    () => startSshdFront([MPS, WEB], FAULTS),
    (fixture) => {
      const front = (): SshdFixture => fixture() as SshdFixture;

      test('concurrent sessions on both hosts each leave their event in the shared state file', async () => {
        const before = (await front().state()).events.length;
        const [mps, web] = await Promise.all([front().connect(MPS), front().connect(WEB)]);
        try {
          const results = await Promise.all([
            ...Array.from({ length: 4 }, () =>
              mps.execCommand(commandFor(header(MPS, 'iis.reset', '', 'probe'))),
            ),
            ...Array.from({ length: 4 }, () =>
              web.execCommand(commandFor(header(WEB, 'iis.reset', '', 'probe'))),
            ),
          ]);
          expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
        } finally {
          mps.dispose();
          web.dispose();
        }
        expect((await front().state()).events.length).toBe(before + 8);
      });

      test('a long run step through the SSH transport opens one sshd session: no SFTP session beside its exec', async () => {
        const script = buildScript({
          run: 'interop',
          step: 'interop/msi-install',
          action: 'msi.install',
          phase: 'run',
          host: MPS,
          target: 'Categorizeroverrideagent-x64.msi',
          params: {
            product: 'Categorizer Override Agent',
            productCode: '{1C5F7056-FC42-C489-4723-3156E8CF7E93}',
            path: 'C:\\MSIShare\\UR6\\Categorizeroverrideagent-x64.msi',
            version: '4.5.0.0',
            log: 'C:\\MSIShare\\Logs\\agent-install.log',
          },
        });
        expect(planDelivery(script).kind).toBe('stdin');
        const transport = createSshTransport({
          host: front().hostSpec(MPS).spec,
          hostKeys: trustExactly({ [MPS]: front().expectedFingerprint(MPS) }),
        });
        const before = new Set((await front().connections(MPS)).keys());
        await transport.connect();
        try {
          const result = await transport.run(script, { timeoutMs: 30_000, scriptName: 'interop.ps1' });
          expect(readSentinel(result.stdout)).toBeDefined();
        } finally {
          await transport.close();
        }
        // Counted once sshd has logged this connection's end, which follows its session lines.
        // (A fixed wait here failed on a busy machine, where sshd's monitor logs late.) The bound
        // is a deadline for a broken sshd, not a guess at how long logging takes.
        const ours = async () => [...(await front().connections(MPS))].filter(([port]) => !before.has(port));
        for (let i = 0; i < 600; i++) {
          const seen = await ours();
          if (seen.length > 0 && seen.every(([, c]) => c.ended)) break;
          await sleep(50);
        }
        expect((await ours()).map(([, c]) => c)).toEqual([{ sessions: 1, ended: true }]);
      });

      test('a drop fault ends the sshd session: no output, no exit status', async () => {
        const ssh = await front().connect(WEB);
        try {
          const result = await within(
            ssh.execCommand(commandFor(header(WEB, 'iis.reset', '', 'apply'))),
            15_000,
            'timeout' as const,
          );
          expect(result).toMatchObject({ code: null, stdout: '' });
        } finally {
          ssh.dispose();
        }
      });

      test('a hang fault never answers, and its forced command ends once the client hangs up', async () => {
        const ssh = await front().connect(MPS);
        const result = await within(
          ssh.execCommand(commandFor(header(MPS, 'complus.start', 'Provisioning Engine', 'apply'))),
          1500,
          'no answer' as const,
        );
        ssh.dispose();
        expect(result).toBe('no answer');
        let left = forcedCommandsRunning(front().dir);
        // Up to 30 s: on a loaded 2-core machine sshd may take a while to notice the hang-up.
        for (let i = 0; i < 300 && left.length > 0; i++) {
          await sleep(100);
          left = forcedCommandsRunning(front().dir);
        }
        expect(left).toEqual([]);
      });
    },
  );
}
