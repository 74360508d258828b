/**
 * What a network front needs from the host model. The real `Estate` (`src/lab/model/estate.ts`)
 * satisfies this structurally; declaring the narrow port here keeps the fronts independent of the
 * model's other methods and lets a test hand in a small fake when it must control timing.
 */

/** How a simulated host answers one command. */
export type ExecOutcome =
  | { kind: 'exit'; stdout: string; stderr: string; exitCode: number }
  /** Close the connection without an exit status, after sending `stdout`. */
  | { kind: 'drop'; stdout: string }
  /** Never answer. */
  | { kind: 'hang' };

/** The slice of the estate that the SSH server and the forced command drive. */
export interface EstatePort {
  hostNames(): string[];
  /** The host's SSH host key: an OpenSSH-format ed25519 private key and its `SHA256:` fingerprint. */
  hostKey(host: string): { privateKey: string; fingerprint: string };
  /** A connection-level fault active for the host right now, if any. */
  connectFault(host: string): 'refuse' | 'down' | undefined;
  /**
   * Runs one command; `stdin`: the channel's standard input up to EOF, for the stdin bootstrap
   * only; `early`: stdout the command writes before it ends (the outcome holds the rest).
   */
  exec(host: string, command: string, stdin?: string, early?: (stdout: string) => void): Promise<ExecOutcome>;
  writeFile(host: string, windowsPath: string, content: Buffer): void;
  readFile(host: string, windowsPath: string): Buffer | undefined;
  statFile(host: string, windowsPath: string): { size: number } | undefined;
  /** Whether the path is a folder holding files (SFTP stat of a folder); absent: no folders known. */
  isDirectory?(host: string, windowsPath: string): boolean;
}
