/** Rolling hub transport restarts: the window bounds how many hubs restart at once, and is used. */
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

describe('hub transport restarts with hubWindow 2 on four hubs', () => {
  let lab: TempLab;
  let run: CliResult;
  let restarts: LabEvent[];

  beforeAll(async () => {
    lab = fourHubLab(2);
    ({ run, restarts } = await runWithSlowHubs(lab));
  }, 120_000);
  afterAll(() => lab.cleanup());

  test('the run finishes and restarts transport on every hub', () => {
    expect(run.code).toBe(0);
    expect(new Set(restarts.map((e) => e.host))).toEqual(new Set(FOUR_HUBS));
  });

  test('at most two hubs restart transport at any instant', () => {
    expect(maxHostsAtOnce(restarts)).toBeLessThanOrEqual(2);
  });

  test('two hubs do restart at the same time at least once, so the window is used', () => {
    expect(maxHostsAtOnce(restarts)).toBe(2);
  });
});
