/**
 * The MS Mail Connector's repointed registry value and the mail-flow check.
 *
 * Microsoft Mail Connector repairs: `registry.repointValue` (a value's path moved from one folder
 * to another, every `;`-separated part, type kept) and the mail-flow evidence read from the
 * Application event log (`mailflow.check`, after an `eventlog.mark`). Get-EventLog is bounded with
 * -Newest so a huge log is never read whole.
 */
import { defineAction } from '../action.js';
import { declare, readParams, requireTarget } from '../params.js';
import { psLiteral } from '../../remote/ps-literal.js';
import { lines, reportState, type FamilyBuilder } from '../scripts/helpers.js';
import { mailflowCheckLab, registryRepointValueLab } from '../../lab/model/actions/mail-connector.js';

/** Parameters per action. Values come from the runbook data and the inventory, and enter a script only through `psLiteral`. */
export interface MailConnectorParams {
  /** In value `name` of registry key `target`, replace the folder prefix `from` by `to` in every `;`-separated
   * path, keeping the value's type ("verify and correct, if necessary"). Done when no part starts with `from`.
   * Apply refuses to point a part at a file that does not exist under `to`. Probe prints DR:data, DR:stale. */
  'registry.repointValue': { name: string; from: string; to: string };
  /** Mail flow both ways, confirmed by the operator at a gate (apply is refused: a person sends the test
   * messages). Done when the Application log holds, after record `since`, an event from `source` with id
   * `outboundEventId` (to MS Mail) and one with `inboundEventId` (to Exchange). Prints DR:outbound, DR:inbound. */
  'mailflow.check': { source: string; since: string; outboundEventId: number; inboundEventId: number };
}

/** Events read back per check: enough for a test message each way after the mark. */
const NEWEST = 5000;

const registryRepointValue: FamilyBuilder = (params, target) => {
  requireTarget('registry.repointValue', target);
  const read = readParams('registry.repointValue', params);
  const vars = declare({
    name: read.str('name', { nonEmpty: true }),
    from: read.str('from', { nonEmpty: true }),
    to: read.str('to', { nonEmpty: true }),
  });
  const current = lines(
    '$key = RegPath $target',
    "if (-not (Test-Path -LiteralPath $key)) { throw ('registry key ''' + $target + ''' does not exist; is the service installed?') }",
    '$item = Get-Item -LiteralPath $key',
    "$have = $item.GetValue($name, $null, 'DoNotExpandEnvironmentNames')",
    "if ($have -eq $null) { throw ('value ' + $name + ' of ''' + $target + ''' does not exist') }",
    '$have = [string]$have',
    "DR 'data' $have",
    "$fromP = $from.TrimEnd('\\') + '\\'",
    "$toP = $to.TrimEnd('\\') + '\\'",
    '$parts = @()',
    '$stale = $false',
    "foreach ($p in $have.Split(';')) {",
    '  $t = $p.Trim()',
    '  if ($t.StartsWith($fromP, [StringComparison]::OrdinalIgnoreCase)) { $stale = $true; $t = $toP + $t.Substring($fromP.Length) }',
    '  $parts += $t',
    '}',
    "DR 'stale' (Bool $stale)",
  );
  return {
    probe: lines(vars, current, reportState('-not $stale')),
    apply: lines(
      vars,
      current,
      'if ($stale) {',
      "  foreach ($t in $parts) { if ($t.StartsWith($toP, [StringComparison]::OrdinalIgnoreCase) -and -not (FileExists (ExpandEnv $t))) { throw ('refusing to point ' + $name + ' at ' + $t + ': the file does not exist (copy Msmcon\\Bin first)') } }",
      '  $kind = [string]$item.GetValueKind($name)',
      "  Set-ItemProperty -LiteralPath $key -Name $name -Value ([string]::Join(';', $parts)) -Type $kind",
      '}',
      '$rc = 0',
    ),
    verify: lines(vars, current, reportState('-not $stale')),
  };
};

const mailflowCheck: FamilyBuilder = (params, target) => {
  requireTarget('mailflow.check', target);
  const read = readParams('mailflow.check', params);
  const vars = declare({
    source: read.str('source', { nonEmpty: true }),
    since: read.str('since', { nonEmpty: true }),
    outboundEventId: read.int('outboundEventId', 1, 65_535),
    inboundEventId: read.int('inboundEventId', 1, 65_535),
  });
  const check = lines(
    vars,
    '$after = [int64]$since',
    `$seen = @(Get-EventLog -LogName Application -Newest ${NEWEST} | Where-Object { $_.Source -eq $source -and [int64]$_.Index -gt $after })`,
    '$out = @($seen | Where-Object { $_.EventID -eq $outboundEventId }).Count -gt 0',
    '$in = @($seen | Where-Object { $_.EventID -eq $inboundEventId }).Count -gt 0',
    "DR 'outbound' (Bool $out)",
    "DR 'inbound' (Bool $in)",
    reportState('$out -and $in'),
  );
  const apply = lines(
    vars,
    `[Console]::Error.WriteLine(${psLiteral('test messages are sent by the operator, in each direction, not by a script')})`,
    '$rc = 1',
  );
  return { probe: check, apply, verify: check };
};

export const mailConnectorModules = [
  defineAction({
    name: 'registry.repointValue',
    script: registryRepointValue,
    lab: registryRepointValueLab,
    applyMs: 300,
    verify: 'endState',
    applyReadsFirst: true,
  }),
  defineAction({
    name: 'mailflow.check',
    script: mailflowCheck,
    lab: mailflowCheckLab,
    applyMs: 200,
    gate: true,
  }),
] as const;
