/** `--hub-window` overrides the inventory's rollout.hubWindow for one run: the override is used. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { LabEvent } from '../../src/lab/model/state.js';
import { maxHostsAtOnce, tempLab, type CliResult, type TempLab } from './helpers.js';

const HUBS = ['exhub-1', 'exhub-2', 'exhub-3', 'exhub-4'];

/** lab.yaml with four hubs, the inventory keeping hubWindow 1. */
function fourHubs(yaml: string): string {
  const hubs = HUBS.map((h, i) => `  ${h}: { address: 127.0.0.1, port: ${22051 + i}, roles: [exhub] }`).join(
    '\n',
  );
  return yaml
    .replace(/^ {2}exhub-east:.*$/m, hubs)
    .replace(/^ {2}exhub-west:.*$\n/m, '')
    .replace(/exhub-east/g, 'exhub-1')
    .replace(/exhub-west/g, 'exhub-2');
}

describe('--hub-window 2 over an inventory that says hubWindow: 1', () => {
  let lab: TempLab;
  let run: CliResult;
  let restarts: LabEvent[];

  beforeAll(async () => {
    lab = tempLab('lab.yaml', fourHubs);
    // Slow hubs make each restart last long enough for overlaps to be visible in the events.
    const faults = lab.write(
      'faults.yaml',
      HUBS.map((h) => `- { kind: slow, host: ${h}, factor: 0.01 }`).join('\n') + '\n',
    );
    run = await lab.run(['--yes', '--faults', faults, '--hub-window', '2']);
    restarts = lab.applyEvents().filter((e) => e.action === 'service.restart');
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run finishes, restarting transport on every hub, two hubs at a time at most', () => {
    expect(run.code).toBe(0);
    expect(new Set(restarts.map((e) => e.host))).toEqual(new Set(HUBS));
    expect(maxHostsAtOnce(restarts)).toBeLessThanOrEqual(2);
  });

  test('two hubs do restart at once: the override, not the inventory, set the window', () => {
    expect(maxHostsAtOnce(restarts)).toBe(2);
  });
});
