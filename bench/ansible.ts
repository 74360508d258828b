/**
 * The Ansible baseline: `ansible-playbook` with N `raw` tasks against the same sshd hosts,
 * forks = hosts, once without connection reuse and once with ControlPersist (+ pipelining).
 * Installs ansible-core with apt-get when it is missing; reports it unavailable if that fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshdHosts } from './sshd-hosts.js';

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Path of ansible-playbook, installing ansible-core via apt-get if needed (says so on stderr). */
export function ensureAnsible(log: (line: string) => void): string | undefined {
  const present = which('ansible-playbook');
  if (present) return present;
  log('ansible-playbook not found: installing ansible-core with apt-get (needs root and network)');
  try {
    execFileSync('apt-get', ['install', '-y', 'ansible-core'], { stdio: 'ignore', timeout: 300_000 });
  } catch (error) {
    log(
      `apt-get install ansible-core failed (${(error as Error).message.split('\n')[0] ?? ''}): Ansible reported as unavailable`,
    );
    return undefined;
  }
  return which('ansible-playbook');
}

/** Runs the playbook; resolves with wall ms. */
export async function runAnsible(
  playbookBin: string,
  fleet: SshdHosts,
  tasks: number,
  reuse: boolean,
): Promise<number> {
  const dir = join(fleet.dir, reuse ? 'ansible-cp' : 'ansible-plain');
  await mkdir(join(dir, 'cp'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const inventory = join(dir, 'hosts.ini');
  await writeFile(
    inventory,
    [
      '[bench]',
      ...fleet.hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port}`),
      '',
    ].join('\n'),
  );
  const playbook = join(dir, 'play.yml');
  const steps = Array.from({ length: tasks }, (_, i) => `    - name: step ${i}\n      raw: 'true'\n`).join(
    '',
  );
  await writeFile(playbook, `- hosts: bench\n  gather_facts: false\n  tasks:\n${steps}`);
  const env = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_FORKS: String(fleet.hosts.length),
    ANSIBLE_REMOTE_USER: fleet.user,
    ANSIBLE_PRIVATE_KEY_FILE: fleet.keyFile,
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
    // Ansible %-formats this (%% → %); ssh expands %C, so close() below finds the same sockets.
    ANSIBLE_SSH_CONTROL_PATH: `${join(dir, 'cp')}/%%C`,
    ANSIBLE_PIPELINING: reuse ? 'True' : 'False',
    ANSIBLE_SSH_ARGS: reuse
      ? '-o ControlMaster=auto -o ControlPersist=60s'
      : '-o ControlMaster=no -o ControlPath=none',
  };
  const started = performance.now();
  const result = spawnSync(playbookBin, ['-i', inventory, playbook], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const wall = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`ansible-playbook exited ${String(result.status)}: ${result.stdout.slice(-800)}`);
  if (reuse && existsSync(join(dir, 'cp'))) {
    // Close the persisted masters this run opened, so no ssh process outlives the bench.
    for (const h of fleet.hosts)
      spawnSync(
        'ssh',
        [
          '-o',
          `ControlPath=${join(dir, 'cp')}/%C`,
          '-O',
          'exit',
          '-p',
          String(h.port),
          `${fleet.user}@127.0.0.1`,
        ],
        {
          stdio: 'ignore',
        },
      );
  }
  return wall;
}
