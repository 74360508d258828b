/** How an apply's exit code is read, and the Windows Installer's codes (msiexec and the tools that copy them). */

/** How an exit code is read. */
export type ExitClass = 'ok' | 'restartPending' | 'alreadyDone' | 'transient' | 'permanent';

/** msiexec exit codes (Windows Installer error table). 1605 counts as "already absent" on uninstall only. */
export const MSI_EXIT: Record<number, { class: ExitClass; name: string }> = {
  0: { class: 'ok', name: 'ERROR_SUCCESS' },
  3010: { class: 'restartPending', name: 'ERROR_SUCCESS_REBOOT_REQUIRED' },
  1641: { class: 'restartPending', name: 'ERROR_SUCCESS_REBOOT_INITIATED' },
  1605: { class: 'permanent', name: 'ERROR_UNKNOWN_PRODUCT' },
  1618: { class: 'transient', name: 'ERROR_INSTALL_ALREADY_RUNNING' },
  1602: { class: 'permanent', name: 'ERROR_INSTALL_USEREXIT' },
  1603: { class: 'permanent', name: 'ERROR_INSTALL_FAILURE' },
  1619: { class: 'permanent', name: 'ERROR_INSTALL_PACKAGE_OPEN_FAILED' },
  1620: { class: 'permanent', name: 'ERROR_INSTALL_PACKAGE_INVALID' },
  1638: { class: 'permanent', name: 'ERROR_PRODUCT_VERSION' },
};

/** 0 is ok, anything else a permanent failure: the reading of every tool that has no table of its own. */
export function zeroIsOk(exitCode: number): ExitClass {
  return exitCode === 0 ? 'ok' : 'permanent';
}

/** How an apply's exit code reads: its class and a message for the operator. */
export interface ApplyVerdict {
  outcome: ExitClass;
  message: string;
}

/** Where the step ran, for messages (optional: the action's params already name most things). */
export interface ApplyContext {
  host?: string;
  target?: string;
}

/** " on HOST" when the context names the host, for messages. */
export function place(context: ApplyContext | undefined): string {
  return context?.host ? ` on ${context.host}` : '';
}
