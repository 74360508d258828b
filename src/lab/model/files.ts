/** File records of the simulated file system: text files keep their content, binaries a size and hash. */
import { createHash } from 'node:crypto';
import type { FileState, HostState } from './state.js';
import { deleteCI, getCI, normalizePath, pathsUnder, setCI } from './names.js';

/** Text files up to this size keep their content (configs, logs). */
export const MAX_CONTENT_BYTES = 64 * 1024;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function textFile(content: string, readOnly = false): FileState {
  const file: FileState = { size: Buffer.byteLength(content, 'utf8'), sha256: sha256Hex(content), content };
  if (readOnly) file.readOnly = true;
  return file;
}

/** A binary file whose bytes we do not keep: size and a hash derived from `identity`. */
export function binaryFile(identity: string, size: number): FileState {
  return { size, sha256: sha256Hex(`${identity}:${size}`) };
}

export function getFile(host: HostState, path: string): FileState | undefined {
  return getCI(host.files, normalizePath(path));
}

export function putFile(host: HostState, path: string, file: FileState): void {
  setCI(host.files, normalizePath(path), file);
}

export function removeFile(host: HostState, path: string): boolean {
  return deleteCI(host.files, normalizePath(path));
}

/** Files at `path` itself, or inside it when it is a folder. */
export function filesAt(host: HostState, path: string): { path: string; file: FileState }[] {
  const single = getFile(host, path);
  const normalized = normalizePath(path);
  if (single) return [{ path: normalized, file: single }];
  return pathsUnder(host.files, normalized).map((key) => ({ path: key, file: host.files[key] as FileState }));
}

/** Whether `path` names a file or a folder holding files. */
export function pathExists(host: HostState, path: string): boolean {
  return filesAt(host, path).length > 0;
}

/** Copies a file or folder; returns the number of files copied. */
export function copyPath(host: HostState, source: string, dest: string): number {
  const from = normalizePath(source);
  const to = normalizePath(dest);
  const items = filesAt(host, from);
  for (const item of items) {
    const relative = item.path.length > from.length ? item.path.slice(from.length) : '';
    // File.Copy keeps the source's attributes, read-only included.
    putFile(host, to + relative, { ...item.file });
  }
  return items.length;
}

/** Same bytes: equal hashes when both have one, else equal content and size. */
export function sameContent(a: FileState, b: FileState): boolean {
  if (a.size !== b.size) return false;
  if (a.sha256 !== undefined && b.sha256 !== undefined)
    return a.sha256.toLowerCase() === b.sha256.toLowerCase();
  return a.content === b.content;
}

/** Reads appSettings `key` from XML text: undefined when absent. */
export function readAppSetting(xml: string, key: string): string | undefined {
  for (const match of xml.matchAll(/<add\s+([^>]*?)\/?>/gi)) {
    const attrs = parseAttributes(match[1] ?? '');
    if ((attrs.get('key') ?? '').toLowerCase() === key.toLowerCase()) return attrs.get('value') ?? '';
  }
  return undefined;
}

/** The appSettings keys of XML text, in document order. */
export function appSettingKeys(xml: string): string[] {
  return [...xml.matchAll(/<add\s+([^>]*?)\/?>/gi)].flatMap((m) => {
    const key = parseAttributes(m[1] ?? '').get('key');
    return key === undefined ? [] : [key];
  });
}

/** Sets appSettings `key` = `value` in XML text, adding the entry when missing. */
export function writeAppSetting(xml: string, key: string, value: string): string {
  let replaced = false;
  const out = xml.replace(/<add\s+([^>]*?)\/?>/gi, (whole, attrText: string) => {
    const attrs = parseAttributes(attrText);
    if (replaced || (attrs.get('key') ?? '').toLowerCase() !== key.toLowerCase()) return whole;
    replaced = true;
    return `<add key="${escapeXml(attrs.get('key') ?? key)}" value="${escapeXml(value)}" />`;
  });
  if (replaced) return out;
  const entry = `<add key="${escapeXml(key)}" value="${escapeXml(value)}" />`;
  if (/<\/appSettings>/i.test(out)) return out.replace(/<\/appSettings>/i, `${entry}</appSettings>`);
  if (/<\/configuration>/i.test(out))
    return out.replace(/<\/configuration>/i, `<appSettings>${entry}</appSettings></configuration>`);
  return `<configuration><appSettings>${entry}</appSettings></configuration>`;
}

function parseAttributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs.set((m[1] ?? '').toLowerCase(), unescapeXml(m[2] ?? m[3] ?? ''));
  }
  return attrs;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
