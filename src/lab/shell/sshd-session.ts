/**
 * The sshd process that carries this forced command's connection. A "drop" fault must cut the
 * connection without an exit status, which a child process can only do by ending that sshd
 * process; a "hang" must last as long as the connection does and no longer.
 *
 * Linux only (`/proc`); elsewhere no session is found and the callers fall back.
 */

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const SSHD_NAMES = new Set(['sshd', 'sshd-session']);
const MAX_HOPS = 16;

/**
 * Pid of the nearest sshd ancestor, only when this process runs under sshd (`SSH_CONNECTION`
 * set): outside sshd nothing may ever be signalled.
 */
export function findSshdSession(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!env.SSH_CONNECTION) return undefined;
  let pid = process.ppid;
  for (let hop = 0; hop < MAX_HOPS && pid > 1; hop++) {
    const stat = readStat(pid);
    if (!stat) return undefined;
    if (SSHD_NAMES.has(stat.comm)) return pid;
    pid = stat.ppid;
  }
  return undefined;
}

/** Ends the connection abruptly (SIGKILL: sshd sends nothing more). False if there is no session. */
export function dropSshdSession(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Resolves once the session process is gone, or after `maxMs` (a bound, not an expected end). */
export async function waitWhileSessionLives(
  pid: number | undefined,
  maxMs: number,
  pollMs = 250,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) return;
    await sleep(pollMs);
  }
}

function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function readStat(pid: number): { comm: string; state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself contain spaces or parentheses.
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const [state, ppid] = text.slice(close + 2).split(' ');
    return { comm: text.slice(open + 1, close), state: state ?? '', ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}
