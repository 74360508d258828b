/** Step ids: distinct by construction where inventory values slug alike, and checked per plan. */
import { describe, expect, test } from '@jest/globals';
import { isDeployError } from '../../src/errors.js';
import type { PlanStep, Stage } from '../../src/plan/types.js';
import { requireUniqueStepIds } from '../../src/plan/unique-ids.js';
import { distinctSlugs, makeStep, slug } from '../../runbooks/common/steps.js';

const step = (key: string, target: string): PlanStep =>
  makeStep('stopConnector', 'h1', 'connector', {
    key,
    action: 'service.stop',
    target,
    description: `Stop ${target}`,
  });
const stage = (steps: PlanStep[]): Stage =>
  ({ id: 'stopConnector', title: 't', kind: 'hosts', lanes: [{ host: 'h1', steps }] }) as Stage;

describe('distinctSlugs', () => {
  test('values that slug alike get their own suffix; the others keep their slug', () => {
    const keyOf = distinctSlugs(['PCMTA_A', 'PCMTA-A', 'MSExchangePCMTA01']);
    expect(slug('PCMTA_A')).toBe(slug('PCMTA-A'));
    expect(keyOf('PCMTA_A')).not.toBe(keyOf('PCMTA-A'));
    expect(keyOf('PCMTA_A')).toMatch(/^pcmta-a-[0-9a-f]{8}$/);
    expect(keyOf('MSExchangePCMTA01')).toBe('msexchangepcmta01');
    // Stable: the same value gives the same key across plans (resumes match the journal).
    expect(distinctSlugs(['PCMTA-A', 'PCMTA_A'])('PCMTA_A')).toBe(keyOf('PCMTA_A'));
  });
});

describe('requireUniqueStepIds', () => {
  test('a plan of distinct ids passes', () => {
    expect(() => requireUniqueStepIds([stage([step('stop-a', 'A'), step('stop-b', 'B')])])).not.toThrow();
  });

  test('two steps of one id: exit 2, naming both', () => {
    let thrown: unknown;
    try {
      requireUniqueStepIds([stage([step('stop-a', 'PCMTA_A'), step('stop-a', 'PCMTA-A')])]);
    } catch (error) {
      thrown = error;
    }
    expect(isDeployError(thrown) && thrown.code).toBe('STEP_ID_COLLISION');
    expect(isDeployError(thrown) && thrown.exitCode).toBe(2);
    const problems = isDeployError(thrown) ? (thrown.problems ?? []) : [];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('stopConnector/h1/stop-a');
    expect(problems[0]).toContain('service.stop PCMTA_A');
    expect(problems[0]).toContain('service.stop PCMTA-A');
  });
});
