/**
 * The estate lease's script: one small PowerShell 2.0 script, sent to the lease host (the
 * Deployment Tool host), that takes, renews or releases a lease file on that host's disk.
 *
 * The lease file (`LEASE_PATH`) is `key=value` lines:
 *
 *     token=<32 hex>        the holder's secret-less random token
 *     runId=<run id>
 *     holder=<user@workstation>
 *     since=<ISO 8601 UTC>  when this holder took it
 *     expires=<ISO 8601 UTC>
 *     expiresTicks=<.NET ticks, UTC, by the lease host's clock>
 *
 * Expiry is judged only by the lease host's clock, so two workstations whose clocks disagree
 * still agree on whether a lease is stale. Taking a lease creates the file with
 * `[IO.File]::Open(path, 'CreateNew')`, which fails if it exists: of two takers, exactly one wins.
 * Renewing writes a new file beside it and swaps it in with `[IO.File]::Replace` (NTFS, .NET 2.0).
 *
 * Output: `DR:lease=<taken|held|busy|lost|missing|released|notOurs>`, then the file's fields as
 * `DR:lease.<key>=…` when another holder has it, and the `__RC__=0` sentinel (exit 0 whatever the
 * answer: the engine decides). Any other exit code is a failure to read or write the file.
 */
import { formatHeader, formatSentinel, SENTINEL_PREFIX } from './header.js';
import { psLiteral } from './ps-literal.js';

/** Where the lease file lives on the lease host. */
export const LEASE_PATH = 'C:\\deploy-rollup\\estate.lease';
/** The header's `action=` of a lease script (no catalog action: the engine sends it itself). */
export const LEASE_ACTION = 'estate.lease';

export type LeaseOp = 'take' | 'renew' | 'release';

export interface LeaseRequest {
  op: LeaseOp;
  host: string;
  path: string;
  token: string;
  runId: string;
  holder: string;
  ttlSeconds: number;
  /** `take`: replace an expired lease of another holder (`--take-over-lease`). */
  takeOver: boolean;
}

/*
 * `take` also replaces, expired or not, a lease of this very run and holder (run id and
 * user@workstation): an earlier process of the run that died holding it. Another process of it
 * on this workstation is ruled out by the local run lock, held before any lease is taken.
 */

/** The lease script's params as the header carries them (the lab reads these). */
export function leaseParams(request: LeaseRequest): Record<string, string | number | boolean> {
  const { op, token, runId, holder, ttlSeconds, takeOver } = request;
  return { op, token, runId, holder, ttlSeconds, takeOver };
}

const BODY = [
  "function DR($k, $v) { Write-Output ('DR:' + $k + '=' + [Uri]::EscapeDataString([string]$v)) }",
  'function LeaseRead {',
  '  if (-not [IO.File]::Exists($path)) { return $null }',
  '  $h = @{}',
  '  foreach ($l in ([IO.File]::ReadAllText($path)).Split("`n")) { $i = $l.IndexOf(\'=\'); if ($i -gt 0) { $h[$l.Substring(0, $i)] = $l.Substring($i + 1).Trim() } }',
  '  return $h',
  '}',
  'function LeaseText($sinceText) {',
  '  $exp = [DateTime]::UtcNow.AddSeconds($ttl)',
  "  return ('token=' + $token + \"`r`n\" + 'runId=' + $runId + \"`r`n\" + 'holder=' + $holder + \"`r`n\" + 'since=' + $sinceText + \"`r`n\" + 'expires=' + $exp.ToString('yyyy-MM-ddTHH:mm:ssZ') + \"`r`n\" + 'expiresTicks=' + $exp.Ticks + \"`r`n\")",
  '}',
  'function LeaseSwap($text) {',
  "  $tmp = $path + '.new'",
  '  [IO.File]::WriteAllText($tmp, $text)',
  "  [IO.File]::Replace($tmp, $path, $path + '.old')",
  '}',
  "function Others($h) { foreach ($k in @($h.Keys)) { if ($k -ne 'token') { DR ('lease.' + $k) $h[$k] } } }",
  "$nowText = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')",
  "if ($op -eq 'take') {",
  '  $dir = [IO.Path]::GetDirectoryName($path)',
  '  if (-not [IO.Directory]::Exists($dir)) { [void][IO.Directory]::CreateDirectory($dir) }',
  '  $fs = $null',
  "  try { $fs = [IO.File]::Open($path, 'CreateNew', 'Write', 'None') } catch [IO.IOException] { $fs = $null }",
  '  if ($fs -ne $null) {',
  '    $bytes = [Text.Encoding]::UTF8.GetBytes((LeaseText $nowText))',
  '    $fs.Write($bytes, 0, $bytes.Length); $fs.Flush(); $fs.Close()',
  "    DR 'lease' 'taken'",
  '  } else {',
  '    $h = LeaseRead',
  "    $expired = ($h -eq $null) -or (-not $h['expiresTicks']) -or ([int64]$h['expiresTicks'] -le [DateTime]::UtcNow.Ticks)",
  "    $ours = ($h -ne $null) -and ($h['runId'] -eq $runId) -and ($h['holder'] -eq $holder)",
  "    if ($h -ne $null -and $h['token'] -eq $token) { LeaseSwap (LeaseText $h['since']); DR 'lease' 'held' } elseif (($expired -and $takeOver) -or $ours) {",
  '      if ($h -ne $null) { Others $h }',
  '      LeaseSwap (LeaseText $nowText)',
  '      $again = LeaseRead',
  "      if ($again['token'] -eq $token) { DR 'lease' 'taken' } else { DR 'lease' 'busy' }",
  "    } else { DR 'lease' 'busy'; DR 'lease.expired' ([string]$expired).ToLower(); if ($h -ne $null) { Others $h } }",
  '  }',
  "} elseif ($op -eq 'renew') {",
  '  $h = LeaseRead',
  "  if ($h -eq $null) { DR 'lease' 'missing' } elseif ($h['token'] -ne $token) { DR 'lease' 'lost'; Others $h } else { LeaseSwap (LeaseText $h['since']); DR 'lease' 'held' }",
  '} else {',
  '  $h = LeaseRead',
  "  if ($h -ne $null -and $h['token'] -eq $token) { [IO.File]::Delete($path); DR 'lease' 'released' } else { DR 'lease' 'notOurs' }",
  '}',
];

/** The whole script for one lease operation (header line first, sentinel last). */
export function buildLeaseScript(request: LeaseRequest): string {
  const header = formatHeader({
    run: request.runId,
    step: 'estate-lease',
    action: LEASE_ACTION,
    phase: 'apply',
    host: request.host,
    target: request.path,
    params: leaseParams(request),
  });
  return [
    header,
    `# The estate lease (${request.op}), written by deploy-rollup. Its last output line is the exit-code sentinel.`,
    "$ErrorActionPreference = 'Stop'",
    `trap { [Console]::Error.WriteLine([string]$_); Write-Output ${psLiteral(formatSentinel(1))}; exit 1 }`,
    `$op = ${psLiteral(request.op)}`,
    `$path = ${psLiteral(request.path)}`,
    `$token = ${psLiteral(request.token)}`,
    `$runId = ${psLiteral(request.runId)}`,
    `$holder = ${psLiteral(request.holder)}`,
    `$ttl = ${String(Math.max(1, Math.round(request.ttlSeconds)))}`,
    `$takeOver = $${request.takeOver ? 'true' : 'false'}`,
    ...BODY,
    `Write-Output ${psLiteral(`${SENTINEL_PREFIX}0`)}`,
    'exit 0',
    '',
  ].join('\n');
}
