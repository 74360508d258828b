/**
 * The estate lease's PowerShell script, run by real PowerShell against a real file system (a
 * temp folder standing in for the lease host's disk): one taker wins, a second is refused with
 * the holder shown, a renewal needs the token, an expired lease is taken over only when asked,
 * release removes only our own lease. Also parsed for what Windows PowerShell 2.0 lacks.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPs3Constructs } from '../../src/actions/ps2-rules.js';
import { findPwsh } from '../../src/lab/pwsh/shim-host.js';
import { readResultLines, readSentinel } from '../../src/remote/header.js';
import { buildLeaseScript, type LeaseRequest } from '../../src/remote/lease-script.js';
import { errorsOf, parse } from '../actions/ps-tree.js';

const PWSH = findPwsh();
const tier = PWSH || process.env.CI ? test : test.skip;

let dir: string;
let path: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dr-lease-'));
  path = join(dir, 'deploy-rollup', 'estate.lease');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function request(overrides: Partial<LeaseRequest>): LeaseRequest {
  return {
    op: 'take',
    host: 'hmc-mps-a',
    path,
    token: 'a'.repeat(32),
    runId: '20260101-000000-aaaa',
    holder: "o'neil@ws-one",
    ttlSeconds: 600,
    takeOver: false,
    ...overrides,
  };
}

function run(req: LeaseRequest): Record<string, string> {
  const file = join(dir, 'lease.ps1');
  writeFileSync(file, buildLeaseScript(req));
  const ran = spawnSync(PWSH ?? 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const sentinel = readSentinel(ran.stdout);
  if (sentinel?.exitCode !== 0) throw new Error(`lease script failed: ${ran.stderr}\n${ran.stdout}`);
  return readResultLines(sentinel.output);
}

describe('the lease script', () => {
  test('is Windows PowerShell 2.0 script and parses', () => {
    const script = buildLeaseScript(request({}));
    expect(findPs3Constructs(script)).toEqual([]);
    expect(errorsOf(parse(script))).toEqual([]);
  });

  tier('one workstation takes it; a second is refused and shown the holder', () => {
    expect(run(request({}))).toMatchObject({ lease: 'taken' });
    expect(readFileSync(path, 'utf8')).toContain("holder=o'neil@ws-one");
    const second = run(
      request({ token: 'b'.repeat(32), runId: '20260101-000000-bbbb', holder: 'eve@ws-two' }),
    );
    expect(second).toMatchObject({
      lease: 'busy',
      'lease.expired': 'false',
      'lease.holder': "o'neil@ws-one",
      'lease.runId': '20260101-000000-aaaa',
    });
    expect(second['lease.token']).toBeUndefined();
    // Even asked to take over, a lease that has not expired stays with its holder.
    const forced = run(request({ token: 'b'.repeat(32), holder: 'eve@ws-two', takeOver: true }));
    expect(forced.lease).toBe('busy');
  });

  tier('renewal needs the token; a replaced lease is lost to its old holder', () => {
    expect(run(request({ op: 'renew' })).lease).toBe('held');
    expect(run(request({ op: 'renew', token: 'c'.repeat(32) })).lease).toBe('lost');
    expect(run(request({ op: 'release', token: 'c'.repeat(32) })).lease).toBe('notOurs');
    expect(existsSync(path)).toBe(true);
  });

  tier('an expired lease is taken over only with takeOver, naming the old holder', () => {
    const text = readFileSync(path, 'utf8').replace(/expiresTicks=\d+/, 'expiresTicks=1');
    writeFileSync(path, text);
    const refused = run(request({ token: 'b'.repeat(32), holder: 'eve@ws-two' }));
    expect(refused).toMatchObject({ lease: 'busy', 'lease.expired': 'true' });
    const taken = run(request({ token: 'b'.repeat(32), holder: 'eve@ws-two', takeOver: true }));
    expect(taken).toMatchObject({ lease: 'taken', 'lease.holder': "o'neil@ws-one" });
    expect(run(request({ op: 'renew' })).lease).toBe('lost');
    expect(run(request({ op: 'release', token: 'b'.repeat(32) })).lease).toBe('released');
    expect(existsSync(path)).toBe(false);
    expect(run(request({ op: 'renew' })).lease).toBe('missing');
  });
});
