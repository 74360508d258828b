/**
 * After an msiexec step (its module's `msiexecLog`) failed for good, its verbose log (`/l*v`, the step's `log` param) is read
 * back over the host's SFTP session into the run directory (`msi-logs/<host>/<step>.log`, at most
 * its last {@link MSI_LOG_MAX_BYTES}), where the report links it. Best effort: a log that cannot
 * be read is a note, never a second failure.
 */
import { writeFileAtomic, ensureDir } from '../durability/fs-atomic.js';
import { actionModule } from '../actions/catalog.js';
import { dirname } from 'node:path';
import type { PlanStep } from '../plan/types.js';
import { msiLogPath } from '../report/msi-log-paths.js';
import type { EngineDeps } from './context.js';
import type { Ledger } from './ledger.js';
import { resolveParams } from './params.js';

export const MSI_LOG_MAX_BYTES = 1024 * 1024;

/** The log with `redact` applied, in its own encoding (UTF-16LE with its BOM, else byte for byte). */
function redacted(data: Buffer, redact: (text: string) => string): Buffer {
  const utf16 = data.length >= 2 && data[0] === 0xff && data[1] === 0xfe;
  return Buffer.from(redact(data.toString(utf16 ? 'utf16le' : 'latin1')), utf16 ? 'utf16le' : 'latin1');
}

export async function fetchMsiLog(deps: EngineDeps, ledger: Ledger, step: PlanStep): Promise<void> {
  if (actionModule(step.action)?.msiexecLog === undefined || !deps.runDir) return;
  try {
    const params = resolveParams(
      step.params,
      { captures: ledger.captures, packageHashes: deps.packageHashes, package: deps.package },
      step.id,
    );
    const log = params.log;
    const transport = deps.transport(step.host);
    if (typeof log !== 'string' || !transport.download) return;
    const read = await transport.download(log, { maxBytes: MSI_LOG_MAX_BYTES, timeoutMs: 60_000 });
    if (!read) {
      deps.emit({ type: 'note', message: `${step.host}: no msiexec log at ${log} to fetch` });
      return;
    }
    const file = msiLogPath(deps.runDir, step.host, step.id);
    await ensureDir(dirname(file));
    // A verbose log can hold property values: the run's secrets are masked as in every other log.
    await writeFileAtomic(file, redacted(read.data, deps.redact ?? ((text: string) => text)));
    const cut = read.size > read.data.length ? ` (its last ${read.data.length} of ${read.size} bytes)` : '';
    deps.emit({ type: 'note', message: `${step.host}: msiexec log of ${step.id} fetched to ${file}${cut}` });
  } catch (error) {
    deps.emit({
      type: 'note',
      message: `${step.host}: could not fetch the msiexec log of ${step.id}: ${(error as Error).message}`,
    });
  }
}
