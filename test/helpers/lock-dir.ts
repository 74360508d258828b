/**
 * Each test file gets its own run-lock folder. The run lock is keyed by the estate (the
 * inventory's real path and its hosts), not by the state folder, so two test files rehearsing
 * the same shipped inventory in different state folders would otherwise fence each other off
 * (exit 4). Tests of the lock itself set DEPLOY_ROLLUP_LOCK_DIR again where they need to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';

const dir = mkdtempSync(join(tmpdir(), 'dr-locks-'));
process.env.DEPLOY_ROLLUP_LOCK_DIR = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
