/**
 * The redactor on its own: every escaped form of a secret, JSON kept valid (a secret that is a
 * JSON word or number breaks nothing), identifiers and captures kept, short secrets replaced only
 * where they stand alone; and the logger and the journal as writers.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../src/durability/journal.js';
import { createRunLogger } from '../../src/log/logger.js';
import { makeRedactor, REDACTED, secretForms } from '../../src/log/redact.js';
import { clearSecrets, registerSecret, shortSecretWarnings } from '../../src/log/secrets.js';
import { redactChunk } from '../../src/log/stream-guard.js';
import { psLiteral } from '../../src/remote/ps-literal.js';

afterEach(() => clearSecrets());

describe('makeRedactor', () => {
  const secret = `Pa'ss"w\\rd\r\n\t$x€`;
  const r = makeRedactor([secret]);

  const oneLine = `Pa'ss"w\\rd\t$x€`;
  test.each([
    ['raw', secret, secret],
    ['JSON-escaped', secret, JSON.stringify(secret).slice(1, -1)],
    ['JSON-escaped twice', secret, JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)],
    ['single-quoted for PowerShell', oneLine, psLiteral(oneLine).slice(1, -1)],
    ['percent-encoded', secret, encodeURIComponent(secret)],
  ])('removes the %s form', (_name, value, carrier) => {
    expect(makeRedactor([value]).text(`before ${carrier} after`)).toBe(`before ${REDACTED} after`);
  });

  test('removes the base64 forms, as in -EncodedCommand, at any alignment', () => {
    for (const prefix of ['', 'x', 'xy']) {
      const encoded = Buffer.from(`${prefix}$p = '${secret}'`, 'utf16le').toString('base64');
      const out = r.text(encoded);
      expect(out).toContain(REDACTED);
      expect(out.length).toBeLessThan(encoded.length);
    }
  });

  test('lists the escaped forms a writer could produce', () => {
    const forms = secretForms('a"b\\c');
    expect(forms).toEqual(expect.arrayContaining(['a"b\\c', 'a\\"b\\\\c', 'a`"b\\c', 'a%22b%5Cc']));
  });

  test('keeps JSON valid and numbers, booleans and null as they are for secrets that look like them', () => {
    for (const word of ['true', 'false', 'null', '3010', '0', '1']) {
      const r2 = makeRedactor([word]);
      const event = {
        type: 'command',
        exitCode: 3010,
        ok: true,
        none: null,
        n: 0,
        one: 1,
        note: `got ${word}`,
      };
      const out = r2.value(event);
      expect(out).toEqual({ ...event, note: `got ${REDACTED}` });
      expect(JSON.parse(redactChunk(JSON.stringify(event) + '\n', r2))).toEqual(out);
    }
  });

  test('keeps identifiers and a probe’s captures, redacts free text', () => {
    const r2 = makeRedactor(['hmc-mps-a-secret']);
    const entry = {
      type: 'step.probe',
      stepId: 'hmc-mps-a-secret:x',
      host: 'hmc-mps-a-secret',
      evidence: { key: 'hmc-mps-a-secret' },
      message: 'login hmc-mps-a-secret failed',
      missing: ['hmc-mps-a-secret'],
    };
    expect(r2.value(entry)).toEqual({
      ...entry,
      message: `login ${REDACTED} failed`,
      missing: [REDACTED],
    });
  });

  test('replaces a short secret only where it stands alone', () => {
    const r2 = makeRedactor(['ab']);
    expect(r2.text('about tab ab "ab" x=ab, (ab) -pab')).toBe(
      `about tab ${REDACTED} "${REDACTED}" x=${REDACTED}, (${REDACTED}) -pab`,
    );
    expect(r2.value({ message: 'ab', detail: 'crab' })).toEqual({ message: REDACTED, detail: 'crab' });
  });

  test('replaces a long secret everywhere, even inside a word', () => {
    expect(makeRedactor(['1234']).text('x12345 1234')).toBe(`x${REDACTED}5 ${REDACTED}`);
  });

  test('an empty secret list changes nothing', () => {
    const r2 = makeRedactor(['']);
    expect(r2.empty).toBe(true);
    expect(r2.text('anything')).toBe('anything');
  });
});

describe('a pretty JSON document on a stream', () => {
  test('stays valid JSON with its layout', () => {
    const doc = JSON.stringify({ steps: [{ id: 's1', rc: 3010, note: 'x 3010 y' }] }, null, 2) + '\n';
    const out = redactChunk(doc, makeRedactor(['3010']));
    expect(JSON.parse(out)).toEqual({ steps: [{ id: 's1', rc: 3010, note: `x ${REDACTED} y` }] });
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('\n  "steps"');
  });
});

describe('the writers', () => {
  test('the logger writes no secret to the audit log or the console, and survives a JSON-word secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-redact-'));
    try {
      const lines: string[] = [];
      const logger = createRunLogger({
        console: 'lines',
        color: false,
        secrets: ['true', 'S3cr3t\r\nX'],
        write: (line) => lines.push(line),
      });
      logger.attachAudit(join(dir, 'audit.jsonl'));
      logger.emit({ type: 'fact', name: 'f', value: true, source: 'probe', evidence: ['true'] });
      logger.emit({ type: 'note', message: `echo ${JSON.stringify('S3cr3t\r\nX')}` });
      await logger.close();
      const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      const events = audit
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events[0]).toMatchObject({ value: true, evidence: [REDACTED] });
      expect(audit).not.toContain('S3cr3t');
      expect(lines.join('\n')).not.toContain('S3cr3t');
      expect(lines.length).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the live view paints no secret, in a note or a step host name', async () => {
    const frames: string[] = [];
    const logger = createRunLogger({
      console: 'live',
      stages: [{ id: 's', title: 'Stage' }],
      color: true,
      secrets: ['Live-Secret-9'],
      write: (frame) => frames.push(frame),
    });
    logger.emit({ type: 'note', message: 'the host said Live-Secret-9' });
    logger.emit({ type: 'halt', reason: `${JSON.stringify('Live-Secret-9')} refused`, exitCode: 1 });
    logger.emit({ type: 'run.end', status: 'stopped', exitCode: 1 });
    await logger.close();
    const painted = frames.join('');
    expect(painted).toContain('the host said');
    expect(painted).not.toContain('Live-Secret');
  });

  test('the journal redacts registered secrets from each entry it writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-redact-'));
    try {
      registerSecret('Hunter2-long', 'TEST_VAR');
      const journal = await Journal.open(join(dir, 'journal.jsonl'));
      await journal.append({
        type: 'step.result',
        stepId: 's',
        host: 'h',
        outcome: 'failed',
        exitCode: 3010,
        message: 'rejected Hunter2-long',
        attempt: 1,
        durationMs: 1,
      });
      await journal.close();
      const text = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
      expect(text).not.toContain('Hunter2');
      expect(text).toContain(`rejected ${REDACTED}`);
      expect(text).toContain('"exitCode":3010');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a short secret raises a warning naming its variable, never its value', () => {
    registerSecret('xy', 'SHORT_VAR');
    registerSecret('long-enough', 'LONG_VAR');
    const warnings = shortSecretWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('SHORT_VAR');
    expect(warnings[0]).not.toMatch(/\bxy\b/);
  });
});
