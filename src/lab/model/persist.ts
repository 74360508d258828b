/**
 * The lab state file: written atomically (temp file, fsync, rename, fsync of the folder) with
 * mode 0600 because it holds the simulated hosts' private keys; validated when read.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DeployError } from '../../errors.js';
import type { LabState } from './state.js';
import { LAB_STATE_VERSION, labStateSchema } from './state.js';

/** Writes `state` to `path` so a crash leaves either the old file or the new one, never a torn one. */
export async function saveState(path: string, state: LabState): Promise<void> {
  const text = JSON.stringify(state);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    // A full disk must not also leave a temp file per failed save behind.
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Reads and validates a lab state file; DeployError(state, LAB_STATE_INVALID) lists what is wrong. */
export async function loadState(path: string): Promise<LabState> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new DeployError('state', `lab state file ${path} cannot be read as JSON`, {
      code: 'LAB_STATE_INVALID',
      hint: 'Move the file aside to start from a fresh estate (new host keys).',
      cause,
    });
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version < LAB_STATE_VERSION) {
    throw new DeployError(
      'state',
      `lab state file ${path} is version ${version}, from an older deploy-rollup`,
      {
        code: 'LAB_STATE_OLD',
        hint: `Version ${LAB_STATE_VERSION} keys installed products by ProductCode; move the file aside to start from a fresh estate (new host keys).`,
      },
    );
  }
  const parsed = labStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DeployError('state', `lab state file ${path} is not a valid lab state`, {
      code: 'LAB_STATE_INVALID',
      problems: parsed.error.issues
        .slice(0, 20)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
      hint: 'Move the file aside to start from a fresh estate (new host keys).',
    });
  }
  return parsed.data;
}
