/**
 * The whole script a host receives for one phase of one step:
 *
 *     # deploy-rollup/1 run=… step=… action=… phase=… host=… target=… params=…   (line 1, the header)
 *     $ErrorActionPreference = 'Stop'
 *     $rc = 1
 *     trap { … '__RC__=1'; exit 1 }           (safety net; also what a PowerShell 1.0 host reaches)
 *     function DR($k, $v) { … }               (result lines, value percent-encoded)
 *     …helpers the body calls…
 *     try { $target = '…'; <body sets $rc> } catch { <message to stderr>; $rc = 1 }
 *     Write-Output ('__RC__=' + $rc)         (the last output line: the sentinel)
 *     exit $rc
 *
 * Every value from the plan enters as a single-quoted literal (psLiteral), once.
 */
import {
  formatHeader,
  formatSentinel,
  PHASES,
  SENTINEL_PREFIX,
  type Params,
  type Phase,
} from '../remote/header.js';
import { psLiteral } from '../remote/ps-literal.js';
import { scriptFor } from './registry.js';
import { helpersFor, lines } from './scripts/helpers.js';

export interface ScriptInput {
  run: string;
  step: string;
  action: string;
  phase: Phase;
  host: string;
  target: string;
  params: Params;
}

const RESULT_HELPER =
  "function DR($k, $v) { Write-Output ('DR:' + $k + '=' + [Uri]::EscapeDataString([string]$v)) }";

/**
 * A terminating error outside try/catch (or any error on PowerShell 1.0, where `try` is not a
 * keyword and the first `try {` is an unknown command) still ends with the sentinel.
 */
const TRAP = `trap { if (-not $PSVersionTable) { Write-Output 'DR:psVersion=1.0' }; [Console]::Error.WriteLine([string]$_); Write-Output ${psLiteral(formatSentinel(1))}; exit 1 }`;

const CATCH = lines(
  '} catch {',
  "  [Console]::Error.WriteLine($_.Exception.Message + ' (script line ' + $_.InvocationInfo.ScriptLineNumber + ')')",
  '  $rc = 1',
  '}',
);

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

/**
 * Builds the script for one phase of one step. Throws TypeError for an unknown action, invalid
 * params, or a value that cannot be a literal (line breaks, NUL).
 *
 * @example buildScript({ run, step: 'resetIis/PROV01/iis-reset', action: 'iis.reset', phase: 'verify', host: 'PROV01', target: '', params: {} })
 */
export function buildScript(input: ScriptInput): string {
  if (!PHASES.includes(input.phase))
    throw new TypeError(`phase must be one of ${PHASES.join(', ')}, got ${JSON.stringify(input.phase)}`);
  const body = scriptFor(input.action, input.phase, input.target, input.params);
  const main = lines(`$target = ${psLiteral(input.target)}`, body);
  return (
    lines(
      formatHeader(input),
      `# ${input.action} ${input.phase}, written by deploy-rollup. Its last output line is the exit-code sentinel.`,
      "$ErrorActionPreference = 'Stop'",
      '$rc = 1',
      TRAP,
      RESULT_HELPER,
      helpersFor(main),
      'try {',
      indent(main),
      CATCH,
      'if ($rc -eq $null) { $rc = 1 }',
      `Write-Output (${psLiteral(SENTINEL_PREFIX)} + $rc)`,
      'exit $rc',
    ) + '\n'
  );
}
