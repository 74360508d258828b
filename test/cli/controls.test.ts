/**
 * The operator controls as read from the command line: names and roles expand to hosts, bad
 * values are exit-2 errors that say what to give, and what is journalled names the flags.
 */
import { describe, expect, test } from '@jest/globals';
import { controlsEntry, readControls, withRollout } from '../../src/cli/controls.js';
import { loadInventory } from '../../src/cli/inventory.js';

const inventory = await loadInventory('inventory/lab.yaml');

describe('readControls', () => {
  test.each([
    [{ window: 'abc' }, '--window expects a whole number of at least 1, got "abc"'],
    [{ window: '0' }, '--window expects a whole number of at least 1'],
    [{ hubWindow: '1.5' }, '--hub-window expects a whole number of at least 1'],
    [{ errorBudget: '-1' }, '--error-budget expects a whole number of at least 0'],
    [{ errorBudget: '' }, '--error-budget expects a whole number'],
    [{ limit: 'nosuch' }, '--limit: "nosuch" is neither a host nor a role'],
    [{ exclude: ' , ' }, '--exclude needs host names or roles'],
    [{ limit: 'exhub', exclude: 'exhub-east,exhub-west' }, 'leave no host to work on'],
  ])('%o is exit 2: %s', (flags, message) => {
    let thrown: unknown;
    try {
      readControls(flags, inventory);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ exitCode: 2, message: expect.stringContaining(message) });
  });

  test('a role stands for its hosts; --exclude takes hosts out of --limit', () => {
    const controls = readControls({ limit: 'exhub,dns-main', exclude: 'EXHUB-WEST' }, inventory);
    const all = inventory.hosts.map((h) => h.name);
    expect(all.filter((h) => !controls.selection?.excluded.includes(h)).sort()).toEqual([
      'dns-main',
      'exhub-east',
    ]);
  });

  test('the overrides replace the inventory rollout for the run only, and are journalled with the flags', () => {
    const controls = readControls({ hubWindow: '2', errorBudget: '0', exclude: 'exhub-west' }, inventory);
    expect(withRollout(inventory, controls).rollout).toEqual({
      ...inventory.rollout,
      hubWindow: 2,
      errorBudget: 0,
    });
    expect(inventory.rollout.hubWindow).toBe(1);
    expect(controlsEntry(controls, 'op')).toEqual({
      type: 'run.controls',
      by: 'op',
      rollout: { hubWindow: 2, errorBudget: 0 },
      excluded: ['exhub-west'],
      flags: '--hub-window 2 --error-budget 0 --exclude exhub-west',
    });
    expect(controlsEntry(readControls({}, inventory), 'op')).toBeUndefined();
  });
});
