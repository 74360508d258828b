/** MS Mail for PC Networks: paused services, the postoffice programs, dirsync settled. */
import { defineAction, labSpec } from '../action.js';
import { dirsyncSettled, msmailRun, servicePause } from '../scripts/msmail.js';
import { msmailActions } from '../../lab/model/actions/msmail.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface MsmailParams {
  /** `net pause` service `target` (net.exe through `cmd /c ... 2>&1`, as the KB's Services applet does), then
   * wait up to `timeoutSeconds` for Paused. The net error `tolerateError` (the KB's "Error 2140 ... which you can
   * ignore"; 0: none) counts as success only when the service does end up Paused (DR:tolerated=<n>); any other
   * error, or a service that is not Paused, fails. Probe/verify: done when Paused; print DR:status. */
  'service.pause': { timeoutSeconds: number; tolerateError: number };
  /** An MS Mail for PC Networks program run from `exeDir` against the postoffice on drive `drive`:
   * `program` is reqmain, srvmain, import or rebuild; `args` are its switches after `-d<drive>` (import: the
   * account name first; `password` is appended as `-p<password>` and should be a `{{secret:ENV}}` placeholder).
   * Apply runs `<exeDir>\<PROGRAM>.EXE` with the native tool itself through RunProcess (on Windows NT the
   * 16-bit programs are prefaced with FORCEDOS, `forcedos` true), working directory `exeDir` (the KB: "run from
   * the folder where the executable is located"); exit 0 is success. Probe: these are events, never done by
   * themselves (a step is superseded when every dirsync participant is settled); prints DR:exe, DR:drive.
   * Verify reads the postoffice files the program leaves behind: reqmain -t: GLB\REQTRANS.GLB empty;
   * reqmain -r: no P1\*.RSP left; srvmain -r: MBG\SYSTEM.MBG empty; srvmain -t: GLB\SRVREQ.GLB empty;
   * import: GLB\SRVTRANS.GLB empty; rebuild: GLB\GAL.GLB written after every NME\*.NME. */
  'msmail.run': {
    program: string;
    args: string[];
    exeDir: string;
    drive: string;
    forcedos: boolean;
    /** `-p<password>` goes after argument number `passwordAt` (the KB's order: `import -d<x> admin -p<pw> -q -y`). */
    password?: string;
    passwordAt?: number;
  };
  /** Read-only: is this dirsync participant settled (nothing waiting in either direction)? `kind` postoffice:
   * GLB\REQTRANS.GLB empty, no P1\*.RSP, GLB\SRVTRANS.GLB empty, GAL.GLB not older than the NME files, and
   * for the dirsync server (`server`) MBG\SYSTEM.MBG and GLB\SRVREQ.GLB empty. `kind` exchange: the DXA's
   * `exportFile` empty and MSExchangeDX Running (not Paused). Prints DR:pending (what still waits). Apply
   * changes nothing and fails when still pending (the end-of-cycle check). */
  'dirsync.settled': { kind: string; drive: string; server: boolean; exportFile: string };
}

export const msmailModules = [
  defineAction({
    name: 'service.pause',
    script: servicePause,
    lab: labSpec(msmailActions, 'service.pause'),
    applyMs: 5_000,
  }),
  defineAction({
    name: 'msmail.run',
    script: msmailRun,
    lab: labSpec(msmailActions, 'msmail.run'),
    /** FORCEDOS reqmain/srvmain/import/rebuild on a postoffice of a few thousand names. */
    applyMs: 60_000,
  }),
  defineAction({
    name: 'dirsync.settled',
    script: dirsyncSettled,
    lab: labSpec(msmailActions, 'dirsync.settled'),
    applyMs: 300,
    verify: 'endState',
  }),
] as const;
