/**
 * No secret at rest: a whole lab rollout with a known password, then every byte the tool wrote
 * (run directory, lab state, report, package hashes) and everything it printed is searched for
 * the password in the forms it could leak in: plain, base64 (as in -EncodedCommand, at every
 * byte alignment) and UTF-16LE base64.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  filesUnder,
  labInventory,
  modeOf,
  PASSWORD_VAR,
  readLabState,
  removeDir,
  runCli,
  sharedPackage,
  tempDir,
  type CliResult,
} from './helpers.js';

const PASSWORD = 'S3cret-Known-Pa55!';

/**
 * The base64 text that encoding `bytes` produces wherever they sit in a longer buffer: one form
 * per alignment (offset mod 3), trimmed to the characters that depend on `bytes` alone.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms.filter((form) => form.length >= 12);
}

const NEEDLES = [
  PASSWORD,
  ...base64Forms(Buffer.from(PASSWORD, 'utf8')),
  ...base64Forms(Buffer.from(PASSWORD, 'utf16le')),
  Buffer.from(PASSWORD, 'utf16le').toString('latin1'),
  encodeURIComponent(PASSWORD),
];

function leaks(text: string): string[] {
  return NEEDLES.filter((needle) => text.includes(needle));
}

describe('a lab rollout with a known password', () => {
  let dir: string;
  let stateDir: string;
  let result: CliResult;

  beforeAll(async () => {
    dir = tempDir('secrets');
    const packageDir = await sharedPackage(dir);
    const inventory = labInventory(dir, packageDir);
    stateDir = join(dir, 'state');
    result = await runCli(
      ['--inventory', inventory, '--lab', '--yes', '--state-dir', stateDir, '--verbose'],
      { cwd: dir, env: { [PASSWORD_VAR]: PASSWORD } },
    );
  });
  afterAll(() => removeDir(dir));

  test('completes, so the scan below covers a whole run', () => {
    expect(result.stderr.slice(-400)).toMatch(/finished: the runbook is applied/);
    expect(result.code).toBe(0);
  });

  test('the needles include the encoded forms the password would take inside -EncodedCommand', () => {
    expect(NEEDLES.length).toBeGreaterThan(6);
    const script = Buffer.from(`x $p = '${PASSWORD}'`, 'utf16le').toString('base64');
    expect(leaks(script).length).toBeGreaterThan(0);
  });

  test('never writes the password, plainly or encoded, to any file under the state dir or the temp dir', () => {
    const files = filesUnder(dir).filter((path) => !path.startsWith(join(dir, 'pkg')));
    const names = files.map((path) => path.slice(stateDir.length + 1));
    for (const expected of [
      '.json', // the lab state: lab/<inventory>-<key>.json
      'journal.jsonl',
      'snapshot.json',
      'audit.jsonl',
      'run.json',
      'package-hashes.json',
    ]) {
      expect(names.some((name) => name.endsWith(expected))).toBe(true);
    }
    const found = files
      .map((path) => ({
        path,
        leaks: leaks(readFileSync(path).toString('latin1')).concat(leaks(readFileSync(path, 'utf8'))),
      }))
      .filter((f) => f.leaks.length > 0);
    expect(found).toEqual([]);
  });

  test('never prints the password on stdout or stderr, even with every command shown', () => {
    expect(result.stderr.length).toBeGreaterThan(1000);
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
  });

  test('keeps every file it wrote private to the operator (mode 0600)', () => {
    const files = filesUnder(stateDir);
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((path) => (modeOf(path) & 0o077) !== 0)).toEqual([]);
    expect(modeOf(stateDir) & 0o077).toBe(0);
  });

  test('logs each command in the audit log without the password, as no process argv carries it', () => {
    const audit = filesUnder(stateDir).find((path) => path.endsWith('audit.jsonl'));
    expect(audit).toBeDefined();
    const lines = readFileSync(audit!, 'utf8').split('\n').filter(Boolean);
    const commands = lines
      .map((line) => JSON.parse(line) as { type?: string })
      .filter((event) => event.type === 'command');
    expect(commands.length).toBeGreaterThan(100);
    expect(commands.filter((event) => leaks(JSON.stringify(event)).length > 0)).toEqual([]);
  });

  test('leaves no password in the lab state, whose hosts accept it only from the environment', () => {
    const state = readLabState(stateDir);
    expect(Object.keys(state.hosts)).toHaveLength(8);
    expect(leaks(JSON.stringify(state))).toEqual([]);
  });
});
