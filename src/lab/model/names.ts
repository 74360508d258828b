/**
 * Windows compares names case-insensitively (file paths, product names, services, registry keys).
 * State records keep the spelling they were first written with; every lookup goes through here.
 */

/** The key of `record` that equals `name` ignoring case, if any. */
export function findKey(record: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

export function getCI<T>(record: Record<string, T>, name: string): T | undefined {
  const key = findKey(record, name);
  return key === undefined ? undefined : record[key];
}

/** Sets `name`, keeping an existing key's spelling (overwriting a file keeps its name on Windows). */
export function setCI<T>(record: Record<string, T>, name: string, value: T): void {
  record[findKey(record, name) ?? name] = value;
}

export function deleteCI(record: Record<string, unknown>, name: string): boolean {
  const key = findKey(record, name);
  if (key === undefined) return false;
  delete record[key];
  return true;
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const ENV_VARS: Record<string, string> = {
  programfiles: 'C:\\Program Files',
  'programfiles(x86)': 'C:\\Program Files (x86)',
  windir: 'C:\\WINDOWS',
  systemroot: 'C:\\WINDOWS',
  systemdrive: 'C:',
  temp: 'C:\\Windows\\Temp',
};

/**
 * A Windows path in one canonical spelling: backslashes, no doubled or trailing separators,
 * `%ProgramFiles%`-style variables expanded (the KB writes paths both ways).
 */
export function normalizePath(path: string): string {
  let out = path.replace(/%([^%]+)%/g, (whole, name: string) => {
    const key = name.toLowerCase().replace(/\s+/g, '');
    return ENV_VARS[key] ?? whole;
  });
  out = out.replace(/\//g, '\\').replace(/\\{2,}/g, '\\');
  if (out.length > 3) out = out.replace(/\\+$/, '');
  return out;
}

/** Keys of `record` (paths) that lie inside folder `folder`, ignoring case. */
export function pathsUnder(record: Record<string, unknown>, folder: string): string[] {
  const prefix = normalizePath(folder).toLowerCase() + '\\';
  return Object.keys(record).filter((key) => key.toLowerCase().startsWith(prefix));
}

/** The last segment of a Windows path. */
export function baseName(path: string): string {
  const normalized = normalizePath(path);
  return normalized.slice(normalized.lastIndexOf('\\') + 1);
}

/** The folder part of a Windows path. */
export function dirName(path: string): string {
  const normalized = normalizePath(path);
  const at = normalized.lastIndexOf('\\');
  return at < 0 ? '' : normalized.slice(0, at);
}
