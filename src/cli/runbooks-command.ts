/**
 * `runbooks`: what this build can run — each runbook's id (the inventory's `runbook:`), source
 * document, what it does, the roles its hosts take, the facts it branches on, and its inputs.
 */
import { z } from 'zod';
import { DEFAULT_RUNBOOK, RUNBOOKS } from '../../runbooks/index.js';
import { EXIT } from '../errors.js';

interface RunbookListing {
  id: string;
  default: boolean;
  source: string;
  title: string;
  summary: string;
  version: string;
  roles: { id: string; description: string }[];
  facts: { id: string; description: string }[];
  inputs: string[];
  needsPackage: boolean;
}

function inputNames(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

export function listRunbooks(): RunbookListing[] {
  return Object.values(RUNBOOKS).map((runbook) => ({
    id: runbook.id,
    default: runbook.id === DEFAULT_RUNBOOK,
    source: runbook.source,
    title: runbook.title,
    summary: runbook.summary,
    version: runbook.version,
    roles: [...runbook.inventory.roles],
    facts: [...runbook.inventory.facts],
    inputs: inputNames(runbook.inventory.inputs),
    needsPackage: runbook.packageFiles.length > 0,
  }));
}

export function runbooksCommand(
  flags: { json?: boolean },
  out = (text: string) => void process.stdout.write(text),
): number {
  const listing = listRunbooks();
  if (flags.json) {
    out(`${JSON.stringify(listing, null, 2)}\n`);
    return EXIT.done;
  }
  const lines: string[] = [];
  for (const runbook of listing) {
    lines.push(`${runbook.id}${runbook.default ? ' (default)' : ''} — ${runbook.title}`);
    lines.push(`  ${runbook.summary}`);
    lines.push(`  roles: ${runbook.roles.map((role) => role.id).join(', ')}`);
    if (runbook.facts.length > 0) lines.push(`  facts: ${runbook.facts.map((fact) => fact.id).join(', ')}`);
    if (runbook.inputs.length > 0) lines.push(`  inputs: ${runbook.inputs.join(', ')}`);
    lines.push(`  package: ${runbook.needsPackage ? 'yes' : 'none needed'}`);
    lines.push('');
  }
  lines.push('Choose one with `runbook: ID` in the inventory.');
  out(`${lines.join('\n')}\n`);
  return EXIT.done;
}
