/**
 * An injected failure of an msiexec step (its module's `msiexecLog`) still leaves the verbose log msiexec would have written
 * (`/l*v`, the step's `log` param), saying it failed and with which code — so a rehearsal shows
 * the tool fetching the logs of failed installs.
 */
import { actionModule } from '../../actions/catalog.js';
import type { ScriptHeader } from '../../remote/header.js';
import type { HostState } from './state.js';
import { putFile, textFile } from './files.js';

export function writeFaultedMsiLog(
  host: HostState,
  header: ScriptHeader,
  exitCode: number,
  now: number,
): void {
  const verb = actionModule(header.action)?.msiexecLog;
  if (verb === undefined) return;
  const log = header.params.log;
  if (typeof log !== 'string' || log === '') return;
  const product = typeof header.params.path === 'string' ? header.params.path : header.target;
  const text = [
    `=== Verbose logging started: ${new Date(now).toISOString()} ===`,
    `Action: ${verb} ${product}`,
    `Note: 1: 1708`,
    `Product: ${header.target} -- Installation failed.`,
    `MainEngineThread is returning ${exitCode}`,
    '=== Verbose logging stopped ===',
    '',
  ].join('\r\n');
  putFile(host, log, textFile(text));
}
