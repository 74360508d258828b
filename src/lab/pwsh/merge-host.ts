/**
 * A host's state after a script, merged with what happened to it meanwhile. A script runs on a
 * copy of its host's state; a native program another host's script started may change this host
 * at the same time (the MS Mail programs deliver dirsync mail and log the connector's events on
 * other servers, as the network would). Taking the script's copy whole would lose that change,
 * so the script's own changes (its copy against the state it started from) are laid over the
 * host as it is now: key by key in records, items appended in lists; where both changed the same
 * value, the script's wins.
 */
import { isDeepStrictEqual } from 'node:util';

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Three-way merge of `ours` (the script's) and `theirs` (the host now) from `base`. */
export function mergeChanges(base: Json, ours: Json, theirs: Json): Json {
  if (isDeepStrictEqual(ours, base)) return theirs;
  if (isDeepStrictEqual(theirs, base)) return ours;
  if (isRecord(ours) && isRecord(theirs)) {
    const old = isRecord(base) ? base : {};
    const out: Record<string, Json> = {};
    for (const key of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
      const merged = mergeChanges(old[key], ours[key], theirs[key]);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const mine: Json[] = ours;
    const had: Json[] = Array.isArray(base) ? base : [];
    const added = (theirs as Json[]).filter((t) => !had.some((b) => isDeepStrictEqual(b, t)));
    return [...mine, ...added.filter((t) => !mine.some((o) => isDeepStrictEqual(o, t)))];
  }
  return ours;
}
