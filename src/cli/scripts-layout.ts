/**
 * Where `deploy-rollup scripts` puts each script, and what index.json says of it. Paths come
 * from step ids (`stage/host/key`), made safe for every file system the export may be copied
 * to: Windows refuses device names, trailing dots and spaces, and compares names without case.
 */
import { createHash } from 'node:crypto';
import { UPLOAD_ACTIONS } from '../actions/catalog.js';
import { planDelivery } from '../remote/deliver.js';
import type { ExportedStep, RuntimeValue } from '../engine/step-scripts.js';
import type { ScriptPhase } from '../remote/header.js';

export interface IndexEntry {
  step: string;
  stage: string;
  host: string;
  action: string;
  target: string;
  /** Which script of the step: `run` (probe, then apply and verify if needed) or one phase. */
  phase: ScriptPhase;
  /** The host it is sent to (differs from `host` for a check of another host). */
  scriptHost: string;
  /** Relative to the export folder, with `/`. */
  file: string;
  sha256: string;
  bytes: number;
  /** How the transport hands it over: on the command line, or on stdin behind the bootstrap. */
  delivery: 'encodedCommand' | 'stdin';
  /** The run id its header line names (`RUN_ID` unless `--run-id` gave one). */
  runId: string;
  /** False when it holds a run-time marker: then it is not what the run sends, byte for byte. */
  exact: boolean;
  runtime: RuntimeValue[];
  /** Live exports: whether the step's read-only probe found it done (the run then sends only the probe's part). */
  probeDone?: boolean;
  /** `package.upload`: the package file the run copies (SFTP) before this script's apply. */
  uploads?: string;
}

const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

export function safeSegment(text: string): string {
  let safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/[. ]+$/, '');
  if (safe === '' || safe === '.' || safe === '..') safe = '_';
  if (DEVICE.test(safe)) safe = `_${safe}`;
  return safe.slice(0, 80);
}

function fileFor(stepId: string, phase: ScriptPhase, stepHost: string, scriptHost: string): string[] {
  const parts = stepId.split('/').map(safeSegment);
  const last = parts.pop() ?? '_';
  const suffix =
    phase === 'run' ? '' : `.${phase}${scriptHost === stepHost ? '' : `.${safeSegment(scriptHost)}`}`;
  return [...parts, `${last}${suffix}.ps1`];
}

/** Each exported step's scripts as files (relative path → text) and their index entries. */
export function layout(
  exported: readonly ExportedStep[],
  runId: string,
  probes: ReadonlyMap<string, boolean> = new Map(),
): { files: Map<string, string>; index: IndexEntry[] } {
  const files = new Map<string, string>();
  const taken = new Set<string>();
  const index: IndexEntry[] = [];
  for (const { step, scripts, runtime } of exported) {
    for (const { phase, host, script } of scripts) {
      let path = fileFor(step.id, phase, step.host, host);
      // Two ids that sanitise (or case-fold) alike still get files of their own.
      if (taken.has(path.join('/').toLowerCase())) {
        const tag = createHash('sha256').update(`${step.id}|${phase}|${host}`).digest('hex').slice(0, 8);
        const name = path.pop() ?? '_.ps1';
        path = [...path, name.replace(/\.ps1$/, `-${tag}.ps1`)];
      }
      const file = path.join('/');
      taken.add(file.toLowerCase());
      files.set(file, script);
      const probeDone = probes.get(step.id);
      const source = step.params.source;
      index.push({
        step: step.id,
        stage: step.stage,
        host: step.host,
        action: step.action,
        target: step.target,
        phase,
        scriptHost: host,
        file,
        sha256: createHash('sha256').update(script, 'utf8').digest('hex'),
        bytes: Buffer.byteLength(script, 'utf8'),
        delivery: planDelivery(script).kind === 'encoded' ? 'encodedCommand' : 'stdin',
        runId,
        exact: runtime.length === 0,
        runtime,
        ...(probeDone === undefined ? {} : { probeDone }),
        ...(UPLOAD_ACTIONS.has(step.action) && typeof source === 'string' ? { uploads: source } : {}),
      });
    }
  }
  return { files, index };
}
