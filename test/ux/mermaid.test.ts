/** docs/ur6-statechart.mmd is generated from the machine and is valid stateDiagram-v2 text. */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOKS } from '../../runbooks/index.js';
import { renderMermaid } from '../../src/plan/render-mermaid.js';
import { REPO } from './helpers.js';

const DOC = join(REPO, 'docs/ur6-statechart.mmd');

function current(): string {
  const runbook = RUNBOOKS.kb979704;
  if (!runbook) throw new Error('kb979704 runbook missing');
  return renderMermaid(runbook.machine);
}

const ID = '[A-Za-z][A-Za-z0-9_]*';
const LINE = [
  /^stateDiagram-v2$/,
  new RegExp(`^\\s*(\\[\\*\\]|${ID}) --> (\\[\\*\\]|${ID})( : [^:]+)?$`),
  new RegExp(`^\\s*state ${ID} \\{$`),
  /^\s*\}$/,
  /^\s*--$/,
];

describe('the Mermaid statechart', () => {
  test('docs/ur6-statechart.mmd matches what the code generates (regenerate with --format mermaid)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(current());
  });

  test('every line is a stateDiagram-v2 transition, composite state, region separator or closing brace', () => {
    const lines = current().trimEnd().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    for (const line of lines)
      expect(LINE.some((pattern) => pattern.test(line)) ? line : `bad: ${line}`).toBe(line);
    let depth = 0;
    for (const line of lines) {
      if (line.endsWith('{')) depth++;
      if (line.trim() === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
      if (line.trim() === '--') expect(depth).toBeGreaterThan(0);
    }
    expect(depth).toBe(0);
  });

  test('parallel regions are separated by -- and guards appear as labels', () => {
    const text = current();
    expect(text.match(/^\s+--$/gm)?.length).toBe(4);
    expect(text).toContain('checkUpdateRollup5 --> done : [ur5Installed]');
    expect(text).toContain('stopEngines --> failed : error');
  });
});
