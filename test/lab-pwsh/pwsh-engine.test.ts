/**
 * The pwsh engine's processes: every pwsh it starts (the dotnet tool's launcher and the
 * `dotnet pwsh.dll` it starts) has ended once the engine is closed, and a script it runs sees the
 * host state and hands the state back. Skipped without pwsh, except on CI.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createEstate } from '../helpers/lab-estate.js';
import { PwshEngine } from '../../src/lab/pwsh/pwsh-engine.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';
import { buildScript } from '../../src/actions/build-script.js';
import { planDelivery } from '../../src/remote/deliver.js';
import { loadInventory } from '../../src/cli/inventory.js';
import { ROOT } from '../e2e/helpers.js';
import { join } from 'node:path';

const withPwsh = findPwsh() !== undefined || process.env.CI ? test : test.skip;

/** Every process in the process group each engine pid leads (its pwsh and what that started). */
function groupMembers(pgids: number[]): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, pgid]) => pgids.includes(pgid ?? -1))
    .map(([pid]) => pid ?? -1);
}

describe('PwshEngine', () => {
  withPwsh(
    'runs a script against the host state and ends every process it started',
    async () => {
      const inventory = await loadInventory(join(ROOT, 'inventory', 'lab.yaml'));
      const engine = await PwshEngine.start({ poolSize: 2 });
      const pids = engine.pids();
      expect(pids).toHaveLength(2);
      expect(groupMembers(pids).length).toBeGreaterThanOrEqual(2);
      try {
        const estate = createEstate(inventory, { engine });
        const delivery = planDelivery(
          buildScript({
            run: 'r1',
            step: 'stopEngines/hmc-mps-a/engine-disable',
            action: 'complus.disable',
            phase: 'run',
            host: 'hmc-mps-a',
            target: 'Provisioning Engine',
            params: {},
          }),
        );
        const outcome = await estate.exec(
          'hmc-mps-a',
          delivery.command,
          'stdin' in delivery ? delivery.stdin : undefined,
        );
        expect(outcome).toMatchObject({ kind: 'exit', exitCode: 0 });
        expect(estate.state.hosts['hmc-mps-a']?.comPlus['Provisioning Engine']?.enabled).toBe(false);
        expect(estate.state.events.map((e) => [e.phase, e.exitCode, e.command])).toEqual([
          ['probe', 0, 1],
          ['apply', 0, 1],
          ['verify', 0, 1],
        ]);
      } finally {
        await engine.close();
      }
      expect(groupMembers(pids)).toEqual([]);
    },
    120_000,
  );
});
