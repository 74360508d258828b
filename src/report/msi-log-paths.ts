/** Where fetched msiexec logs go in a run directory: `msi-logs/<host>/<step>.log`. */
import { join } from 'node:path';

export const MSI_LOG_DIR = 'msi-logs';

/** The run-directory file for a step's msiexec log (the step id made a file name). */
export function msiLogPath(runDir: string, host: string, stepId: string): string {
  return join(
    runDir,
    MSI_LOG_DIR,
    host.replace(/[^A-Za-z0-9._-]/g, '_'),
    `${stepId.replace(/[^A-Za-z0-9._-]/g, '_')}.log`,
  );
}
