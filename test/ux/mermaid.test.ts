/** docs/*-statechart.mmd are generated from the machines and are valid stateDiagram-v2 text. */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOKS } from '../../runbooks/index.js';
import { renderMermaid } from '../../src/plan/render-mermaid.js';
import { REPO } from './helpers.js';

/** Each runbook's diagram in docs/ (UR6's predates the others' naming). */
function docFor(id: string): string {
  return join(REPO, id === 'kb979704' ? 'docs/ur6-statechart.mmd' : `docs/${id}-statechart.mmd`);
}

function current(id = 'kb979704'): string {
  const runbook = RUNBOOKS[id];
  if (!runbook) throw new Error(`${id} runbook missing`);
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
  test.each(Object.keys(RUNBOOKS))(
    'the diagram in docs/ for %s matches what the code generates (regenerate with --format mermaid)',
    (id) => {
      expect(readFileSync(docFor(id), 'utf8')).toBe(current(id));
    },
  );

  test.each(Object.keys(RUNBOOKS))(
    'every line of %s is a transition, composite state, separator or brace',
    (id) => {
      const lines = current(id).trimEnd().split('\n');
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
    },
  );

  test('parallel regions are separated by -- and guards appear as labels', () => {
    const text = current();
    expect(text.match(/^\s+--$/gm)?.length).toBe(4);
    expect(text).toContain('checkUpdateRollup5 --> done : [ur5Installed]');
    expect(text).toContain('stopEngines --> failed : error');
  });
});
