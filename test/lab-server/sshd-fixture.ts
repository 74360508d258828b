/**
 * Real OpenSSH `sshd` instances on loopback serving lab hosts through the forced command
 * (`dist/src/cli/lab-shell-main.js`), configured for a sandbox with no root-owned config: every
 * path absolute in a temp dir, no PAM, no strict modes, public-key login, and each host's
 * estate host key as sshd's own host key so fingerprints match the ssh2 front.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../src/cli/inventory.js';
import { openEstate } from '../helpers/lab-estate.js';
import { loadState } from '../../src/lab/model/persist.js';
import type { FrontFixture } from './front-contract.js';
import { connectClient, freeLowPort, generateEd25519 } from './helpers.js';

export const SSHD = '/usr/sbin/sshd';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built forced command; `DEPLOY_ROLLUP_DIST` points elsewhere when dist/ is not current. */
export const SHELL_MAIN = join(
  process.env.DEPLOY_ROLLUP_DIST ?? join(REPO, 'dist'),
  'src/cli/lab-shell-main.js',
);

export interface SshdFixture extends FrontFixture {
  dir: string;
  statePath: string;
  /**
   * The logged-in connections to `host` sshd has logged so far, by client port: how many session
   * channels each started and whether its end is logged. sshd writes a connection's lines after
   * the fact (through its privilege-separation monitor) but in order, so once a connection's
   * end is logged, every session line of it is there too.
   */
  connections(host: string): Promise<Map<number, { sessions: number; ended: boolean }>>;
}

/** Reads sshd's VERBOSE log (see {@link SshdFixture.connections}). */
export function parseConnections(log: string): Map<number, { sessions: number; ended: boolean }> {
  const byPort = new Map<number, { sessions: number; ended: boolean }>();
  for (const line of log.split('\n')) {
    const port = Number(/ port (\d+)/.exec(line)?.[1]);
    if (line.startsWith('Accepted publickey for ')) byPort.set(port, { sessions: 0, ended: false });
    const known = byPort.get(port);
    if (!known) continue;
    if (line.startsWith('Starting session: ')) known.sessions++;
    if (/^(Disconnected from user|Connection closed by)/.test(line)) known.ended = true;
  }
  return byPort;
}

/** Starts one sshd per host (`hosts[0]` an mps host, `hosts[1]` a webServices host). */
export async function startSshdFront(hosts: [string, string], faultYaml: string): Promise<SshdFixture> {
  if (!existsSync(SHELL_MAIN)) {
    throw new Error(`${SHELL_MAIN} is missing: run \`npm run build\` first (npm test does)`);
  }
  await mkdir('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
  const dir = await mkdtemp(join(tmpdir(), 'lab-sshd-'));
  const children: ChildProcess[] = [];
  try {
    const user = userInfo().username;
    const client = generateEd25519();
    const stranger = generateEd25519();
    await writeFile(join(dir, 'id_ed25519'), client.private, { mode: 0o600 });
    await writeFile(join(dir, 'id_ed25519.pub'), client.public);
    await writeFile(join(dir, 'authorized_keys'), `${client.public}\n`);
    const ports = [await freeLowPort(), await freeLowPort()];
    const inventoryPath = join(dir, 'lab.yaml');
    await writeFile(inventoryPath, inventoryYaml(hosts, ports, user, join(dir, 'id_ed25519')));
    const faultsPath = join(dir, 'faults.yaml');
    await writeFile(faultsPath, faultYaml);
    const statePath = join(dir, 'state.json');
    const inventory = await loadInventory(inventoryPath);
    const estate = await openEstate(inventory, { statePath });
    await estate.flush();

    for (const [i, host] of hosts.entries()) {
      const port = ports[i]!;
      const inst = join(dir, `inst-${port}`);
      await mkdir(inst);
      await writeFile(join(inst, 'host_key'), estate.hostKey(host).privateKey, { mode: 0o600 });
      const force = join(inst, 'force.sh');
      await writeFile(
        force,
        `#!/bin/sh\nexec "${process.execPath}" "${SHELL_MAIN}" --inventory "${inventoryPath}" --state "${statePath}" --host "${host}" --faults "${faultsPath}"\n`,
      );
      await chmod(force, 0o755);
      const config = join(inst, 'sshd_config');
      await writeFile(config, sshdConfig(port, inst, join(dir, 'authorized_keys'), force));
      const child = spawn(SSHD, ['-D', '-f', config, '-E', join(inst, 'sshd.log')], { stdio: 'ignore' });
      children.push(child);
      await waitForListening(port, child, join(inst, 'sshd.log'));
    }

    const portOf = (host: string): number => ports[hosts.indexOf(host)]!;
    return {
      dir,
      statePath,
      mps: hosts[0],
      web: hosts[1],
      connect: (host, seen) =>
        connectClient({
          port: portOf(host),
          username: user,
          privateKey: client.private,
          ...(seen ? { seen } : {}),
        }),
      connectWrongly: (host) =>
        connectClient({ port: portOf(host), username: user, privateKey: stranger.private }),
      hostSpec: (host) => ({ spec: inventory.hosts.find((h) => h.name === host)! }),
      expectedFingerprint: (host) => estate.hostKey(host).fingerprint,
      connections: async (host) => {
        const log = await readFile(join(dir, `inst-${portOf(host)}`, 'sshd.log'), 'utf8');
        return parseConnections(log);
      },
      state: () => loadState(statePath),
      close: async () => {
        await stopAll(children);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll(children);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Pids of forced commands still running for this fixture (their command line names its dir). */
export function forcedCommandsRunning(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(SHELL_MAIN) && cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function inventoryYaml(hosts: [string, string], ports: number[], user: string, keyFile: string): string {
  return [
    'runbook: kb979704',
    'defaults:',
    `  user: ${user}`,
    `  auth: { keyFile: ${keyFile} }`,
    'hosts:',
    `  ${hosts[0]}: { address: 127.0.0.1, port: ${ports[0]}, roles: [mps] }`,
    `  ${hosts[1]}: { address: 127.0.0.1, port: ${ports[1]}, roles: [webServices] }`,
    'lab:',
    '  ur5Installed: false',
    '  upgradedFromHmc40: true',
    '',
  ].join('\n');
}

function sshdConfig(port: number, inst: string, authorizedKeys: string, force: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(inst, 'host_key')}`,
    `PidFile ${join(inst, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    `ForceCommand ${force}`,
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'MaxStartups 50:30:100',
    // VERBOSE logs "Starting session: …" for every session channel (exec and sftp alike).
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function waitForListening(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    const up = await new Promise<boolean>((done) => {
      const socket = netConnect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (up) return;
    await sleep(100);
  }
  const text = await readFile(log, 'utf8').catch(() => '(no log)');
  throw new Error(`sshd on port ${port} did not start:\n${text}`);
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(hard);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
