/**
 * Redaction: the last pass every writer makes (journal, audit log, reports, console, JSON
 * events) so that a secret read from the environment never reaches a file or a stream, whatever
 * form it took on the way: raw, JSON-escaped (once or twice), PowerShell-quoted ('' doubled,
 * backtick-escaped), percent-encoded, or base64 (UTF-8 and UTF-16LE, at every alignment).
 *
 * Structure is never broken: JSON is redacted value by value (only strings are rewritten, so a
 * secret `true` or `3010` leaves booleans and exit codes alone), and values under identifier keys
 * (step ids, hosts, actions, targets, …, which come from the inventory and runbook, never from a
 * secret, and which resume reads back) and a probe's captures are kept as they are.
 *
 * Secrets of 4 characters or more are replaced wherever they occur. Shorter ones (1-3
 * characters) would match inside ordinary words and numbers, so they are replaced only where
 * they stand alone: a whole value, or an occurrence with a separator (whitespace, a control
 * character, a quote, a bracket, `,` `;` `:` `=`) or the start/end of the text on both sides.
 */

/** What a redacted secret becomes. */
export const REDACTED = '********';

/** Below this length a secret is replaced only where it stands alone (see the module doc). */
export const SHORT_SECRET = 4;

/**
 * JSON keys whose values are identifiers built from the inventory and runbook: never redacted,
 * because resume and the report match on them (the inventory refuses secrets).
 */
export const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  'type',
  'seq',
  'at',
  'sha',
  'batchEnd',
  'runId',
  'stepId',
  'host',
  'action',
  'target',
  'outcome',
  'gateId',
  'gate',
  'id',
  'choice',
  'runbook',
  'runbookVersion',
  'inventoryFile',
  'inventoryFingerprint',
  'stage',
  'phase',
  'first',
  'status',
  'name',
  'level',
]);

// eslint-disable-next-line no-control-regex -- control characters separate words
const SEPARATOR = /[\s\u0000-\u001f\u007f-\u009f'"`\u2018-\u201e()[\]{}<>,;:=]/u;

export interface Redactor {
  /** The text with every form of every secret replaced. */
  text(text: string): string;
  /** A copy of a JSON-like value with its strings redacted (identifier keys and captures kept). */
  value<T>(value: T): T;
  /** True when nothing is redacted (no secret known). */
  readonly empty: boolean;
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** The base64 text `bytes` produce anywhere in a longer buffer, one core per alignment. */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
    if (core.length >= 12) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Every form a secret could take in text the tool writes. */
export function secretForms(secret: string): string[] {
  const base = [
    secret,
    secret.replace(/['\u2018-\u201b]/g, (q) => q + q),
    secret.replace(/[`"$]/g, (c) => '`' + c),
  ];
  try {
    base.push(encodeURIComponent(secret));
  } catch {
    // a lone surrogate cannot be percent-encoded, so it never is
  }
  const forms = new Set<string>();
  for (const form of base) {
    forms.add(form);
    forms.add(jsonEscaped(form));
    forms.add(jsonEscaped(jsonEscaped(form)));
  }
  if (secret.length >= SHORT_SECRET) {
    for (const form of base64Forms(Buffer.from(secret, 'utf8'))) forms.add(form);
    for (const form of base64Forms(Buffer.from(secret, 'utf16le'))) forms.add(form);
  }
  return [...forms].filter((form) => form.length > 0);
}

function standsAlone(text: string, at: number, length: number): boolean {
  const before = at === 0 ? undefined : text[at - 1];
  const after = at + length >= text.length ? undefined : text[at + length];
  return (before === undefined || SEPARATOR.test(before)) && (after === undefined || SEPARATOR.test(after));
}

/** Replaces the occurrences of a short secret's form that stand alone (bounded scan). */
function replaceAlone(text: string, form: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
    if (at < from || !standsAlone(text, at, form.length)) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + form.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

export function makeRedactor(secrets: readonly string[]): Redactor {
  const forms = new Map<string, boolean>();
  for (const secret of new Set(secrets.filter((s) => s.length > 0))) {
    const short = secret.length < SHORT_SECRET;
    for (const form of secretForms(secret)) forms.set(form, (forms.get(form) ?? true) && short);
  }
  // Longest first, so a form that contains another is replaced whole.
  const ordered = [...forms].sort(([a], [b]) => b.length - a.length);
  const text = (input: string): string => {
    let out = input;
    for (const [form, short] of ordered) {
      if (!out.includes(form)) continue;
      out = short ? replaceAlone(out, form) : out.split(form).join(REDACTED);
    }
    return out;
  };
  const walk = (input: unknown, key: string | undefined, depth: number): unknown => {
    if (typeof input === 'string') return key !== undefined && IDENTIFIER_KEYS.has(key) ? input : text(input);
    if (input === null || typeof input !== 'object' || depth > 64) return input;
    if (Array.isArray(input)) return input.map((item) => walk(item, key, depth + 1));
    // A probe's captures are machine data a later step consumes: kept as the host reported them.
    if (key === 'evidence') return input;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) out[k] = walk(v, k, depth + 1);
    return out;
  };
  return {
    text: ordered.length === 0 ? (input) => input : text,
    value: <T>(input: T): T => (ordered.length === 0 ? input : (walk(input, undefined, 0) as T)),
    empty: ordered.length === 0,
  };
}
