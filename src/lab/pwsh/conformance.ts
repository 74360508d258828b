/**
 * Conformance of the scripts with the simulated estate: each case's script runs for real in
 * pwsh against the Windows stand-in (windows-shim.psm1) on a host state, and the model engine
 * (Estate) answers the same script on the same state. Both must agree on every DR line, on
 * done/pending, on each phase's exit code and the script's, and on the host state after.
 */
import { isDeepStrictEqual } from 'node:util';
import { buildScript } from '../../actions/build-script.js';
import type { Inventory } from '../../inventory/types.js';
import type { Params, ScriptPhase } from '../../remote/header.js';
import { SECTION_PREFIX, SECTION_RC_PREFIX, SENTINEL_PREFIX } from '../../remote/header.js';
import { planDelivery } from '../../remote/deliver.js';
import { ManualClock } from '../model/clock.js';
import { Estate } from '../model/estate.js';
import type { LabRunbook } from '../model/lab-profile.js';
import type { HostState } from '../model/state.js';
import { runNative, type NativeContext } from './natives.js';
import { shimFacts } from './shim-facts.js';
import type { ShimHost } from './shim-host.js';

/** One starting state for one step: every phase of it is run against a fresh copy. */
export interface ConformanceCase {
  /** What the state is (`pending`, `absent key`, …), for the report. */
  label: string;
  inventory: Inventory;
  /** The inventory's runbook: the hosts' knowledge (its lab port) in the model and the shim alike. */
  runbook: LabRunbook;
  hostName: string;
  host: HostState;
  action: string;
  target: string;
  params: Params;
  phases?: ScriptPhase[];
  natives?: Partial<Pick<NativeContext, 'installUtilKeys' | 'hotfixTargets'>>;
}

/** What a script's output says: its phases' DR lines and exit codes, and its own exit code. */
export interface Reading {
  sections: { phase: string; dr: string[]; rc: string }[];
  rc: string;
}

export interface Verdict {
  case: string;
  phase: ScriptPhase;
  ok: boolean;
  differences: string[];
}

export const NOW = Date.UTC(2024, 5, 1, 9, 0, 0);

/** Reads stdout lines; `DR:` lines of a phase are sorted (their order carries no meaning). */
export function readOutput(lines: readonly string[], exitCode: number | null): Reading {
  const sections: Reading['sections'] = [{ phase: '', dr: [], rc: '' }];
  let rc = '';
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    const current = sections[sections.length - 1] ?? { phase: '', dr: [], rc: '' };
    if (line.startsWith(SECTION_PREFIX))
      sections.push({ phase: line.slice(SECTION_PREFIX.length), dr: [], rc: '' });
    else if (line.startsWith(SECTION_RC_PREFIX)) current.rc = line.slice(SECTION_RC_PREFIX.length);
    else if (line.startsWith(SENTINEL_PREFIX)) rc = line.slice(SENTINEL_PREFIX.length);
    else if (line.startsWith('DR:')) current.dr.push(line);
  }
  for (const s of sections) s.dr.sort();
  const used = sections.filter((s, i) => i > 0 || s.dr.length > 0);
  return { sections: used, rc: `${rc}|exit ${exitCode ?? 'none'}` };
}

const OPTIONAL = ['registryValues', 'shares', 'fileSystems', 'eventLog', 'serviceInfo'] as const;

/** The state with empty optional tables dropped (absent and empty mean the same on a host). */
export function canonicalHost(host: HostState): HostState {
  const copy = structuredClone(host);
  for (const key of OPTIONAL) {
    const value = copy[key];
    if (value !== undefined && Object.keys(value).length === 0) delete copy[key];
  }
  return copy;
}

/** The paths at which two JSON values differ (at most `limit`). */
export function diffPaths(a: unknown, b: unknown, path = '', out: string[] = [], limit = 8): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = a as Record<string, unknown>;
    const kb = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(ka), ...Object.keys(kb)]))
      diffPaths(ka[key], kb[key], `${path}.${key}`, out, limit);
    return out;
  }
  out.push(`${path}: model ${JSON.stringify(a)?.slice(0, 300)} / pwsh ${JSON.stringify(b)?.slice(0, 300)}`);
  return out;
}

const estates = new Map<Inventory, Estate>();

function estateFor(c: ConformanceCase): Estate {
  let estate = estates.get(c.inventory);
  if (!estate) {
    estate = Estate.create(c.inventory, c.runbook, { clock: new ManualClock(NOW) });
    estates.set(c.inventory, estate);
  }
  return estate;
}

async function runModel(c: ConformanceCase, script: string): Promise<{ reading: Reading; host: HostState }> {
  const estate = estateFor(c);
  estate.state.hosts[c.hostName] = structuredClone(c.host);
  const delivery = planDelivery(script);
  const outcome = await estate.exec(
    c.hostName,
    delivery.command,
    'stdin' in delivery ? delivery.stdin : undefined,
  );
  if (outcome.kind !== 'exit') throw new Error(`the model gave no exit (${outcome.kind})`);
  const host = estate.state.hosts[c.hostName] as HostState;
  return { reading: readOutput(outcome.stdout.split(/\r?\n/), outcome.exitCode), host };
}

/** Runs every phase of `c` both ways and compares. */
export async function checkCase(shim: ShimHost, c: ConformanceCase): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const phase of c.phases ?? (['probe', 'apply', 'verify', 'run'] as const)) {
    const script = buildScript({
      run: 'conformance',
      step: `conformance/${c.hostName}/${c.action}`,
      action: c.action,
      phase,
      host: c.hostName,
      target: c.target,
      params: c.params,
    });
    const model = await runModel(c, script);
    const context: NativeContext = {
      now: NOW,
      inventory: c.inventory,
      lab: c.runbook.lab.knowledge,
      installUtilKeys: c.natives?.installUtilKeys ?? {},
      hotfixTargets: c.natives?.hotfixTargets ?? {},
    };
    const state = estateFor(c).state;
    const real = await shim.run(
      { host: structuredClone(c.host), now: NOW, facts: shimFacts(c.runbook.lab.knowledge) },
      script,
      (host, call) => runNative(host, state, call, context),
    );
    const differences: string[] = [];
    if (real.crash) differences.push(`the runner caught: ${real.crash}`);
    const reading = readOutput(real.stdout, real.exitCode);
    differences.push(...diffPaths(model.reading, reading, 'output'));
    differences.push(...diffPaths(canonicalHost(model.host), canonicalHost(real.host), 'host'));
    if (differences.length > 0 && real.stderr.trim() !== '')
      differences.push(`pwsh stderr: ${real.stderr.trim().slice(0, 600)}`);
    if (process.env.CONFORMANCE_DEBUG)
      console.log(JSON.stringify({ phase, model: model.reading, pwsh: reading, stderr: real.stderr }));
    verdicts.push({
      case: `${c.action} [${c.label}] on ${c.hostName}`,
      phase,
      ok: differences.length === 0,
      differences,
    });
  }
  return verdicts;
}
