import { describe, expect, test } from '@jest/globals';
import { interpretApply } from '../../src/actions/exit-codes.js';
import type { Params } from '../../src/remote/header.js';

const INSTALL: Params = {
  product: 'MPS DNS Client',
  path: 'C:\\temp\\QFERollupPackage\\Dnsclient.msi',
  version: '4.5.1600.6',
  log: 'C:\\temp\\QFERollupPackage\\logs\\Dnsclient-install.log',
};
const UNINSTALL: Params = {
  product: 'MPS DNS Client',
  path: INSTALL.path!,
  log: 'C:\\temp\\QFERollupPackage\\logs\\Dnsclient-uninstall.log',
};

describe('interpretApply', () => {
  test.each([
    ['msi.install', 0, 'ok', /succeeded \(0 ERROR_SUCCESS\)/],
    ['msi.install', 3010, 'restartPending', /needs a restart.*3010 ERROR_SUCCESS_REBOOT_REQUIRED/],
    ['msi.install', 1641, 'restartPending', /1641 ERROR_SUCCESS_REBOOT_INITIATED/],
    [
      'msi.uninstall',
      1605,
      'alreadyDone',
      /was not installed.*1605 ERROR_UNKNOWN_PRODUCT.*nothing to remove/,
    ],
    ['msi.install', 1605, 'permanent', /failed: the product is not installed \(1605 ERROR_UNKNOWN_PRODUCT\)/],
    [
      'msi.install',
      1618,
      'transient',
      /another installation is in progress, will retry \(1618 ERROR_INSTALL_ALREADY_RUNNING\)/,
    ],
    ['msi.uninstall', 1618, 'transient', /another installation is in progress, will retry/],
    [
      'msi.install',
      1603,
      'permanent',
      /failed: a fatal error occurred during installation \(1603 ERROR_INSTALL_FAILURE\).*Dnsclient-install\.log.*Return value 3/,
    ],
    [
      'msi.install',
      1619,
      'permanent',
      /could not be opened.*1619 ERROR_INSTALL_PACKAGE_OPEN_FAILED.*exists at that path/,
    ],
    ['msi.install', 1620, 'permanent', /1620 ERROR_INSTALL_PACKAGE_INVALID.*stage the package again/],
    [
      'msi.install',
      1638,
      'permanent',
      /another version of this product is already installed \(1638 ERROR_PRODUCT_VERSION\).*remove the installed version first/,
    ],
    ['msi.install', 1234, 'permanent', /1234 an error not in the Windows Installer table/],
  ] as const)('reads %s exit %d as %s and says so', (action, code, outcome, message) => {
    const params = action === 'msi.install' ? INSTALL : UNINSTALL;
    const verdict = interpretApply(action, code, '', params, { host: 'DNS01' });
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.message).toMatch(message);
  });

  test('names the product, the package, the host and the verbose log when msiexec fails', () => {
    const { message } = interpretApply('msi.install', 1603, 'out: something\n__RC__=1603', INSTALL, {
      host: 'DNS01',
    });
    expect(message).toContain('MPS DNS Client');
    expect(message).toContain('from C:\\temp\\QFERollupPackage\\Dnsclient.msi');
    expect(message).toContain('on DNS01');
    expect(message).toContain(
      'Verbose log on DNS01: C:\\temp\\QFERollupPackage\\logs\\Dnsclient-install.log',
    );
  });

  test('reads a non-msi action by exit 0 or not, quoting the error the script printed', () => {
    expect(
      interpretApply('complus.start', 0, 'DR:state=done', {}, { target: 'Provisioning Engine' }),
    ).toEqual({
      outcome: 'ok',
      message: 'complus.start Provisioning Engine succeeded',
    });
    const failed = interpretApply(
      'complus.start',
      1,
      "DR:enabled=false\nCOM+ application 'Provisioning Engine' is disabled; enable it before starting it (script line 40)\n__RC__=1",
      {},
      { host: 'MPS02', target: 'Provisioning Engine' },
    );
    expect(failed.outcome).toBe('permanent');
    expect(failed.message).toBe(
      "complus.start Provisioning Engine on MPS02 failed with exit code 1: COM+ application 'Provisioning Engine' is disabled; enable it before starting it (script line 40). Look at the step's output in the audit log for the full error.",
    );
  });

  test('does not treat 1605 as done for anything but an uninstall, nor 3010 as special outside msiexec', () => {
    expect(interpretApply('program.run', 1605, '', {}).outcome).toBe('permanent');
    expect(interpretApply('program.run', 3010, '', {}).outcome).toBe('permanent');
  });
});
