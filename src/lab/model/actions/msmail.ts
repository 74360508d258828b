/**
 * MS Mail directory synchronization in the lab: reqmain/srvmain/import/rebuild on postoffices,
 * `net pause` (which on MSExchangeDX kicks the DXA requestor, and always answers error 2140 as
 * the KB says), the MS Mail Connector's event log entries, and the "settled" check. Out of order,
 * the programs find nothing to work on and write no events, so the runbook's checks fail.
 */
import { writeEvent } from '../event-log.js';
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { bool, fail, num, ok, optStr, psError, report, str, strList, target } from './context.js';
import { findKey, getCI, sameName } from '../names.js';
import { getFile } from '../files.js';
import type { HostState } from '../state.js';
import {
  DXA_FILES,
  DX_KEY,
  DX_SERVICE,
  PCMTA_DIAGNOSTICS_KEY,
  PCMTA_SERVICE,
  PCMTA_SOURCE,
  PO_FILES,
  appendLines,
  clearFile,
  driveConnected,
  expectedGal,
  findServer,
  hostNamed,
  poPath,
  readLines,
  removeFile,
  writeLines,
} from '../dirsync-files.js';

/** Writes one Application log entry (record numbers grow per host). */
export function logEvent(
  host: HostState,
  now: number,
  eventId: number,
  category: string,
  description: string,
): void {
  writeEvent(host, { time: now, eventId, source: PCMTA_SOURCE, category, description });
}

/**
 * The MS Mail Connector logs message transfers only with its diagnostics at Maximum and its PC
 * MTA running. Which category carries events 4395/4355 is not published, so the lab logs them only
 * when every category is at Maximum, which is what the KB's "set the Logging level to Maximum" does.
 */
function connectorLogs(host: HostState): boolean {
  const levels = Object.values(getCI(host.registryValues ?? {}, PCMTA_DIAGNOSTICS_KEY) ?? {});
  return (
    getCI(host.services, PCMTA_SERVICE) === 'Running' &&
    levels.length > 0 &&
    levels.every((level) => Number(level.data) >= 5)
  );
}

function dxaFrom(host: HostState): string {
  // Exchange 2000 (6.x) writes "DXA" where 5.x wrote "SYSTEM1" (the KB's note).
  return host.exchange?.version.startsWith('6') ? 'DXA' : 'SYSTEM1';
}

/** Pausing MSExchangeDX kicks the DXA requestor: its changes and request go to the dirsync server. */
function kickDxa(ctx: ActionContext): string[] {
  const host = ctx.host;
  const version = host.exchange?.version ?? '';
  const kicks = getCI(getCI(host.registryValues ?? {}, DX_KEY) ?? {}, 'PauseKicksDX');
  if (version.startsWith('4.0') && Number(kicks?.data ?? 0) !== 1)
    return ['(the pause did not start a dirsync cycle: PauseKicksDX is not set)'];
  const server = findServer(ctx.state);
  if (!server || getCI(host.services, PCMTA_SERVICE) !== 'Running') return [];
  const changes = readLines(host, DXA_FILES.exportFile);
  appendLines(server.host, poPath(server.drive, PO_FILES.systemMbg), [
    `REQ|${ctx.name}`,
    ...changes.map((name) => `UPD|${ctx.name}|${name}`),
  ]);
  clearFile(host, DXA_FILES.exportFile);
  if (connectorLogs(host)) {
    const from = `HMC/${ctx.name}/${dxaFrom(host)}`;
    const to = `CORPNET/${server.name.toUpperCase()}/$SYSTEM`;
    logEvent(host, ctx.now, 4395, 'Sent', `Mail sent from \\\\${ctx.name}\\MAILDAT$ FROM: ${from} TO: ${to}`);
    logEvent(
      host,
      ctx.now,
      4355,
      'Moved In',
      `Mail received on \\\\${server.name}\\MAILDATA FROM: ${from} TO: ${to}`,
    );
  }
  return [];
}

function servicePause(ctx: ActionContext): Outcome {
  const name = target(ctx);
  const key = findKey(ctx.host.services, name);
  if (key === undefined) return psError(`service '${name}' is not installed on this host`);
  const status = ctx.host.services[key];
  if (status === 'Paused') return report(true, { status: 'Paused' });
  if (status !== 'Running') {
    return fail(1, `net pause ${name} failed with error 2191 (exit 2)`, [
      'out: The requested pause or stop is not valid for this service.',
      'out: More help is available by typing NET HELPMSG 2191.',
    ]);
  }
  ctx.host.services[key] = 'Paused';
  const notes = sameName(key, DX_SERVICE) ? kickDxa(ctx) : [];
  // The KB: "Could not pause ... Error 2140: An internal Windows NT error occurred" — and it did pause.
  const tolerate = num(ctx, 'tolerateError');
  const lines = [
    'out: System error 2140 has occurred.',
    'out: An internal Windows error occurred.',
    ...notes.map((n) => `out: ${n}`),
  ];
  if (tolerate !== 2140) return fail(1, `net pause ${name} failed with error 2140 (exit 2)`, lines);
  return ok([...lines, 'DR:tolerated=2140']);
}

function drive(ctx: ActionContext): string {
  return str(ctx, 'drive')
    .replace(/[:\\]+$/, '')
    .toUpperCase();
}

function notServer(): Outcome {
  return fail(
    1,
    'SRVMAIN: this postoffice is not the directory synchronization server (no GLB\\SRVCONF.GLB)',
  );
}

function reqmain(ctx: ActionContext, d: string, args: string[]): Outcome {
  if (args.includes('-t')) {
    const server = findServer(ctx.state);
    if (!server)
      return fail(1, 'REQMAIN: no directory synchronization server is defined for this postoffice');
    const changes = readLines(ctx.host, poPath(d, PO_FILES.reqTrans));
    appendLines(server.host, poPath(server.drive, PO_FILES.systemMbg), [
      `REQ|${ctx.name}`,
      ...changes.map((name) => `UPD|${ctx.name}|${name}`),
    ]);
    clearFile(ctx.host, poPath(d, PO_FILES.reqTrans));
    return ok([
      `out: REQMAIN: ${changes.length} address change(s) and an update request sent to the dirsync server`,
    ]);
  }
  const response = readLines(ctx.host, poPath(d, PO_FILES.response));
  if (!getFile(ctx.host, poPath(d, PO_FILES.response)))
    return ok(['out: REQMAIN: no directory updates to receive']);
  appendLines(ctx.host, poPath(d, PO_FILES.srvTrans), response);
  removeFile(ctx.host, poPath(d, PO_FILES.response));
  return ok([`out: REQMAIN: ${response.length} update(s) moved into SRVTRANS.GLB`]);
}

function srvmain(ctx: ActionContext, d: string, args: string[]): Outcome {
  if (!getFile(ctx.host, poPath(d, PO_FILES.srvConf))) return notServer();
  if (args.includes('-r')) {
    const queued = readLines(ctx.host, poPath(d, PO_FILES.systemMbg));
    if (queued.length === 0) return ok(['out: SRVMAIN: no dirsync requests waiting in SYSTEM.MBG']);
    const requests = queued.filter((l) => l.startsWith('REQ|')).map((l) => l.slice(4));
    const updates = queued.filter((l) => l.startsWith('UPD|')).map((l) => l.slice(4));
    appendLines(ctx.host, poPath(d, PO_FILES.srvReq), requests);
    appendLines(ctx.host, poPath(d, PO_FILES.mstTrans), updates);
    clearFile(ctx.host, poPath(d, PO_FILES.systemMbg));
    return ok([
      `out: SRVMAIN: ${requests.length} request(s) and ${updates.length} update(s) received into MSTTRANS.GLB`,
    ]);
  }
  const conf = readLines(ctx.host, poPath(d, PO_FILES.srvConf)).map((l) => l.split('|'));
  const master = readLines(ctx.host, poPath(d, PO_FILES.mstTrans)).map((l) => l.split('|'));
  const requesters = readLines(ctx.host, poPath(d, PO_FILES.srvReq));
  const out: string[] = [];
  for (const requester of requesters) {
    const entry = conf.find((c) => sameName(c[1] ?? '', requester));
    const names = master
      .filter(([origin]) => !sameName(origin ?? '', requester))
      .map(([, name]) => name ?? '');
    const host = hostNamed(ctx.state, requester);
    if (!entry || !host) {
      out.push(`out: SRVMAIN: ${requester} is not a requestor in SRVCONF.GLB; request ignored`);
      continue;
    }
    if (entry[0] === 'PO') {
      const reqDrive = entry[2] ?? 'M';
      if (driveConnected(host, reqDrive)) appendLines(host, poPath(reqDrive, PO_FILES.response), names);
    } else {
      if (getCI(host.services, PCMTA_SERVICE) !== 'Running') continue;
      // The DXA requestor applies the updates as soon as they arrive (the KB's T3 for Exchange).
      appendLines(host, DXA_FILES.directory, names);
      if (connectorLogs(host)) {
        const from = `CORPNET/${ctx.name.toUpperCase()}/$SYSTEM`;
        const to = `HMC/${requester}/${dxaFrom(host)}`;
        logEvent(
          host,
          ctx.now,
          4395,
          'Moved Out',
          `Mail sent from \\\\${ctx.name}\\MAILDATA FROM: ${from} TO: ${to}`,
        );
        logEvent(
          host,
          ctx.now,
          4355,
          'Received',
          `Mail received on \\\\${requester}\\MAILDAT$ FROM: ${from} TO: ${to}`,
        );
      }
    }
    out.push(`out: SRVMAIN: ${names.length} update(s) sent to ${requester}`);
  }
  clearFile(ctx.host, poPath(d, PO_FILES.srvReq));
  return ok(out.length > 0 ? out : ['out: SRVMAIN: no requestor is waiting for updates']);
}

function runProgram(ctx: ActionContext): Outcome {
  const program = str(ctx, 'program').toLowerCase();
  const exeDir = str(ctx, 'exeDir').replace(/\\+$/, '');
  const exe = `${exeDir}\\${program.toUpperCase()}.EXE`;
  const d = drive(ctx);
  const args = strList(ctx, 'args').map((a) => a.toLowerCase());
  bool(ctx, 'forcedos');
  if (!getFile(ctx.host, exe))
    return psError(`FORCEDOS: Program file not found: ${exe} (run from the MS Mail executables folder)`);
  if (!driveConnected(ctx.host, d))
    return psError(`the mail database drive ${d}: is not connected (no ${d}:\\GLB); map it, then resume`);
  switch (program) {
    case 'reqmain':
      return reqmain(ctx, d, args);
    case 'srvmain':
      return srvmain(ctx, d, args);
    case 'import': {
      if ((optStr(ctx, 'password') ?? '') === '')
        return fail(1, 'IMPORT: the administrator password is wrong or missing (-p)');
      const updates = readLines(ctx.host, poPath(d, PO_FILES.srvTrans));
      appendLines(ctx.host, poPath(d, PO_FILES.nme), updates);
      clearFile(ctx.host, poPath(d, PO_FILES.srvTrans));
      return ok([`out: IMPORT: ${updates.length} name(s) moved into the .NME and .USR files`]);
    }
    case 'rebuild': {
      const gal = expectedGal(ctx.host, d);
      writeLines(ctx.host, poPath(d, PO_FILES.gal), gal);
      return ok([`out: REBUILD: global address list rebuilt (${gal.length} names)`]);
    }
    default:
      return fail(1, `FORCEDOS: Program file not found: ${exe}`);
  }
}

function runVerify(ctx: ActionContext): Outcome {
  const program = str(ctx, 'program').toLowerCase();
  const d = drive(ctx);
  const args = strList(ctx, 'args').map((a) => a.toLowerCase());
  const empty = (file: string): boolean => readLines(ctx.host, poPath(d, file)).length === 0;
  const evidence = { drive: driveConnected(ctx.host, d) };
  if (!evidence.drive) return report(false, evidence);
  if (program === 'reqmain' && args.includes('-t')) return report(empty(PO_FILES.reqTrans), evidence);
  if (program === 'reqmain') return report(!getFile(ctx.host, poPath(d, PO_FILES.response)), evidence);
  if (program === 'srvmain' && args.includes('-r')) return report(empty(PO_FILES.systemMbg), evidence);
  if (program === 'srvmain') return report(empty(PO_FILES.srvReq), evidence);
  if (program === 'import') return report(empty(PO_FILES.srvTrans), evidence);
  return report(galCurrent(ctx.host, d), evidence);
}

function galCurrent(host: HostState, d: string): boolean {
  return readLines(host, poPath(d, PO_FILES.gal)).join('\n') === expectedGal(host, d).join('\n');
}

/** What still waits on one participant (empty: settled). */
function pending(ctx: ActionContext): Outcome | string[] {
  const waiting: string[] = [];
  if (str(ctx, 'kind') === 'exchange') {
    if (readLines(ctx.host, str(ctx, 'exportFile')).length > 0)
      waiting.push('directory changes not exported (T1)');
    const dx = getCI(ctx.host.services, DX_SERVICE);
    if (dx === undefined)
      return psError(
        'the Microsoft Exchange Directory Synchronization service (MSExchangeDX) is not installed',
      );
    if (dx !== 'Running') waiting.push(`MSExchangeDX is ${dx}`);
    return waiting;
  }
  const d = drive(ctx);
  if (!driveConnected(ctx.host, d)) return psError(`the mail database drive ${d}: is not connected`);
  const has = (file: string): boolean => readLines(ctx.host, poPath(d, file)).length > 0;
  if (has(PO_FILES.reqTrans)) waiting.push('local changes not sent (T1)');
  if (getFile(ctx.host, poPath(d, PO_FILES.response))) waiting.push('updates not received (T3 reqmain -r)');
  if (has(PO_FILES.srvTrans)) waiting.push('updates not imported (T3 import)');
  if (!galCurrent(ctx.host, d)) waiting.push('address list not rebuilt (T3 rebuild)');
  if (bool(ctx, 'server') && has(PO_FILES.systemMbg)) waiting.push('requests not received (T2 srvmain -r)');
  if (bool(ctx, 'server') && has(PO_FILES.srvReq)) waiting.push('updates not sent (T2 srvmain -t)');
  return waiting;
}

function settledProbe(ctx: ActionContext): Outcome {
  const waiting = pending(ctx);
  if (!Array.isArray(waiting)) return waiting;
  return report(waiting.length === 0, { pending: waiting.join('; ') });
}

/** `cmd.exe /c net pause SERVICE` under the pwsh engine is answered by this apply. */
export const servicePauseLab: ActionSpec = {
  probe: (ctx) => {
    const status = getCI(ctx.host.services, target(ctx));
    if (status === undefined) return psError(`service '${target(ctx)}' is not installed on this host`);
    return report(status === 'Paused', { status });
  },
  apply: servicePause,
  actsOutProgram: 'cmd.exe',
};

export const msmailRunLab: ActionSpec = {
  probe: (ctx) => {
    const exe = `${str(ctx, 'exeDir').replace(/\\+$/, '')}\\${str(ctx, 'program').toUpperCase()}.EXE`;
    return report(false, {
      exe: getFile(ctx.host, exe) !== undefined,
      drive: driveConnected(ctx.host, drive(ctx)),
    });
  },
  apply: runProgram,
  verify: runVerify,
  // The DOS programs start through FORCEDOS under the pwsh engine; this apply is what they do.
  actsOutProgram: 'forcedos.exe',
};

export const dirsyncSettledLab: ActionSpec = {
  probe: settledProbe,
  apply: (ctx) => {
    const waiting = pending(ctx);
    if (!Array.isArray(waiting)) return waiting;
    if (waiting.length > 0)
      return fail(1, `directory synchronization is not finished here: ${waiting.join('; ')}`);
    return ok(['DR:pending=']);
  },
};
