/**
 * Secrets fuzzed over every writer: the lab CLI runs with random secrets (control characters
 * including \r \n \t, quotes, backslashes, JSON-like words, digits, unicode, 1-3 characters) in
 * the documented variables (DEPLOY_ROLLUP_LAB_PASSWORD, MSMAIL_ADMIN_PASSWORD), and every file of
 * the state folder and both output streams are searched for every form of each secret: raw,
 * JSON-escaped (once, twice), PowerShell-quoted, percent-encoded and base64.
 *
 * What "found" means is what SECURITY.md promises: JSON is searched value by value (a number is
 * not a secret), values under identifier keys and a probe's captures are left out (they come from
 * the inventory and runbook), and a secret of 1-3 characters counts only where it stands alone.
 * The seed is printed on failure; the count is bounded so the file runs in well under a minute.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDENTIFIER_KEYS } from '../../src/log/redact.js';
import { filesUnder, removeDir, ROOT, runCli, sharedPackage, tempDir, type CliResult } from './helpers.js';
import { prng } from '../resume/helpers.js';

const SEED = Number(process.env.DR_FUZZ_SEED ?? Date.now() % 1_000_000);
/** Runs of the MS Mail dirsync lab with random secrets (about a second each). */
const MSMAIL_RUNS = 8;

const PIECES = {
  control: ['\r', '\n', '\t', '\r\n', '\u001b', '\u007f'],
  quote: ["'", '"', '`', '\u2018', '\u2019', '\u201c'],
  slash: ['\\', '\\\\', '/', '\\"', "\\'"],
  json: ['true', 'false', 'null', '3010', '0', '{', '}', '[', ':', ','],
  unicode: ['é', '€', 'Ж', '日本', '😀', '\u00a0'],
  plain: ['a', 'Z', 'x9', 'Pa55', 'word', '-', '_', '$', '%', '=', ' ', ';', '&', '|'],
};

/** A random secret: pieces of every kind, 1-24 characters; never NUL (no environment carries it) nor '*'. */
function randomSecret(random: () => number, dosSafe: boolean): string {
  const kinds = Object.keys(PIECES) as (keyof typeof PIECES)[];
  const short = random() < 0.3;
  let out = '';
  const target = short ? 1 + Math.floor(random() * 3) : 4 + Math.floor(random() * 20);
  for (let i = 0; i < 40 && [...out].length < target; i++) {
    const list = PIECES[kinds[Math.floor(random() * kinds.length)] ?? 'plain'];
    out += list[Math.floor(random() * list.length)] ?? 'a';
  }
  out = [...out].slice(0, target).join('');
  // An MS Mail password a DOS command line can carry, so that run gets through import too.
  // eslint-disable-next-line no-control-regex -- control characters are what a DOS line cannot carry
  if (dosSafe) out = out.replace(/[\s"\u0000-\u001f\u007f]/g, 'q');
  // A short secret of ASCII only (`a`, `0`, `,`) would stand alone by chance in the lab's own
  // state; a rare character keeps the search meaningful (JSON-like words are tested below).
  if ([...out].length < 4 && [...out].every((c) => c.charCodeAt(0) < 0x80)) out = out.slice(0, 2) + 'Ж';
  return out;
}

/** The secret with something a DOS command line cannot carry (a tab), if it had nothing such. */
function dosUnsafe(secret: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what a DOS line cannot carry
  return /[\s"\u0000-\u001f\u007f]/.test(secret) ? secret : `${secret}\t`;
}

function base64Cores(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
    if (core.length >= 12) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

const json1 = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Every form the secret could take (computed here, independently of the redactor). */
function needles(secret: string): string[] {
  const forms = [
    secret,
    json1(secret),
    json1(json1(secret)),
    secret.replace(/['\u2018-\u201b]/g, (q) => q + q),
    json1(secret.replace(/['\u2018-\u201b]/g, (q) => q + q)),
    encodeURIComponent(secret),
  ];
  if (secret.length >= 4)
    forms.push(...base64Cores(Buffer.from(secret, 'utf8')), ...base64Cores(Buffer.from(secret, 'utf16le')));
  return [...new Set(forms)];
}

// eslint-disable-next-line no-control-regex -- the separators of the documented rule
const SEPARATOR = /[\s\u0000-\u001f\u007f-\u009f'"`\u2018-\u201e()[\]{}<>,;:=]/u;

function foundIn(text: string, secret: string): string | undefined {
  for (const needle of needles(secret)) {
    for (
      let at = text.indexOf(needle), n = 0;
      at >= 0 && n < 10_000;
      at = text.indexOf(needle, at + 1), n++
    ) {
      if (secret.length >= 4) return needle;
      const before = text[at - 1];
      const after = text[at + needle.length];
      if ((before === undefined || SEPARATOR.test(before)) && (after === undefined || SEPARATOR.test(after)))
        return needle;
    }
  }
  return undefined;
}

function foundInJson(value: unknown, secret: string, key?: string): string | undefined {
  if (typeof value === 'string')
    return key !== undefined && IDENTIFIER_KEYS.has(key) ? undefined : foundIn(value, secret);
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const hit = foundInJson(item, secret, key);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (key === 'evidence') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const hit = foundInJson(v, secret, k);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Where in `content` a form of `secret` is found: JSON documents and JSON lines by value, the rest as text. */
function leak(content: string, secret: string): string | undefined {
  try {
    return foundInJson(JSON.parse(content), secret);
  } catch {
    // not one JSON document: JSON lines, or text
  }
  // JSON lines value by value; the text between them as text (a secret may hold a line feed).
  const text: string[] = [];
  for (const line of content.split('\n')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      text.push(line);
      continue;
    }
    const hit = foundInJson(parsed, secret);
    if (hit !== undefined) return `${JSON.stringify(hit)} in ${JSON.stringify(line.slice(0, 200))}`;
    text.push('');
  }
  const hit = foundIn(text.join('\n'), secret);
  return hit === undefined ? undefined : `${JSON.stringify(hit)} in the text`;
}

interface Run {
  label: string;
  secrets: Record<string, string>;
  stateDir: string;
  result: CliResult;
  /** Files this tool redacts (a coincidence elsewhere, in the lab's own state, is no leak). */
  onlyRedacted: boolean;
}

function scan(run: Run): string[] {
  const files = filesUnder(run.stateDir).filter(
    (path) => !run.onlyRedacted || /(journal|audit)\.jsonl$|report\.(md|json)$/.test(path),
  );
  const found: string[] = [];
  for (const [name, secret] of Object.entries(run.secrets)) {
    for (const path of files) {
      const hit = leak(readFileSync(path, 'utf8'), secret);
      if (hit) found.push(`${run.label}: ${name}=${JSON.stringify(secret)} in ${path}: ${hit}`);
    }
    for (const [stream, text] of [
      ['stdout', run.result.stdout],
      ['stderr', run.result.stderr],
    ] as const) {
      const hit = leak(text, secret);
      if (hit) found.push(`${run.label}: ${name}=${JSON.stringify(secret)} on ${stream}: ${hit}`);
    }
  }
  return found;
}

describe(`secrets fuzzed over every writer (seed ${SEED}; replay with DR_FUZZ_SEED=${SEED})`, () => {
  let dir: string;
  const runs: Run[] = [];

  async function labRun(
    label: string,
    inventory: string,
    secrets: Record<string, string>,
    options: { json?: boolean; onlyRedacted?: boolean; faults?: string } = {},
  ): Promise<Run> {
    const stateDir = join(dir, `state-${runs.length}`);
    const args = ['--inventory', inventory, '--lab', '--yes', '--verbose', '--state-dir', stateDir];
    if (options.json) args.push('--json');
    if (options.faults) args.push('--faults', options.faults);
    const result = await runCli(args, { cwd: dir, env: secrets });
    const run = { label, secrets, stateDir, result, onlyRedacted: options.onlyRedacted === true };
    runs.push(run);
    return run;
  }

  beforeAll(async () => {
    dir = tempDir('fuzz');
    const packageDir = await sharedPackage(dir);
    const msmail = join(dir, 'lab-msmail-dirsync.yaml');
    writeFileSync(msmail, readFileSync(join(ROOT, 'inventory', 'lab-msmail-dirsync.yaml')));
    const ur6 = join(dir, 'lab.yaml');
    writeFileSync(
      ur6,
      readFileSync(join(ROOT, 'inventory', 'lab.yaml'), 'utf8').replace(
        /^package: .*$/m,
        `package: ${packageDir}`,
      ),
    );
    const faults = join(dir, 'faults.yaml');
    writeFileSync(
      faults,
      '- { kind: fail, host: sql-om-1, action: msi.install, times: 1, exitCode: 3010 }\n',
    );
    const random = prng(SEED);
    for (let i = 0; i < MSMAIL_RUNS; i++) {
      await labRun(
        `msmail #${i}`,
        msmail,
        {
          DEPLOY_ROLLUP_LAB_PASSWORD: randomSecret(random, false),
          MSMAIL_ADMIN_PASSWORD:
            i % 2 === 0 ? randomSecret(random, true) : dosUnsafe(randomSecret(random, false)),
        },
        { json: i % 3 === 0 },
      );
    }
    // The red team's D2: a carriage return at the end of the MS Mail password.
    await labRun('msmail D2', msmail, {
      DEPLOY_ROLLUP_LAB_PASSWORD: randomSecret(random, false),
      MSMAIL_ADMIN_PASSWORD: 'MsMail-Secret_77Zx\r',
    });
    // Secrets that look like JSON: the run must not break, and what the tool writes holds none.
    await labRun(
      'msmail json-like',
      msmail,
      { DEPLOY_ROLLUP_LAB_PASSWORD: 'true', MSMAIL_ADMIN_PASSWORD: 'null' },
      {
        json: true,
        onlyRedacted: true,
      },
    );
    await labRun('ur6 3010', ur6, { DEPLOY_ROLLUP_LAB_PASSWORD: '3010' }, { onlyRedacted: true, faults });
    await labRun(
      'ur6 random',
      ur6,
      { DEPLOY_ROLLUP_LAB_PASSWORD: randomSecret(random, false) },
      { json: true },
    );
  }, 240_000);
  afterAll(() => removeDir(dir));

  test('every run ended as a run ends (done, or stopped at a resumable point), never with an internal error', () => {
    expect(runs.length).toBe(MSMAIL_RUNS + 4);
    for (const run of runs) {
      expect({ label: run.label, code: [0, 1].includes(run.result.code) }).toEqual({
        label: run.label,
        code: true,
      });
      expect(run.result.stderr).not.toMatch(/internal error|SyntaxError|at .*\.mjs:\d+/);
    }
  });

  test('a password that looks like a JSON word or an exit code is just a password: the runs finish', () => {
    for (const label of ['msmail json-like', 'ur6 3010']) {
      const run = runs.find((r) => r.label === label);
      expect({ label, code: run?.result.code }).toEqual({ label, code: 0 });
    }
    // The 3010 fault fired and was read as a success that needs a restart, not as a failure.
    const ur6 = runs.find((r) => r.label === 'ur6 3010');
    const journal = filesUnder(ur6?.stateDir ?? '').find((p) => p.endsWith('journal.jsonl'));
    expect(readFileSync(journal ?? '', 'utf8')).toMatch(
      /"stepId":"performanceWarehouse\/sql-om-1\/install-pwdb40ssis.msi","host":"sql-om-1","outcome":"restartPending"/,
    );
  });

  test('random runs cover both ends: some finish (the password reached import), some stop', () => {
    const codes = runs.filter((r) => r.label.startsWith('msmail #')).map((r) => r.result.code);
    expect(codes).toContain(0);
    expect(codes).toContain(1);
  });

  test('a password a DOS command line cannot carry stops the run at import, described and never quoted', () => {
    const run = runs.find((r) => r.label === 'msmail D2');
    expect(run?.result.code).toBe(1);
    expect(run?.result.stderr).toMatch(/password contains a space, a double quote or a control character/);
  });

  test('the JSON event stream stays one JSON object per line', () => {
    for (const run of runs.filter((r) => r.result.stderr.startsWith('{'))) {
      for (const line of run.result.stderr.trim().split('\n'))
        expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  test('the search finds each secret in every form it could take, in text and in JSON', () => {
    for (const run of runs) {
      for (const secret of Object.values(run.secrets)) {
        for (const needle of needles(secret)) {
          expect(leak(`x ${needle} y`, secret)).toBeDefined();
          expect(leak(JSON.stringify({ message: needle }), secret)).toBeDefined();
        }
        expect(leak(JSON.stringify({ stepId: secret, exitCode: 3010 }), secret)).toBeUndefined();
      }
    }
  });

  test('no form of any secret is in any file of the state folder or on either stream', () => {
    const scanned = runs.map((run) => filesUnder(run.stateDir).length);
    expect(Math.min(...scanned)).toBeGreaterThan(3);
    expect(runs.flatMap(scan)).toEqual([]);
  });
});
