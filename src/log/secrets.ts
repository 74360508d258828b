/**
 * The secrets this process knows (passwords and runbook secrets read from the environment), so
 * that every writer can make the last redaction pass without being handed them: the journal,
 * the reports, the logger and the CLI's own output streams all ask {@link currentRedactor}.
 * A secret is registered the moment it is read, before anything could write it.
 */
import { makeRedactor, SHORT_SECRET, type Redactor } from './redact.js';

const known = new Map<string, string>();
let redactor: Redactor = makeRedactor([]);

/** Adds secrets read from the environment; `source` names where one came from (for a warning). */
export function registerSecret(value: string | undefined, source: string): void {
  if (value === undefined || value === '' || known.has(value)) return;
  known.set(value, source);
  redactor = makeRedactor([...known.keys()]);
}

/** The redactor for every secret registered so far. */
export function currentRedactor(): Redactor {
  return redactor;
}

/** Shorthand: the text with every known secret redacted. */
export function redactText(text: string): string {
  return redactor.text(text);
}

/** Shorthand: a JSON-like value with every known secret redacted in its strings. */
export function redactValue<T>(value: T): T {
  return redactor.value(value);
}

/**
 * One warning per registered secret shorter than {@link SHORT_SECRET} characters, naming where
 * it came from (never the value): such a secret is redacted only where it stands alone.
 */
export function shortSecretWarnings(): string[] {
  return [...known]
    .filter(([value]) => value.length < SHORT_SECRET)
    .map(
      ([, source]) =>
        `the secret in ${source} is shorter than ${SHORT_SECRET} characters: it is redacted only where it stands alone (a whole value or word), so use a longer one`,
    );
}

/** Forgets every secret (tests). */
export function clearSecrets(): void {
  known.clear();
  redactor = makeRedactor([]);
}
