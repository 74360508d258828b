/** `--hub-window` overrides the inventory's rollout.hubWindow for one run: the override is used. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { LabEvent } from '../../src/lab/model/state.js';
import {
  FOUR_HUBS,
  fourHubLab,
  maxHostsAtOnce,
  runWithSlowHubs,
  type CliResult,
  type TempLab,
} from './helpers.js';

describe('--hub-window 2 over an inventory that says hubWindow: 1', () => {
  let lab: TempLab;
  let run: CliResult;
  let restarts: LabEvent[];

  beforeAll(async () => {
    lab = fourHubLab();
    ({ run, restarts } = await runWithSlowHubs(lab, ['--hub-window', '2']));
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run finishes, restarting transport on every hub, two hubs at a time at most', () => {
    expect(run.code).toBe(0);
    expect(new Set(restarts.map((e) => e.host))).toEqual(new Set(FOUR_HUBS));
    expect(maxHostsAtOnce(restarts)).toBeLessThanOrEqual(2);
  });

  test('two hubs do restart at once: the override, not the inventory, set the window', () => {
    expect(maxHostsAtOnce(restarts)).toBe(2);
  });
});
