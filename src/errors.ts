/**
 * The error taxonomy. Every failure the CLI can report is a {@link DeployError} with a code,
 * a hint saying what to do next, and whether retrying could help. The CLI's single top-level
 * catch maps `kind` to an exit code (see {@link EXIT}) and never prints a stack trace for these.
 */

/** Process exit codes: a contract with operators' scripts (docs/contracts.md). */
export const EXIT = {
  done: 0,
  failed: 1,
  badInput: 2,
  preflightBlocked: 3,
  locked: 4,
  waitingForOperator: 10,
} as const;

export type ErrorKind = 'badInput' | 'preflight' | 'locked' | 'remote' | 'gate' | 'state' | 'internal';

const EXIT_BY_KIND: Record<ErrorKind, number> = {
  badInput: EXIT.badInput,
  preflight: EXIT.preflightBlocked,
  locked: EXIT.locked,
  remote: EXIT.failed,
  gate: EXIT.failed,
  state: EXIT.failed,
  internal: EXIT.failed,
};

export interface DeployErrorOptions {
  /** Stable machine-readable code, e.g. `INVENTORY_INVALID`, `MSI_FATAL`. */
  code: string;
  /** What the operator should do next. */
  hint?: string;
  /** Transient failures (connection reset, msiexec 1618) are retried; permanent ones are not. */
  retryable?: boolean;
  /** Several problems reported together (inventory, preflight). */
  problems?: string[];
  cause?: unknown;
}

export class DeployError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly problems: string[];

  constructor(kind: ErrorKind, message: string, options: DeployErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeployError';
    this.kind = kind;
    this.code = options.code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.problems = options.problems ?? [];
  }

  get exitCode(): number {
    return EXIT_BY_KIND[this.kind];
  }
}

/** Composes the message the operator reads: what, the individual problems, then what to do. */
export function formatDeployError(error: DeployError): string {
  const lines = [`error: ${error.message}`];
  for (const problem of error.problems) lines.push(`  - ${problem}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return lines.join('\n');
}

export function isDeployError(value: unknown): value is DeployError {
  return value instanceof DeployError;
}
