/** The runbook phase of the loader: each runbook judges its own roles, facts, lab: and inputs:. */
import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { RUNBOOKS } from '../../runbooks/index.js';
import { parseInventory } from '../../src/cli/inventory.js';
import { strict } from '../../src/inventory/inventory-schema.js';
import type { InventoryProfile } from '../../src/inventory/profile.js';
import { expected } from '../../src/inventory/inventory-problem.js';

/** A runbook that moves something to a drive: one role, no facts, one required input. */
const MOVER: InventoryProfile = {
  roles: [{ id: 'connector', description: 'the connector server' }],
  requiredRoles: [{ role: 'connector', why: 'the postoffice lives there' }],
  facts: [],
  lab: strict({ fat: z.boolean().default(false) }, 'a map of lab settings (fat)'),
  inputs: strict(
    {
      drive: z
        .string({ error: expected('a drive letter such as D') })
        .regex(/^[A-Z]$/, { error: expected('a drive letter such as D') }),
    },
    'a map of inputs (drive)',
  ),
};
const runbooks = { ...RUNBOOKS, mover: { inventory: MOVER } };
const HOSTS =
  'defaults: { auth: { agent: true } }\nhosts:\n  mc1: { address: 10.0.0.1, roles: [connector] }\n';

function problemsOf(yaml: string): string[] {
  try {
    parseInventory(yaml, 'inv.yaml', { runbooks });
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
  throw new Error('expected the inventory to be refused');
}

describe("a runbook's inventory profile", () => {
  test('inputs are parsed by the runbook and land on the inventory', () => {
    const inv = parseInventory(`runbook: mover\ninputs: { drive: E }\nlab: {}\n${HOSTS}`, 'inv.yaml', {
      runbooks,
    });
    expect(inv.inputs).toEqual({ drive: 'E' });
    expect(inv.lab).toEqual({ fat: false });
    expect(inv.roles).toEqual({ connector: ['mc1'] });
  });

  test('a missing inputs section names the input it needs', () => {
    expect(problemsOf(`runbook: mover\n${HOSTS}`)).toEqual([
      expect.stringMatching(/^inv\.yaml:1:1: inputs\.drive: missing.*add an `inputs:` section/),
    ]);
  });

  test('a bad input, an unknown lab key and a UR6 role are each located at their line', () => {
    const yaml = `runbook: mover\ninputs: { drive: e: }\nlab: { ur5Installed: true }\n${HOSTS.replace('[connector]', '[connector, mps]')}`;
    const problems = problemsOf(yaml.replace('{ drive: e: }', '{ drive: "e:" }'));
    expect(problems).toEqual([
      expect.stringMatching(/^inv\.yaml:2:\d+: inputs\.drive: expected a drive letter such as D/),
      expect.stringMatching(
        /^inv\.yaml:3:\d+: lab\.ur5Installed: unknown key "ur5Installed".*allowed keys: fat/i,
      ),
      expect.stringMatching(
        /^inv\.yaml:6:\d+: hosts\.mc1\.roles\[1\]: unknown role "mps" for runbook mover.*connector/,
      ),
    ]);
  });

  test('a fact the runbook does not decide is refused; so is an input it does not take, naming those it does', () => {
    const problems = problemsOf(
      `facts: { ur5Installed: false, ur5Instaled: true }\ninputs: { drive: D }\n${HOSTS.replace('[connector]', '[mps]')}`,
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^inv\.yaml:1:\d+: facts\.ur5Instaled: unknown fact "ur5Instaled" for runbook kb979704; did you mean "ur5Installed"\?/,
      ),
      expect.stringMatching(
        /^inv\.yaml:2:11: inputs\.drive: unknown key "drive"; allowed keys: productsAbsent/,
      ),
    ]);
  });

  test('a required role nobody has is named with the reason', () => {
    const problems = problemsOf(
      `runbook: mover\ninputs: { drive: D }\n${HOSTS.replace('[connector]', '[mps]')}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'no host has role connector; runbook mover needs at least one (the postoffice lives there)',
        ),
      ]),
    );
  });
});
