/**
 * The scripts run for real in pwsh against the Windows stand-in, and the model engine answers the
 * same scripts on the same host states: every DR line, exit code and resulting state must agree.
 */
import { describe, expect, test } from '@jest/globals';
import { runConformance } from '../../conformance/main.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';

// CI has pwsh; a developer machine without it skips rather than fails.
const available = findPwsh() !== undefined;

describe('script / model conformance', () => {
  (available || process.env.CI ? test : test.skip)(
    'every case agrees in pwsh and in the model',
    async () => {
      const mismatches: string[] = [];
      const { summary } = await runConformance({ log: (line) => mismatches.push(line) });
      expect(mismatches).toEqual([]);
      expect(summary.mismatches).toBe(0);
      expect(summary.scripts).toBeGreaterThanOrEqual(200);
      expect(summary.pwsh).toMatch(/^\d+\.\d+/);
    },
    600_000,
  );
});
