/** Finds the simulated estate `--lab` saved under a state dir (one inventory per test state dir). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.ps1` file on any host of a lab state: a script that landed on a disk. */
export function scriptFiles(state: { hosts: Record<string, { files?: unknown }> }): string[] {
  return Object.entries(state.hosts).flatMap(([name, host]) =>
    Object.keys((host.files ?? {}) as Record<string, unknown>)
      .filter((path) => /\.ps1$/i.test(path))
      .map((path) => `${name}: ${path}`),
  );
}

/** The lab state file under `stateDir`, or undefined when no `--lab` run saved one. */
export function labStateFile(stateDir: string): string | undefined {
  const dir = join(stateDir, 'lab');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  if (files.length > 1)
    throw new Error(`${dir} holds ${files.length} lab states; expected one inventory per test`);
  return files[0] === undefined ? undefined : join(dir, files[0]);
}

/** The lab state file under `stateDir`; throws when there is none. */
export function requireLabStateFile(stateDir: string): string {
  const file = labStateFile(stateDir);
  if (!file) throw new Error(`no lab state under ${stateDir}`);
  return file;
}
