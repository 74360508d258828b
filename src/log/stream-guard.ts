/**
 * The CLI's last redaction pass over its own output streams: whatever any command writes to
 * stdout or stderr (event lines, the summary, errors, a plan, the live view) goes through the
 * redactor of the secrets registered so far (src/log/secrets.ts). A chunk that holds no secret is
 * written untouched. One that does is redacted as JSON when it is JSON (a document, or JSON
 * lines), so a secret such as `true` or `3010` never breaks it, and as text otherwise.
 */
import { currentRedactor } from './secrets.js';
import type { Redactor } from './redact.js';

function asJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The chunk with every known secret redacted, its JSON kept valid. */
export function redactChunk(chunk: string, redactor: Redactor = currentRedactor()): string {
  if (redactor.empty || redactor.text(chunk) === chunk) return chunk;
  const json = asJson(chunk);
  if (json !== undefined && chunk.includes('\n') && !/}\s*\n\s*{/.test(chunk)) {
    // One document (a plan, printed with an indent of 2): keep its layout.
    const indent = /\n {2}\S/.test(chunk) ? 2 : undefined;
    const tail = chunk.match(/\s*$/)?.[0] ?? '';
    return JSON.stringify(redactor.value(json), null, indent) + tail;
  }
  // JSON lines one by one; each run of text lines as one block (a secret may hold a line feed).
  const out: string[] = [];
  let text: string[] = [];
  const flush = (): void => {
    if (text.length > 0) out.push(redactor.text(text.join('\n')));
    text = [];
  };
  for (const line of chunk.split('\n')) {
    const parsed = asJson(line);
    if (parsed === undefined) {
      text.push(line);
      continue;
    }
    flush();
    out.push(JSON.stringify(redactor.value(parsed)));
  }
  flush();
  return out.join('\n');
}

/** Routes every later write to `stream` through {@link redactChunk}. Idempotent. */
export function guardStream(stream: NodeJS.WriteStream): void {
  const marked = stream as NodeJS.WriteStream & { __redacting?: true };
  if (marked.__redacting) return;
  marked.__redacting = true;
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text === undefined) return original(chunk, ...rest);
    const redacted = redactChunk(text);
    if (redacted === text) return original(chunk, ...rest);
    // An encoding argument no longer applies to the (string) redacted text.
    const args = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return original(redacted, ...args);
  };
}

/** Guards both of this process's output streams. */
export function guardOutputStreams(): void {
  guardStream(process.stdout);
  guardStream(process.stderr);
}
