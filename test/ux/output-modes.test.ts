/** Piped output is plain lines without control characters; --json is one JSON object per line. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { makeUxLab, runCli } from './helpers.js';

describe('console output when stderr is not a terminal', () => {
  const plain = makeUxLab();
  const json = makeUxLab();
  afterAll(() => {
    plain.cleanup();
    json.cleanup();
  });

  test('a piped rollout prints timestamped lines, a summary and the report path, with no escape sequences', async () => {
    const result = await runCli([
      '--inventory',
      plain.inventory,
      '--lab',
      '--yes',
      '--state-dir',
      plain.stateDir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d == /m);
    expect(result.stderr).toContain('Summary of run');
    expect(result.stderr).toMatch(/report: .*report\.md/);
  }, 120_000);

  test('--json streams only JSON lines, from run.start to the final result', async () => {
    const result = await runCli([
      '--inventory',
      json.inventory,
      '--lab',
      '--yes',
      '--json',
      '--state-dir',
      json.stateDir,
    ]);
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.length > 0);
    const events = lines.map((line) => JSON.parse(line) as { type: string });
    const types = events.map((e) => e.type);
    expect(types).toContain('run.start');
    expect(types).toContain('stage.start');
    expect(types).toContain('run.end');
    expect(events.at(-1)).toMatchObject({ type: 'result', exitCode: 0 });
    expect(result.stderr).not.toContain('\x1b');
  }, 120_000);
});
