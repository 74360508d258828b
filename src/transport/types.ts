/**
 * One interface for running scripts on a host, whatever carries them (SSH via node-ssh, or
 * local execution via execa when the tool runs on the Windows host itself).
 */

export interface RunOptions {
  /** Hard deadline for the command; on expiry the channel is closed and `timedOut` is set. */
  timeoutMs: number;
  /**
   * A batch of steps: each stdout line that starts with this prefix (a step starting) gives the
   * command its whole `timeoutMs` again (see `deadline.ts`).
   */
  rearmOn?: string;
  signal?: AbortSignal;
  /** Names the script in transport log events (run, step digest and phase; nothing secret). */
  scriptName: string;
  /** Run in a powershell.exe of its own even on a `powershell: persistent` host (see `OWN_PROCESS_ACTIONS`). */
  ownProcess?: boolean;
}

/** The raw outcome of one command, before the sentinel is read. */
export interface RawResult {
  /** Exit status as the transport saw it (undefined when killed, timed out or dropped). */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** The connection dropped while the command ran: it may or may not have completed on the host. */
  dropped: boolean;
  /**
   * Bytes dropped from the front of stdout and stderr (together) to keep each within its bound
   * (the last 64 KiB, which always holds the sentinel line). Absent when nothing was dropped.
   */
  truncatedBytes?: number;
}

export interface Transport {
  readonly host: string;
  /** Open (or reuse) the connection; verifies the host key. */
  connect(): Promise<void>;
  run(script: string, options: RunOptions): Promise<RawResult>;
  /** Upload a local file to a Windows path. */
  upload(
    localPath: string,
    windowsPath: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<void>;
  /**
   * Read a Windows path back (its last `maxBytes` bytes) over the host's SFTP session; undefined
   * when the file is absent. Optional: a transport that cannot read files back has none.
   */
  download?(
    windowsPath: string,
    options: { maxBytes: number; timeoutMs: number; signal?: AbortSignal },
  ): Promise<{ data: Buffer; size: number } | undefined>;
  close(): Promise<void>;
}
