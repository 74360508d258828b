/**
 * The fault file: failure drills for a rehearsal (fail an action N times, drop or hang a
 * command, slow a host, refuse connections, take a host down, an operator who forgets an item).
 * Every problem is reported at once with its file:line:col.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { DeployError } from '../../errors.js';
import { PHASES } from '../../remote/header.js';

const host = z.string().min(1);
const phase = z.enum(PHASES).default('apply');
const times = z.number().int().positive();

const failFault = z
  .object({
    kind: z.literal('fail'),
    host,
    action: z.string().min(1).optional(),
    target: z.string().optional(),
    phase,
    times,
    exitCode: z.number().int(),
  })
  .strict();
const dropFault = z
  .object({
    kind: z.literal('drop'),
    host,
    action: z.string().min(1),
    target: z.string().optional(),
    phase,
    when: z.enum(['before', 'after']),
    times: times.default(1),
  })
  .strict();
const hangFault = z
  .object({
    kind: z.literal('hang'),
    host,
    action: z.string().min(1),
    target: z.string().optional(),
    phase,
    times: times.default(1),
  })
  .strict();
const slowFault = z.object({ kind: z.literal('slow'), host, factor: z.number().positive() }).strict();
const refuseFault = z.object({ kind: z.literal('refuse'), host, times }).strict();
const downFault = z
  .object({ kind: z.literal('down'), host, afterCommands: z.number().int().nonnegative() })
  .strict();
const forgetFault = z
  .object({
    kind: z.literal('forget'),
    gate: z.string().min(1).optional(),
    item: z.string().min(1),
    times: times.default(1),
  })
  .strict();

/** One fault entry, with defaults applied (phase `apply`; drop, hang and forget fire once unless `times`). */
export const faultSchema = z.discriminatedUnion('kind', [
  failFault,
  dropFault,
  hangFault,
  slowFault,
  refuseFault,
  downFault,
  forgetFault,
]);
export type Fault = z.infer<typeof faultSchema>;

/** A fault as a person reads it: its fields in YAML flow style. */
export function describeFault(fault: Fault): string {
  return `{ ${Object.entries(fault)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ')} }`;
}

/** Stable identity of a fault, for its persisted counter. */
export function faultKey(fault: Fault): string {
  return JSON.stringify(Object.entries(fault).sort(([a], [b]) => a.localeCompare(b)));
}

function position(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as (string | number)[], true) as
      { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = counter.linePos(node.range[0]);
      return `${pos.line}:${pos.col}`;
    }
  }
  return '1:1';
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    return 'kind must be one of fail, drop, hang, slow, refuse, down, forget';
  }
  return issue.message;
}

/**
 * Parses and validates fault YAML. `hostNames`, when given, must contain every fault's host.
 * Throws DeployError(badInput, FAULTS_INVALID) listing every problem as `file:line:col: message`.
 */
export function parseFaults(text: string, file: string, hostNames?: readonly string[]): Fault[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const problems: string[] = [];
  for (const error of doc.errors) {
    const pos = counter.linePos(error.pos[0]);
    problems.push(`${file}:${pos.line}:${pos.col}: ${error.message.split('\n')[0] ?? error.message}`);
  }
  let faults: Fault[] = [];
  const inMap = isMap(doc.contents);
  if (problems.length === 0 && doc.contents !== null) {
    const root: unknown = doc.toJS();
    const schema = inMap ? z.object({ faults: z.array(faultSchema) }).strict() : z.array(faultSchema);
    if (!inMap && !isSeq(doc.contents)) {
      problems.push(`${file}:1:1: expected a list of faults (or "faults:" with a list)`);
    } else {
      const parsed = schema.safeParse(root);
      if (parsed.success) {
        faults = Array.isArray(parsed.data) ? parsed.data : parsed.data.faults;
      } else {
        for (const issue of parsed.error.issues) {
          problems.push(
            `${file}:${position(doc, counter, issue.path)}: ${formatPath(issue.path)}${issueMessage(issue)}`,
          );
        }
      }
    }
  }
  if (hostNames && problems.length === 0) {
    faults.forEach((fault, index) => {
      if (!('host' in fault)) return;
      if (hostNames.some((name) => name.toLowerCase() === fault.host.toLowerCase())) return;
      const path = [...(inMap ? ['faults'] : []), index, 'host'];
      problems.push(`${file}:${position(doc, counter, path)}: host "${fault.host}" is not in the inventory`);
    });
  }
  if (problems.length > 0) {
    throw new DeployError('badInput', `fault file ${file} is invalid`, {
      code: 'FAULTS_INVALID',
      problems,
      hint: 'Each fault needs a kind (fail, drop, hang, slow, refuse, down, forget) and the fields that kind takes; see the lab documentation.',
    });
  }
  return faults;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') + ': '
  );
}

/** Reads and validates a fault file. */
export async function loadFaults(path: string, hostNames?: readonly string[]): Promise<Fault[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new DeployError('badInput', `cannot read fault file ${path}`, { code: 'FAULTS_INVALID', cause });
  }
  return parseFaults(text, path, hostNames);
}
