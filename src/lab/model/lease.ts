/**
 * The estate lease on a simulated host: what `buildLeaseScript`'s PowerShell does to the lease
 * file, done to the host's file system in the lab state (`HostState.files`), with the same file
 * format and the same answers. Every engine answers it here (`--lab-engine pwsh` too): the host's
 * scripts for one host run one at a time, so `CreateNew` is a plain "create if absent".
 * The real script is exercised by real PowerShell against a real disk in test/fence.
 */
import type { ScriptHeader } from '../../remote/header.js';
import { formatResultLine, formatSentinel } from '../../remote/header.js';
import type { HostState } from './state.js';
import { getFile, putFile, removeFile, textFile } from './files.js';

/** .NET ticks (100 ns since 0001-01-01 UTC) at the Unix epoch. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

function ticks(ms: number): bigint {
  return BigInt(Math.round(ms)) * 10_000n + EPOCH_TICKS;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function read(host: HostState, path: string): Record<string, string> | undefined {
  const file = getFile(host, path);
  if (!file) return undefined;
  const fields: Record<string, string> = {};
  for (const line of (file.content ?? '').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/** Answers one lease script on `host` at lab time `now` (ms): its stdout lines and sentinel. */
export function answerLease(host: HostState, header: ScriptHeader, now: number): string[] {
  const path = header.target;
  const p = header.params;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const token = text(p.token);
  const runId = text(p.runId);
  const holder = text(p.holder);
  const ttlMs = Number(p.ttlSeconds) * 1000;
  const out: string[] = [];
  const dr = (key: string, value: string): void => void out.push(formatResultLine(key, value));
  const others = (fields: Record<string, string>): void => {
    for (const [key, value] of Object.entries(fields)) if (key !== 'token') dr(`lease.${key}`, value);
  };
  const write = (since: string): void => {
    const expires = now + ttlMs;
    const text = [
      `token=${token}`,
      `runId=${runId}`,
      `holder=${holder}`,
      `since=${since}`,
      `expires=${iso(expires)}`,
      `expiresTicks=${ticks(expires).toString()}`,
    ];
    putFile(host, path, textFile(text.map((line) => `${line}\r\n`).join('')));
  };
  const current = read(host, path);
  if (p.op === 'take') {
    if (!current) {
      write(iso(now));
      dr('lease', 'taken');
    } else if (current.token === token) {
      write(current.since ?? iso(now));
      dr('lease', 'held');
    } else {
      const expired = !current.expiresTicks || BigInt(current.expiresTicks) <= ticks(now);
      const ours = current.runId === runId && current.holder === holder;
      if ((expired && p.takeOver === true) || ours) {
        others(current);
        write(iso(now));
        dr('lease', 'taken');
      } else {
        dr('lease', 'busy');
        dr('lease.expired', String(expired));
        others(current);
      }
    }
  } else if (p.op === 'renew') {
    if (!current) dr('lease', 'missing');
    else if (current.token !== token) {
      dr('lease', 'lost');
      others(current);
    } else {
      write(current.since ?? iso(now));
      dr('lease', 'held');
    }
  } else if (current?.token === token) {
    removeFile(host, path);
    dr('lease', 'released');
  } else dr('lease', 'notOurs');
  out.push(formatSentinel(0));
  return out;
}
