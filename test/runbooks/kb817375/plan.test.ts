/**
 * KB817375 plans, offline: every branch of the statechart (Mapi32.dll already fixed, the hotfix,
 * the workaround) with its stages, steps, targets and hosts, and a missing fact as a clear error.
 */
import { describe, expect, test } from '@jest/globals';
import { planStages } from '../../../src/plan/build-plan.js';
import type { Stage } from '../../../src/plan/types.js';
import { kb817375 } from '../../../runbooks/kb817375/index.js';
import { MAPI_PROFILE_KEY } from '../../../runbooks/kb817375/data.js';
import { HOSTS, MAPI32, PACKAGE_PATH, exchangeInventory } from './helpers.js';

function summary(stages: Stage[]) {
  return stages.map((s) => ({
    stage: s.id,
    window: s.window,
    lanes: s.lanes.map((l) => ({ host: l.host, steps: l.steps.map((st) => `${st.action} ${st.target}`) })),
  }));
}

const plan = (facts: Record<string, boolean>, extra = {}) =>
  planStages(kb817375, exchangeInventory(facts, undefined, extra), facts);

describe('the KB817375 plan', () => {
  test('with Mapi32.dll already fixed, only a read-only version check runs on every server', async () => {
    const stages = await plan({ mapi32Current: true });
    expect(summary(stages)).toEqual([
      {
        stage: 'confirmMapi32',
        window: 1,
        lanes: HOSTS.map((host) => ({ host, steps: ['file.checkVersion Mapi32.dll'] })),
      },
    ]);
    expect(stages[0]?.lanes[0]?.steps[0]?.params).toMatchObject({ path: MAPI32, minVersion: '6.0.6448.0' });
  });

  test('the hotfix path uploads the package, then per server notes, stops, installs and restarts', async () => {
    const stages = await plan({ mapi32Current: false, useWorkaround: false });
    expect(stages.map((s) => s.id)).toEqual(['uploadHotfix', 'applyHotfix']);
    const apply = stages[1]!;
    expect(apply.lanes.map((l) => l.host)).toEqual(HOSTS);
    for (const lane of apply.lanes) {
      expect(lane.steps.map((s) => s.action)).toEqual([
        'service.listRunning',
        'service.stopList',
        'hotfix.install',
        'service.startList',
      ]);
      expect(lane.steps.every((s) => s.host === lane.host && s.role === 'exchange')).toBe(true);
      const [find, stop, install, start] = lane.steps;
      expect(find?.params).toEqual({ module: 'mapi32.dll', services: [] });
      // Stop and start both use exactly the set the find step noted in the journal.
      const noted = `{{capture:applyHotfix/${lane.host}/find-mapi32-services:services}}`;
      expect(stop?.params.services).toBe(noted);
      expect(start?.params.services).toBe(noted);
      expect(stop?.raises?.map((o) => o.id)).toEqual([`services:${lane.host}`]);
      expect(stop?.raises?.[0]?.remedy.map((s) => s.action)).toEqual(['service.startList']);
      expect(start?.discharges).toEqual([`services:${lane.host}`]);
      expect(install?.params).toMatchObject({ path: PACKAGE_PATH, file: MAPI32, version: '6.0.6448.0' });
    }
    expect(stages[0]?.lanes.map((l) => l.steps.map((s) => `${s.action} ${s.target}`))).toEqual(
      HOSTS.map(() => ['package.upload Exchange2000-KB817375-x86-ENU.exe']),
    );
  });

  test('the workaround path restarts System Attendant with its dependants, then checks the profile key', async () => {
    const stages = await plan({ mapi32Current: false, useWorkaround: true });
    expect(stages.map((s) => s.id)).toEqual(['restartSystemAttendant']);
    for (const lane of stages[0]!.lanes) {
      expect(lane.steps.map((s) => `${s.action} ${s.target}`)).toEqual([
        'service.listRunning MSExchangeSA',
        'service.stopList noted services',
        'service.startList noted services',
        `registry.checkKey ${MAPI_PROFILE_KEY}`,
      ]);
      expect(lane.steps[0]?.params).toEqual({ module: '', services: ['MSExchangeSA'] });
    }
  });

  test('a custom Exchange folder moves every file the plan names', async () => {
    const stages = await plan(
      { mapi32Current: false, useWorkaround: false },
      { inputs: { exchangeDir: 'E:\\Apps\\Exchsrvr' } },
    );
    expect(stages[1]?.lanes[0]?.steps[2]?.params.file).toBe('E:\\Apps\\Exchsrvr\\bin\\mapi32.dll');
  });

  test('the rollout window sizes the waves', async () => {
    const stages = await plan(
      { mapi32Current: false, useWorkaround: false },
      { rollout: { window: 2, hubWindow: 1, errorBudget: 0 } },
    );
    expect(stages.every((s) => s.window === 2)).toBe(true);
  });

  test.each([
    [{}, 'mapi32Current'],
    [{ mapi32Current: false }, 'useWorkaround'],
  ])('a plan without the fact a branch needs (%j) is a clear error naming %s', async (facts, missing) => {
    await expect(plan(facts)).rejects.toMatchObject({
      code: 'FACT_MISSING',
      message: expect.stringContaining(`"${missing}"`) as unknown,
      hint: expect.stringContaining(`facts: { ${missing}: false }`) as unknown,
    });
  });

  test('the machine does not ask about the workaround when Mapi32.dll is already fixed', async () => {
    await expect(plan({ mapi32Current: true })).resolves.toHaveLength(1);
  });
});
