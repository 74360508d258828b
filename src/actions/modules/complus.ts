/**
 * COM+ applications (the Provisioning Engine).
 *
 * COM+ application actions (the Provisioning Engine) through COMAdmin.COMAdminCatalog.
 * `$target` is the application name; probes print DR:enabled and DR:running.
 */
import { defineAction } from '../action.js';
import { requireTarget } from '../params.js';
import { lines, reportState, type FamilyBuilder, type PhaseBodies } from '../scripts/helpers.js';
import {
  complusDisableLab,
  complusEnableLab,
  complusShutdownLab,
  complusStartLab,
} from '../../lab/model/actions/complus.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface ComplusParams {
  /** COM+ application `target` (e.g. Provisioning Engine). disable: IsEnabled=false + SaveChanges.
   * shutdown: ShutdownApplication, wait until no instances. enable: IsEnabled=true. start: StartApplication
   * (fails, exit 1, while disabled). Probe/verify print DR:enabled, DR:running. */
  'complus.disable': Record<string, never>;
  'complus.shutdown': Record<string, never>;
  'complus.enable': Record<string, never>;
  'complus.start': Record<string, never>;
}

/** How long shutdown and start wait for the instance count to settle: 60 polls of 2 s. */
const POLLS = 60;
const POLL_SECONDS = 2;

const READ_STATE = lines(
  '$c = ComApp $target',
  "$enabled = [bool]$c.App.Value('IsEnabled')",
  '$running = ComRunning $c',
  "DR 'enabled' (Bool $enabled)",
  "DR 'running' (Bool $running)",
);

function waitFor(condition: string, failure: string): string {
  return lines(
    `for ($i = 0; $i -lt ${POLLS}; $i++) {`,
    `  if (${condition}) { break }`,
    `  Start-Sleep -Seconds ${POLL_SECONDS}`,
    '}',
    `if (-not (${condition})) { throw ('COM+ application ''' + $target + ''' ${failure} after ${POLLS * POLL_SECONDS} s') }`,
  );
}

function build(
  action: 'complus.disable' | 'complus.shutdown' | 'complus.enable' | 'complus.start',
  done: string,
  apply: string,
): FamilyBuilder {
  return (_params, target): PhaseBodies => {
    requireTarget(action, target);
    const check = lines(READ_STATE, reportState(done));
    return { probe: check, apply: lines('$c = ComApp $target', apply, '$rc = 0'), verify: check };
  };
}

/** IsEnabled = false, saved: new activations fail, running clients keep working until shutdown. */
const complusDisable = build(
  'complus.disable',
  '-not $enabled',
  lines("$c.App.Value('IsEnabled') = $false", '[void]$c.Apps.SaveChanges()'),
);

/** ShutdownApplication, then wait (bounded) until no instance runs. */
const complusShutdown = build(
  'complus.shutdown',
  '-not $running',
  lines(
    '$c.Cat.ShutdownApplication($target)',
    waitFor('-not (ComRunning $c)', 'still has running instances'),
  ),
);

const complusEnable = build(
  'complus.enable',
  '$enabled',
  lines("$c.App.Value('IsEnabled') = $true", '[void]$c.Apps.SaveChanges()'),
);

/** StartApplication; refused (exit 1) while the application is disabled, as COM+ refuses it. */
const complusStart = build(
  'complus.start',
  '$running',
  lines(
    "if (-not [bool]$c.App.Value('IsEnabled')) { throw ('COM+ application ''' + $target + ''' is disabled; enable it before starting it') }",
    '$c.Cat.StartApplication($target)',
    waitFor('ComRunning $c', 'did not start'),
  ),
);

export const complusModules = [
  defineAction({
    name: 'complus.disable',
    script: complusDisable,
    lab: complusDisableLab,
    applyMs: 3_000,
  }),
  defineAction({
    name: 'complus.shutdown',
    script: complusShutdown,
    lab: complusShutdownLab,
    applyMs: 3_000,
  }),
  defineAction({
    name: 'complus.enable',
    script: complusEnable,
    lab: complusEnableLab,
    applyMs: 3_000,
    verify: 'endState',
  }),
  defineAction({
    name: 'complus.start',
    script: complusStart,
    lab: complusStartLab,
    applyMs: 3_000,
    verify: 'endState',
  }),
] as const;
