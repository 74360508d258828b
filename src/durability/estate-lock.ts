/**
 * Where the run lock lives and what it is keyed by: the estate, not the state folder.
 *
 * One lock per estate per user, in a per-user folder that `--state-dir` does not move:
 *
 *     $DEPLOY_ROLLUP_LOCK_DIR                       when set (tests, shared service accounts)
 *     %LOCALAPPDATA%\deploy-rollup\locks            Windows
 *     $XDG_STATE_HOME/deploy-rollup/locks           elsewhere, when XDG_STATE_HOME is set
 *     ~/.local/state/deploy-rollup/locks            otherwise
 *
 * The key is a hash of the inventory's real path (symlinks resolved) and its hosts' addresses
 * (`address:port`, sorted): the same inventory reached through a symlink, or run with another
 * `--state-dir`, takes the same lock. Two users, or two workstations, do not share this folder:
 * the estate lease (`src/engine/lease.ts`) is what fences them.
 *
 * The journal of a run is locked too, by a sidecar `journal.lock` beside it (see
 * {@link journalLockPath}): Node has no flock/fcntl lock without a native addon, and an
 * O_CREAT|O_EXCL file with the holder's token is the same mechanism as the run lock, shows who
 * holds it, and works on every local file system. It keeps a second process out of a run's
 * journal even when the run lock file was deleted by hand.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The environment variable that moves the lock folder. */
export const LOCK_DIR_ENV = 'DEPLOY_ROLLUP_LOCK_DIR';

/** The per-user folder that holds estate locks (see the module comment). */
export function lockRoot(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const override = env[LOCK_DIR_ENV];
  if (override) return resolve(override);
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'deploy-rollup', 'locks');
  const state = env.XDG_STATE_HOME ? resolve(env.XDG_STATE_HOME) : join(homedir(), '.local', 'state');
  return join(state, 'deploy-rollup', 'locks');
}

/** The inventory's path with symlinks resolved (the resolved path if it does not exist yet). */
export function realInventoryPath(inventoryFile: string): string {
  const path = resolve(inventoryFile);
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * 16 hex digits of the SHA-256 of the inventory's real path and its hosts' `address:port`,
 * sorted: the same for every way of naming one inventory file.
 */
export function estateKey(
  inventoryFile: string,
  hosts: readonly { address: string; port: number }[],
): string {
  const addresses = hosts.map((h) => `${h.address.toLowerCase()}:${h.port}`).sort();
  return createHash('sha256')
    .update([realInventoryPath(inventoryFile), ...addresses].join('\n'), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

/** The estate lock file for `key`. */
export function estateLockPath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(lockRoot(env), `estate-${key}.lock`);
}

/** The sidecar lock of a run's journal: held while the journal is open for writing. */
export function journalLockPath(runDir: string): string {
  return join(resolve(runDir), 'journal.lock');
}
