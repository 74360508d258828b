/**
 * The transport floor: a bare node-ssh client, one connection per host (TCP_NODELAY), commands
 * in sequence per host, hosts in parallel. Nothing but SSH round trips.
 */
import { connect as netConnect } from 'node:net';
import { NodeSSH } from 'node-ssh';
import { buildScript } from '../src/actions/build-script.js';
import { encodeCommand, POWERSHELL } from '../src/remote/deliver.js';
import type { ScriptPhase } from '../src/remote/header.js';
import type { SshdHosts } from './sshd-hosts.js';

/**
 * An encoded script whose header names `phase`, padded to the size of the engine's real script
 * for a bench step (`registry.remove`, see bench-runbook.ts), so sshd and the forced command do
 * the same work as for the engine's commands.
 */
export function encodedFor(phase: ScriptPhase): string {
  const real = buildScript({
    run: 'run-20260101T000000Z-abc123',
    step: 'work/bench-01/0',
    action: 'registry.remove',
    phase,
    host: 'bench-01',
    target: 'HKLM:\\SOFTWARE\\bench\\0',
    params: {},
  });
  const header = `# deploy-rollup/1 run=bench step=s action=registry.remove phase=${phase}\n`;
  const script = header + '#'.repeat(Math.max(0, real.length - header.length - 1)) + '\n';
  return `${POWERSHELL} -EncodedCommand ${encodeCommand(script)}`;
}

/** Runs `commands` on every host; resolves with the wall time in ms. */
export async function runFloor(fleet: SshdHosts, commands: string[]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    fleet.hosts.map(async (host) => {
      const ssh = new NodeSSH();
      await ssh.connect({
        username: fleet.user,
        privateKey: fleet.privateKey,
        sock: netConnect({ host: '127.0.0.1', port: host.port, noDelay: true }),
      });
      try {
        for (const command of commands) {
          const result = await ssh.execCommand(command);
          if (result.code !== 0) throw new Error(`${host.name}: ${command} exited ${String(result.code)}`);
        }
      } finally {
        ssh.dispose();
      }
    }),
  );
  return performance.now() - started;
}
