/**
 * How an apply's exit code reads to the operator: the class (from the catalog's classifyExit)
 * plus a message that says what failed, where, and what to look at.
 */
import { actionModule, classifyExit } from './catalog.js';
import { place, type ApplyContext, type ApplyVerdict } from './exit-class.js';
import type { Params } from '../remote/header.js';

export { classifyExit, type ExitClass } from './catalog.js';
export { place, type ApplyContext, type ApplyVerdict } from './exit-class.js';

/** The last few non-result lines of the output: usually the error the script printed. */
function outputTail(output: string, count = 3): string {
  const text = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('DR:') && !l.startsWith('__RC__='));
  return text.slice(-count).join(' | ');
}

/**
 * Reads an apply's exit code (already taken from the `__RC__` sentinel) for `action`.
 *
 * For example, exit code 1618 of an msi.install step (another installation in progress) reads as
 * `transient`, with a message naming the product, the package and the verbose log.
 */
export function interpretApply(
  action: string,
  exitCode: number,
  output: string,
  params: Params,
  context?: ApplyContext,
): ApplyVerdict {
  const describe = actionModule(action)?.describeExit;
  if (describe) {
    const verdict = describe(exitCode, params, context);
    const tail = verdict.outcome === 'permanent' ? outputTail(output) : '';
    return tail ? { ...verdict, message: `${verdict.message} Output: ${tail}` } : verdict;
  }
  const outcome = classifyExit(action, exitCode);
  const what = context?.target ? `${action} ${context.target}` : action;
  if (outcome === 'ok') return { outcome, message: `${what}${place(context)} succeeded` };
  if (outcome === 'restartPending')
    return {
      outcome,
      message: `${what}${place(context)} succeeded but Windows needs a restart to finish (exit code ${exitCode}); restart the host at a safe moment.`,
    };
  const tail = outputTail(output);
  return {
    outcome,
    message: `${what}${place(context)} failed with exit code ${exitCode}${tail ? `: ${tail}` : ''}. Look at the step's output in the audit log for the full error.`,
  };
}
