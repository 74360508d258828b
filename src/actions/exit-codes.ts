/**
 * How an apply's exit code reads to the operator: the class (from the catalog's classifyExit)
 * plus a message that says what failed, where, and what to look at.
 */
import { classifyExit, MSI_EXIT, type ExitClass } from './catalog.js';
import type { Params } from '../remote/header.js';

export { classifyExit, type ExitClass } from './catalog.js';

export interface ApplyVerdict {
  outcome: ExitClass;
  message: string;
}

/** Where the step ran, for messages (optional: the action's params already name most things). */
export interface ApplyContext {
  host?: string;
  target?: string;
}

const MSI_MEANING: Record<number, string> = {
  1602: 'the installation was cancelled (with /qn this points at a custom action that showed UI)',
  1603: 'a fatal error occurred during installation',
  1605: 'the product is not installed',
  1618: 'another installation is in progress, will retry',
  1619: 'the package could not be opened: it is missing, not readable, or not a Windows Installer package',
  1620: 'the package could not be opened: it is not a valid Windows Installer package',
  1638: 'another version of this product is already installed',
};

const MSI_ADVICE: Record<number, string> = {
  1603: 'search the verbose log for "Return value 3"; the lines above it name the failing action',
  1619: 'check that the file exists at that path on the host and was staged completely (size and sha256)',
  1620: 'stage the package again from the rollup; the copy on the host is damaged',
  1638: 'remove the installed version first (msi.uninstall), then install again',
  1602: 'run the install again; if it repeats, read the verbose log',
};

function str(params: Params, key: string): string {
  const value = params[key];
  return typeof value === 'string' ? value : '';
}

/** The last few non-result lines of the output: usually the error the script printed. */
function outputTail(output: string, count = 3): string {
  const text = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('DR:') && !l.startsWith('__RC__='));
  return text.slice(-count).join(' | ');
}

function place(context: ApplyContext | undefined): string {
  return context?.host ? ` on ${context.host}` : '';
}

function interpretMsi(
  action: 'msi.install' | 'msi.uninstall',
  exitCode: number,
  params: Params,
  context?: ApplyContext,
): ApplyVerdict {
  const outcome = classifyExit(action, exitCode);
  const verb = action === 'msi.install' ? 'install' : 'uninstall';
  const product = str(params, 'product') || context?.target || 'the product';
  const path = str(params, 'path');
  const log = str(params, 'log');
  const name = MSI_EXIT[exitCode]?.name ?? 'an error not in the Windows Installer table';
  const code = `${exitCode} ${name}`;
  const from = action === 'msi.install' && path ? ` from ${path}` : '';
  const logHint = log ? ` Verbose log${place(context)}: ${log}.` : '';
  switch (outcome) {
    case 'ok':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${from}${place(context)} succeeded (${code})`,
      };
    case 'restartPending':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${place(context)} succeeded but Windows needs a restart to finish (${code}); restart the host at a safe moment.`,
      };
    case 'alreadyDone':
      return {
        outcome,
        message: `${product} was not installed${place(context)} (${code}): nothing to remove`,
      };
    case 'transient':
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${place(context)}: ${MSI_MEANING[exitCode] ?? 'a passing failure'} (${code}).${logHint}`,
      };
    default: {
      const meaning = MSI_MEANING[exitCode] ?? 'msiexec failed';
      const advice = MSI_ADVICE[exitCode] ? ` Next: ${MSI_ADVICE[exitCode]}.` : '';
      return {
        outcome,
        message: `msiexec ${verb} of ${product}${from}${place(context)} failed: ${meaning} (${code}).${logHint}${advice}`,
      };
    }
  }
}

/**
 * Reads an apply's exit code (already taken from the `__RC__` sentinel) for `action`.
 *
 * @example interpretApply('msi.install', 1618, '', { product: 'MPS DNS Client', path: 'C:\\x.msi', log: 'C:\\x.log' }).outcome === 'transient'
 */
export function interpretApply(
  action: string,
  exitCode: number,
  output: string,
  params: Params,
  context?: ApplyContext,
): ApplyVerdict {
  if (action === 'msi.install' || action === 'msi.uninstall') {
    const verdict = interpretMsi(action, exitCode, params, context);
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
