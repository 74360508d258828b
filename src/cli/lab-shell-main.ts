#!/usr/bin/env node
/**
 * Standalone entry for the forced command, so an sshd can run it without the full CLI:
 *
 *     node dist/src/cli/lab-shell-main.js --inventory FILE --state FILE --host NAME [--faults FILE]
 *
 * Same behaviour as `deploy-rollup lab shell`. The process sshd spawns per connection has no
 * composition root of its own: this entry is it. It lives under src/cli/ because `labShell`
 * resolves the inventory's runbook and hands it to the estate (the lab never looks one up).
 */

import { parseArgs } from 'node:util';
import { labShell } from './lab-commands.js';
import { EXIT, formatDeployError, isDeployError } from '../errors.js';

async function main(argv: string[]): Promise<number> {
  let values: { inventory?: string; state?: string; host?: string; faults?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        inventory: { type: 'string' },
        state: { type: 'string' },
        host: { type: 'string' },
        faults: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`lab shell: ${(error as Error).message}\n`);
    return EXIT.badInput;
  }
  const { inventory, state, host, faults } = values;
  if (!inventory || !state || !host) {
    process.stderr.write('usage: lab shell --inventory FILE --state FILE --host NAME [--faults FILE]\n');
    return EXIT.badInput;
  }
  try {
    return await labShell({
      inventoryFile: inventory,
      stateFile: state,
      host,
      ...(faults ? { faultsFile: faults } : {}),
    });
  } catch (error) {
    process.stderr.write(
      isDeployError(error) ? `${formatDeployError(error)}\n` : `lab shell: ${String(error)}\n`,
    );
    return isDeployError(error) ? error.exitCode : EXIT.failed;
  }
}

// A Unix exit status is one byte; the script's sentinel line carries the full Windows code.
const code = await main(process.argv.slice(2));
process.exit(code & 0xff);
