/**
 * The estate lease: a lock on the estate itself, so two operators on two workstations (two state
 * folders, two local run locks) cannot run against one estate at once. Terraform's state lock is
 * the model; Ansible has none.
 *
 * The lease is a file on the lease host, the host the runbook names for it (the Deployment Tool
 * host for KB979704: the first MPS server; else the inventory's first host), taken atomically
 * (see `src/remote/lease-script.ts`) before the run's first change, naming run id, holder
 * (user@workstation), token and expiry. It is renewed before every command that may apply
 * (the renewal checks the token: one round trip to the lease host, shared by the lanes that ask
 * while it is under way) and every third of its time to live while the run goes on, and released
 * when the session ends. A lease another holder took, or one removed by hand, stops the run
 * (exit 4) before its next change; an expired lease of another holder is taken over only with
 * `--take-over-lease`, naming that holder.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { DeployError } from '../errors.js';
import type { Runbook } from '../plan/types.js';
import type { Inventory } from '../inventory/types.js';
import { readResultLines } from '../remote/header.js';
import { buildLeaseScript, LEASE_PATH, type LeaseOp } from '../remote/lease-script.js';
import { withRetry } from '../transport/retry.js';
import type { EngineDeps } from './context.js';
import { sendScript } from './run-phase.js';

/** The default time to live: a run that dies holding the lease blocks others this long at most. */
export const LEASE_TTL_SECONDS = 300;
/** Moves the time to live (seconds), e.g. for drills. */
export const LEASE_TTL_ENV = 'DEPLOY_ROLLUP_LEASE_TTL';

export interface HeldLease {
  readonly host: string;
  readonly token: string;
  /** Renews the lease, checking it is still ours; throws `LEASE_LOST` or `LEASE_UNCHECKED`. */
  check(): Promise<void>;
  /** Stops renewing and removes the lease if it is still ours (best effort). */
  release(): Promise<void>;
}

/** The host the estate lease lives on: the runbook's choice, else the inventory's first host. */
export function leaseHostFor(runbook: Runbook, inventory: Inventory): string {
  const host = runbook.leaseHost?.(inventory) ?? inventory.hosts[0]?.name;
  if (host === undefined) throw new Error('the inventory has no hosts');
  return host;
}

/** Who holds a lease this process takes: `user@workstation`. */
export function leaseHolder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the workstation still tells holders apart.
  }
  return `${user}@${hostname()}`;
}

function ttlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[LEASE_TTL_ENV]);
  return Number.isInteger(value) && value > 0 ? value : LEASE_TTL_SECONDS;
}

type Answer = Record<string, string>;

function describeHolder(answer: Answer): string {
  const get = (key: string): string => answer[`lease.${key}`] ?? '?';
  return `${get('holder')} (run ${get('runId')}, since ${get('since')}, expires ${get('expires')})`;
}

/** Sends one lease operation; the answer's `DR:` fields, or a retryable error when it did not finish. */
async function send(deps: EngineDeps, host: string, op: LeaseOp, fields: LeaseFields): Promise<Answer> {
  const script = buildLeaseScript({ op, host, path: LEASE_PATH, ...fields });
  return withRetry(
    async () => {
      const sent = await sendScript(deps, host, script, `the estate lease (${op}) on ${host}`, {
        timeoutMs: deps.options.probeTimeoutMs,
        scriptName: `${fields.runId}-estate-lease-${op}.ps1`,
      });
      if (sent.failure) throw sent.failure;
      if (sent.sentinel.exitCode !== 0) {
        throw new DeployError(
          'remote',
          `the estate lease script failed on ${host}: ${sent.raw.stderr.trim()}`,
          {
            code: 'LEASE_SCRIPT_FAILED',
            hint: `check that ${LEASE_PATH} on ${host} can be created and written`,
          },
        );
      }
      return readResultLines(sent.sentinel.output);
    },
    {
      retries: deps.options.retries,
      minTimeoutMs: deps.options.retryMinMs,
      maxTimeoutMs: deps.options.retryMaxMs,
    },
  );
}

interface LeaseFields {
  token: string;
  runId: string;
  holder: string;
  ttlSeconds: number;
  takeOver: boolean;
}

/**
 * Takes the estate lease for run `runId` on `host`, or throws: `LEASE_HELD` (exit 4) naming the
 * holder, with a hint to `--take-over-lease` when it has expired; `LEASE_UNREACHABLE` (exit 3,
 * nothing changed) when the lease host cannot be asked.
 */
export async function takeLease(
  deps: EngineDeps,
  input: { host: string; runId: string; takeOver: boolean },
): Promise<HeldLease> {
  const { host } = input;
  const fields: LeaseFields = {
    token: randomBytes(16).toString('hex'),
    runId: input.runId,
    holder: leaseHolder(),
    ttlSeconds: ttlSeconds(),
    takeOver: input.takeOver,
  };
  const taken = await send(deps, host, 'take', fields).catch((cause: unknown) => {
    throw new DeployError(
      'preflight',
      `cannot take the estate lease on ${host}: ${(cause as Error).message}`,
      {
        code: 'LEASE_UNREACHABLE',
        hint: `nothing was changed; make ${host} reachable (it keeps the estate lease, ${LEASE_PATH}), then run the same command again`,
        cause,
      },
    );
  });
  if (taken.lease === 'busy') {
    const expired = taken['lease.expired'] === 'true';
    throw new DeployError('locked', `the estate lease on ${host} is held by ${describeHolder(taken)}`, {
      code: 'LEASE_HELD',
      hint: expired
        ? `that lease has expired: if its run is gone, take it over with --take-over-lease`
        : `another workstation is running against this estate; wait for it to end (or, if it is gone, until ${taken['lease.expires'] ?? 'the lease expires'} and then use --take-over-lease)`,
    });
  }
  if (taken.lease !== 'taken' && taken.lease !== 'held') {
    throw new DeployError('remote', `the estate lease on ${host} answered "${taken.lease ?? ''}"`, {
      code: 'LEASE_SCRIPT_FAILED',
    });
  }
  if (taken['lease.holder'] !== undefined) {
    deps.emit({
      type: 'note',
      message: `took over the estate lease on ${host} from ${describeHolder(taken)}`,
    });
  }
  return held(deps, host, fields);
}

function held(deps: EngineDeps, host: string, fields: LeaseFields): HeldLease {
  let lost: DeployError | undefined;
  let inFlight: Promise<void> | undefined;
  let released = false;
  const renew = async (): Promise<void> => {
    let answer: Answer;
    try {
      answer = await send(deps, host, 'renew', fields);
    } catch (cause) {
      throw new DeployError(
        'remote',
        `cannot check the estate lease on ${host}: ${(cause as Error).message}`,
        {
          code: 'LEASE_UNCHECKED',
          hint: `nothing more was sent; make ${host} reachable, then resume`,
          cause,
        },
      );
    }
    if (answer.lease === 'held') return;
    const what = answer.lease === 'missing' ? 'removed' : `taken by ${describeHolder(answer)}`;
    lost = new DeployError('locked', `the estate lease on ${host} was ${what} while this run held it`, {
      code: 'LEASE_LOST',
      hint: 'this run stopped before its next change; make sure no other run is going, then resume',
    });
    throw lost;
  };
  const check = (): Promise<void> => {
    if (lost) return Promise.reject(lost);
    if (released) return Promise.reject(new Error('the estate lease was released'));
    inFlight ??= renew().finally(() => (inFlight = undefined));
    return inFlight;
  };
  const timer = setInterval(
    () => void check().catch(() => undefined),
    Math.max(1000, (fields.ttlSeconds * 1000) / 3),
  );
  timer.unref();
  return {
    host,
    token: fields.token,
    check,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await inFlight?.catch(() => undefined);
      if (lost) return;
      await send(deps, host, 'release', fields).catch((error: unknown) =>
        deps.emit({
          type: 'note',
          message: `could not release the estate lease on ${host} (${(error as Error).message}); it expires by itself`,
        }),
      );
    },
  };
}
