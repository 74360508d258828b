/** What a lock file holds, and reading it back without trusting it. */

/** Who holds the run lock: shown to anyone who finds it taken. */
export interface LockHolder {
  runId: string;
  pid: number;
  /** `os.hostname()` of the holder: a lock is only ever judged stale on its own host. */
  host: string;
  /** ISO 8601: when this process took the lock. */
  startedAt: string;
  /** The command line, for the operator who finds the lock. */
  command: string;
}

/** The lock file's content: the holder plus what proves it is still the same process. */
export interface LockRecord extends LockHolder {
  /** `/proc/<pid>/stat` field 22 of the holder (Linux): tells a reused pid from the holder. */
  procStart?: string;
  /** `/proc/sys/kernel/random/boot_id` when the lock was taken (Linux). */
  bootId?: string;
  /**
   * Random, written once by the holder: the holder re-reads the file before each side effect and
   * stops if the token is gone or another (the file was removed, or replaced by someone else).
   */
  token?: string;
}

/** Parses lock file text; undefined if it is not a complete lock record (empty, torn, foreign). */
export function readLockHolder(text: string): LockRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const value = parsed as Record<string, unknown>;
  const { runId, pid, host, startedAt, command, procStart, bootId, token } = value;
  if (typeof runId !== 'string' || typeof host !== 'string' || typeof startedAt !== 'string')
    return undefined;
  if (typeof command !== 'string' || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0)
    return undefined;
  const record: LockRecord = { runId, pid, host, startedAt, command };
  if (typeof procStart === 'string') record.procStart = procStart;
  if (typeof bootId === 'string') record.bootId = bootId;
  if (typeof token === 'string') record.token = token;
  return record;
}
