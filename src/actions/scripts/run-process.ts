/** The helper that runs a native program from an action script (see `helpers.ts`). */

/**
 * `RunProcess $file $argLine $dir $echo`: runs a native program with an empty standard input of
 * its own, waits for it, and leaves its exit code in `$script:ProcRc` and its standard output
 * lines in `$script:ProcOut` (at most the last 1 MB; `$script:ProcOutCut` says when earlier
 * output was dropped). Its stderr lines go to the script's stderr as `stderr: …`, and with `$echo`
 * its stdout lines to the script's output as `out: …`, each bounded to the last 64 KB with a
 * note when cut. A program that cannot be started throws `cannot start <file>: <reason>`.
 *
 * Why not `Start-Process -Wait -PassThru`: Win32-OpenSSH runs each session in a job object, and
 * before Windows 8 / Server 2012 a job cannot be nested, so on Server 2003/2008/2008 R2
 * Start-Process -Wait returns at once with no exit code (PowerShell issue 5421, Win32-OpenSSH
 * issue 1195). Here the program is a `System.Diagnostics.Process` of our own, waited for on its
 * own handle (`WaitForExit`), whose `ExitCode` is then read.
 *
 * How both pipes are read without deadlock (a child that fills one pipe while we block on the
 * other would hang for ever), with .NET 2.0 and PowerShell 2.0 only:
 * - `Stream.BeginRead(buffer, 0, n, $null, $null)` on each pipe's `BaseStream`, polled from the
 *   script's own thread: `WaitHandle.WaitAny` on the pending reads' `AsyncWaitHandle` (200 ms
 *   at most), then `EndRead` on the ones completed and a new `BeginRead`. No script block ever
 *   runs on another thread: the pipe streams Process makes on .NET 2.0 are synchronous
 *   FileStreams, whose BeginRead runs the blocking `Read` on a thread-pool thread through a
 *   delegate of the framework's own. Bytes are decoded by a `Decoder` of the stream's
 *   `CurrentEncoding` (the console code page, as Process chose it), which keeps a character split
 *   across two reads whole.
 * - Rejected: `BeginOutputReadLine` with a script block added as the `OutputDataReceived`
 *   handler runs that script block on a thread-pool thread with no runspace, which crashes
 *   PowerShell 2.0; through `Register-ObjectEvent` it queues one PowerShell event per line
 *   (thousands for a chatty tool), handled only when the engine gets round to it.
 *   `ReadToEndAsync` is .NET 4.5. `cmd /c "… 2>file"` would hand the whole command line to
 *   cmd.exe's parser, which expands `%…%` and treats `& | < > ^` in any argument (paths,
 *   MS Mail's `-p<password>`) as its own syntax.
 * The read ends at end of file on both pipes; if the program has exited but a process it started
 * still holds a pipe open, reading stops 5 s after the exit (with a note), so that process cannot
 * keep the step waiting.
 *
 * msiexec's 1618 (another installation is in progress) is waited out: the run is retried every
 * `$busyRetrySec` (15 s) while the next try still starts within `$busyWaitSec` (600 s: well
 * inside the engine's 30-minute step deadline; callers pass no deadline of their own) of the
 * first; after that 1618 is left in `$script:ProcRc` for the engine, which treats it as
 * transient. The two optional parameters exist for the tests; callers pass four arguments.
 */
export const RUN_PROCESS = String.raw`function RunProcess([string]$file, [string]$argLine, [string]$dir, [bool]$echo, [int]$busyWaitSec = 600, [int]$busyRetrySec = 15) {
  function ProcLines($s) {
    $t = $s.T.ToString()
    if ($s.Cut -gt 0) { $i = $t.IndexOf([char]10); if ($i -ge 0) { $s.Cut += $i + 1; $t = $t.Substring($i + 1) } }
    $t = $t -replace '\r?\n\z', ''
    if ($t -ne '') { $t -split '\r?\n' }
  }
  $script:ProcRc = $null
  $script:ProcOut = @()
  $script:ProcOutCut = $false
  $msi = [IO.Path]::GetFileNameWithoutExtension($file) -eq 'msiexec'
  $until = [DateTime]::UtcNow.AddSeconds($busyWaitSec)
  while ($true) {
    $si = New-Object Diagnostics.ProcessStartInfo
    $si.FileName = $file
    $si.Arguments = $argLine
    if ($dir) { $si.WorkingDirectory = $dir }
    $si.UseShellExecute = $false
    $si.CreateNoWindow = $true
    $si.RedirectStandardInput = $true
    $si.RedirectStandardOutput = $true
    $si.RedirectStandardError = $true
    try { $p = StartProcess $si } catch {
      $e = $_.Exception
      while ($e.InnerException) { $e = $e.InnerException }
      throw ('cannot start ' + $file + ': ' + $e.Message)
    }
    $p.StandardInput.Close()
    $r = @(@{ R = $p.StandardOutput; Keep = 1048576 }, @{ R = $p.StandardError; Keep = 65536 })
    foreach ($s in $r) {
      $s.S = $s.R.BaseStream
      $s.D = $s.R.CurrentEncoding.GetDecoder()
      $s.B = New-Object byte[] 32768
      $s.C = New-Object char[] ($s.R.CurrentEncoding.GetMaxCharCount(32768))
      $s.T = New-Object Text.StringBuilder
      $s.Cut = 0
      $s.Done = $false
      $s.A = $s.S.BeginRead($s.B, 0, 32768, $null, $null)
    }
    $exited = $null
    while (-not ($r[0].Done -and $r[1].Done)) {
      $h = @()
      foreach ($s in $r) { if (-not $s.Done) { $h += $s.A.AsyncWaitHandle } }
      [void][Threading.WaitHandle]::WaitAny([Threading.WaitHandle[]]$h, 200, $false)
      foreach ($s in $r) {
        if ($s.Done -or -not $s.A.IsCompleted) { continue }
        $n = $s.S.EndRead($s.A)
        if ($n -le 0) { $s.Done = $true; continue }
        $c = $s.D.GetChars($s.B, 0, $n, $s.C, 0)
        [void]$s.T.Append($s.C, 0, $c)
        if ($s.T.Length -gt 2 * $s.Keep) { $s.Cut += $s.T.Length - $s.Keep; [void]$s.T.Remove(0, $s.T.Length - $s.Keep) }
        $s.A = $s.S.BeginRead($s.B, 0, 32768, $null, $null)
      }
      if ($exited -eq $null) { if ($p.HasExited) { $exited = [DateTime]::UtcNow } } elseif (([DateTime]::UtcNow - $exited).TotalSeconds -gt 5) { break }
    }
    $held = -not ($r[0].Done -and $r[1].Done)
    if (-not $held) { $p.WaitForExit() }
    $rc = [int]$p.ExitCode
    $p.Close()
    foreach ($s in $r) { if ($s.T.Length -gt $s.Keep) { $s.Cut += $s.T.Length - $s.Keep; [void]$s.T.Remove(0, $s.T.Length - $s.Keep) } }
    $script:ProcOut = @(ProcLines $r[0])
    $script:ProcOutCut = $r[0].Cut -gt 0
    $errLines = @(ProcLines $r[1])
    if ($r[1].Cut -gt 0) { [Console]::Error.WriteLine('stderr: [' + $r[1].Cut + ' earlier characters not kept]') }
    foreach ($l in $errLines) { [Console]::Error.WriteLine('stderr: ' + $l) }
    if ($held) { [Console]::Error.WriteLine($file + ' has exited, but a process it started still holds its output open; the rest of that output is not read') }
    if ($echo) {
      $from = $script:ProcOut.Count
      $size = 0
      while ($from -gt 0 -and $size + $script:ProcOut[$from - 1].Length + 2 -le 65536) { $from--; $size += $script:ProcOut[$from].Length + 2 }
      if ($from -gt 0 -or $script:ProcOutCut) { Write-Output ('out: [only the last ' + ($script:ProcOut.Count - $from) + ' lines are shown]') }
      for ($i = $from; $i -lt $script:ProcOut.Count; $i++) { Write-Output ('out: ' + $script:ProcOut[$i]) }
    }
    if ($msi -and $rc -eq 1618 -and [DateTime]::UtcNow.AddSeconds($busyRetrySec) -lt $until) {
      [Console]::Error.WriteLine('msiexec: another installation is in progress (1618); trying again in ' + $busyRetrySec + ' s')
      Start-Sleep -Seconds $busyRetrySec
      continue
    }
    $script:ProcRc = $rc
    return
  }
}`;
