/**
 * Read-only checks before any change, all problems reported at once (exit 3): the package,
 * every host reachable and authenticated, the KB's prerequisites, and the facts with their
 * evidence, compared with any pinned in the inventory.
 *
 * On resume (the run's facts known from its journal) the package is checked against the run's
 * hashes and every host is connected but not inspected again, while the run goes on: see
 * {@link resumePreflight} and {@link reachEveryHost}.
 */
import { readFileSync } from 'node:fs';
import { INSPECT_ACTION } from '../actions/catalog.js';
import { DeployError, EXIT } from '../errors.js';
import type { Facts } from '../inventory/types.js';
import { versionsFor } from '../plan/build-plan.js';
import type { FactEvidence, Inspection, PackageContents, PlanStep } from '../plan/types.js';
import { withRetry } from '../transport/retry.js';
import type { EngineDeps } from './context.js';
import type { RunControl } from './control.js';
import { checkPackage, type PackageCheck } from './package-check.js';
import { HOST_CONCURRENCY, mapBounded } from './bounded.js';
import { runPhase } from './run-phase.js';
import { noteOnwardAuth } from './onward-auth.js';

export interface PreflightResult {
  facts: Required<Facts>;
  evidence: Record<string, FactEvidence>;
  packageHashes: Record<string, string>;
  package: PackageContents;
  inspections: Record<string, Inspection>;
}

/** One line per host that cannot be reached: the code (HOST_KEY_UNKNOWN, SSH_AUTH, ...) lets an operator's script tell problems apart. */
function unreachable(host: { name: string; address: string; port: number }, error: unknown): string {
  const e = error as DeployError;
  const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
  // The transport's message names the endpoint it dialled (with --lab, not the inventory's port):
  // one address per line, the one actually tried.
  const named = e.message?.indexOf(`${host.name} (`) ?? -1;
  const dialled =
    named >= 0 ? /^\(([^)\s]+)\)/.exec(e.message.slice(named + host.name.length + 1))?.[1] : undefined;
  const where = `${host.name} (${dialled ?? `${host.address}:${host.port}`})`;
  return `${where}: ${e.message}${code}${e.hint ? ` — ${e.hint}` : ''}`;
}

/**
 * Opens (and keeps, for the run's steps) the connection to `host`. A host that refuses or
 * resets the first connection (sshd restarting, a switch blip) gets the same bounded retries
 * as any step; only a host that stays unreachable blocks preflight.
 */
function reach(deps: EngineDeps, host: string): Promise<void> {
  return withRetry(() => deps.transport(host).connect(), {
    retries: deps.options.retries,
    minTimeoutMs: deps.options.retryMinMs,
    maxTimeoutMs: deps.options.retryMaxMs,
  });
}

/**
 * A fresh run: the package, every host inspected (`host.inspect`), the runbook's
 * prerequisites, and the facts decided from the inspections. All problems at once; any blocks
 * the run before anything changed.
 */
/**
 * `checkPackage: false` (verify): the package is not judged, and what the caller already read
 * of it (`deps.package`, perhaps nothing) is what the inspection looks products up by.
 */
export async function preflight(
  deps: EngineDeps,
  options: { checkPackage: boolean },
): Promise<PreflightResult> {
  deps.emit({ type: 'preflight', status: 'start' });
  const { runbook, inventory } = deps;
  // The package is hashed and its MSIs read while the hosts are reached and inspected: both only read.
  const packageChecked: Promise<PackageCheck> = options.checkPackage
    ? checkPackage(inventory.packageDir, runbook.packageFiles)
    : Promise.resolve({ hashes: deps.packageHashes, contents: deps.package, problems: [] });
  // Awaited after the hosts; a failure meanwhile must not count as unhandled.
  packageChecked.catch(() => undefined);
  const hostProblems: string[] = [];
  const inspections: Record<string, Inspection> = {};
  await mapBounded(inventory.hosts, HOST_CONCURRENCY, async (host) => {
    try {
      await reach(deps, host.name);
    } catch (error) {
      hostProblems.push(unreachable(host, error));
      return;
    }
    // Read by now (a handshake takes longer): the spec looks products up by the codes the MSIs carry.
    const contents = await packageChecked.then(
      (checked) => checked.contents,
      () => ({}),
    );
    const spec = runbook.inspectSpec(inventory, host.name, contents);
    const step: PlanStep = {
      id: `preflight/${host.name}/inspect`,
      stage: 'preflight',
      host: host.name,
      role: host.roles[0] ?? '',
      action: INSPECT_ACTION,
      target: host.name,
      description: 'inspect',
      params: { ...spec },
    };
    try {
      const result = await runPhase(deps, step, 'probe', step.params);
      if (result.exitCode !== 0)
        hostProblems.push(
          `${host.name}: inspection failed with exit code ${result.exitCode}: ${result.stderr.trim()}`,
        );
      else inspections[host.name] = result.results;
    } catch (error) {
      hostProblems.push(unreachable(host, error));
    }
  });
  const pkg = await packageChecked;
  const problems = [...pkg.problems, ...hostProblems];

  const evaluation = runbook.evaluatePreflight({
    inventory,
    inspections,
    versions: versionsFor(runbook, inventory),
    package: pkg.contents,
  });
  problems.push(...evaluation.problems, ...evaluation.factProblems);
  for (const message of evaluation.notes ?? []) deps.emit({ type: 'note', message });
  const facts: Record<string, boolean> = {};
  const evidence = { ...evaluation.facts };
  for (const name of runbook.facts) {
    const probed = evaluation.facts[name];
    const pinned = inventory.facts[name];
    if (probed && pinned !== undefined && probed.value !== pinned) {
      problems.push(
        `fact ${name}: the inventory pins ${pinned}, but the hosts show ${probed.value} (${probed.evidence.join('; ')}); fix the pin or the estate`,
      );
    }
    const value = probed?.value ?? pinned;
    if (value !== undefined) facts[name] = value;
    if (!probed && pinned !== undefined)
      evidence[name] = { value: pinned, evidence: ['pinned in the inventory'], source: 'inventory' };
  }
  for (const [name, fact] of Object.entries(evidence)) {
    deps.emit({ type: 'fact', name, value: fact.value, source: fact.source, evidence: fact.evidence });
  }
  if (problems.length === 0) await noteOnwardAuth(deps, facts, pkg.contents);
  return finish(deps, problems, {
    facts: facts,
    evidence,
    packageHashes: pkg.hashes,
    package: pkg.contents,
    inspections,
  });
}

function finish(deps: EngineDeps, problems: string[], result: PreflightResult): PreflightResult {
  if (problems.length > 0) {
    deps.emit({ type: 'preflight', status: 'blocked', problems });
    throw blockedBy(problems);
  }
  deps.emit({ type: 'preflight', status: 'ok' });
  return result;
}

/** The error a blocked preflight ends a run with (exit 3): every problem, nothing changed. */
export function blockedBy(problems: string[]): DeployError {
  return new DeployError('preflight', `preflight found ${problems.length} problem(s); nothing was changed`, {
    code: 'PREFLIGHT_BLOCKED',
    problems,
    hint: 'fix these and run the same command again',
  });
}

/**
 * How many of a resume's handshakes start together before any has settled: enough for a small
 * estate's first stage to connect all at once, few enough that the first of a large one's
 * finishes after a handful of handshakes rather than a hundred.
 */
export const FIRST_HANDSHAKES = 8;

/** What {@link reachEveryHost} gives the session. */
export interface Reachability {
  /**
   * Resolves true once `host` is connected (its pinned key proven, the credentials accepted),
   * false if it cannot be; without a host, once every host has been tried, true if all were
   * reached. Never rejects.
   */
  ready: (host?: string) => Promise<boolean>;
  /** Starts connecting every other host (idempotent); until then only hosts asked for connect. */
  begin: () => void;
  /** Every problem, once every host has been tried (empty: all reached); settles only after `begin`. */
  problems: Promise<string[]>;
}

/**
 * A resume's preflight: every host connected — reachable, proving the host key pinned in
 * known_hosts, accepting the credentials — without inspecting it again, and without waiting
 * for it: a stage's hosts are connected first and each starts as it is reached (`ready`), while
 * the rest connect, and the session halts the run, naming every problem at once, if any host
 * cannot be reached. Nothing runs on a host before its own connection proved its key.
 *
 * Why no inspection: the run's facts are in its journal and stand (re-deciding a fact mid-run
 * could switch branches under half-done work). The prerequisites were met when the run started
 * and are not evaluated again: the run itself changes what they read (staging and backups take
 * disk space, products change version), so a resume could be blocked by its own work; a host
 * that lost one since (an account out of Domain Admins) fails its next step with the host's own
 * error, at a resumable point. What must hold before any step runs again holds without
 * inspection: in-flight steps are probed before they are retried (executeStep), the inventory,
 * runbook version and package are compared in the session, and every host's key is proven by
 * its connection before anything runs on it.
 */
export function reachEveryHost(deps: EngineDeps): Reachability {
  const hosts = deps.inventory.hosts;
  const indexOf = new Map(hosts.map((host, i) => [host.name, i]));
  const found: (string | undefined)[] = new Array<string | undefined>(hosts.length);
  // Every host has its promise from the start, so a stage can wait for any of them. Handshakes
  // start FIRST_HANDSHAKES at a time and widen by one with each that settles, up to
  // HOST_CONCURRENCY (slow start): on this one thread a hundred begun at once all finish late
  // together, and the first step would wait for every one of them. Hosts a stage asks for go
  // first, in the order asked; the sweep takes the rest in inventory order.
  const settle: ((ok: boolean) => void)[] = [];
  const reached = hosts.map(() => new Promise<boolean>((resolve) => settle.push(resolve)));
  const started: boolean[] = hosts.map(() => false);
  const asked: number[] = [];
  const swept: number[] = [];
  let inFlight = 0;
  let settled = 0;
  const pump = (): void => {
    while (inFlight < Math.min(HOST_CONCURRENCY, FIRST_HANDSHAKES + settled)) {
      const i = asked.shift() ?? swept.shift();
      if (i === undefined) return;
      const host = hosts[i];
      if (started[i] || !host) continue;
      started[i] = true;
      inFlight++;
      void reach(deps, host.name)
        .then(
          () => true,
          (error: unknown) => {
            found[i] = unreachable(host, error);
            return false;
          },
        )
        .then((ok) => {
          inFlight--;
          settled++;
          settle[i]?.(ok);
          pump();
        });
    }
  };
  let begin = (): void => undefined;
  const problems = new Promise<void>((resolve) => (begin = resolve))
    .then(() => {
      swept.push(...hosts.keys());
      pump();
      return Promise.all(reached);
    })
    .then(() => found.filter((p): p is string => p !== undefined));
  return {
    ready: (host) => {
      if (host === undefined) return problems.then((list) => list.length === 0);
      const index = indexOf.get(host);
      if (index === undefined) return Promise.resolve(false);
      if (!started[index]) {
        asked.push(index);
        pump();
      }
      return reached[index] as Promise<boolean>;
    },
    begin: () => begin(),
    problems,
  };
}

/** What {@link resumePreflight} leaves the session. */
export interface ResumeReach {
  /** Starts connecting the hosts no stage asked for (see {@link Reachability.begin}). */
  begin: () => void;
  /** The hosts that could not be reached, when they are what halted the run. */
  unreachable: () => string[] | undefined;
}

/**
 * A resume's preflight (the run's facts are in its journal): the package checked against the
 * hashes the run recorded in `hashesFile` before anything runs, and every host connected, not
 * inspected again, while the run goes on (see {@link reachEveryHost}). Sets `deps.packageHashes`
 * and `deps.ready`. A package problem or change throws (exit 3) once every host has been tried,
 * so all problems are named at once; a host that cannot be reached halts `control` later,
 * naming every such host.
 */
export async function resumePreflight(
  deps: EngineDeps,
  control: RunControl,
  hashesFile: string,
  runId: string,
): Promise<ResumeReach> {
  deps.emit({ type: 'preflight', status: 'start' });
  const reachability = reachEveryHost(deps);
  const pkg = await checkPackage(deps.inventory.packageDir, deps.runbook.packageFiles);
  if (pkg.problems.length > 0) {
    // Nothing will run: connect every host now, to name all problems at once.
    reachability.begin();
    const problems = [...pkg.problems, ...(await reachability.problems)];
    deps.emit({ type: 'preflight', status: 'blocked', problems });
    throw blockedBy(problems);
  }
  const recorded = JSON.parse(readFileSync(hashesFile, 'utf8')) as Record<string, string>;
  const changed = Object.keys(recorded).filter((f) => recorded[f] !== pkg.hashes[f]);
  if (changed.length > 0) {
    reachability.begin();
    await reachability.problems;
    throw new DeployError('preflight', `the rollup package changed since run ${runId} started`, {
      code: 'PACKAGE_CHANGED',
      problems: changed.map((f) => `${f}: sha256 differs`),
      hint: 'restore the original package, or --abandon the run',
    });
  }
  deps.packageHashes = recorded;
  deps.package = pkg.contents;
  deps.ready = reachability.ready;
  let unreachable: string[] | undefined;
  // A host that cannot be reached halts the run, every such host named at once.
  void reachability.problems.then((problems) => {
    if (problems.length === 0) return deps.emit({ type: 'preflight', status: 'ok' });
    // Steps may be running already: shown as a stop after what is in flight, not as a block.
    deps.emit({ type: 'preflight', status: 'blocked', problems, whileRunning: true });
    if (!control.halted) unreachable = problems;
    control.halt({
      reason: `${problems.length} host(s) cannot be reached: ${problems.join('; ')}`,
      exitCode: EXIT.failed,
      hint: 'make these hosts reachable, or fix their host keys or credentials',
    });
  });
  return { begin: reachability.begin, unreachable: () => unreachable };
}
