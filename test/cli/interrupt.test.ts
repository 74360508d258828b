/**
 * Always exit: the first Ctrl-C names the steps the run waits for (host, step, deadline); the
 * second quits at once and the run resumes to its end. A `slow` host whose step outlived the
 * step timeout does not keep the process alive after the run stopped.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { faultsFile, labArgs, makeLabDir, runCli, startCli, type LabDir } from '../resume/helpers.js';

let lab: LabDir;
beforeAll(() => {
  lab = makeLabDir();
});
afterAll(() => lab.cleanup());

/** Resolves once `read()` matches `pattern` (polled, bounded by `tries`). */
async function until(read: () => string, pattern: RegExp, tries = 600): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (pattern.test(read())) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('interrupting a run', () => {
  test('the first Ctrl-C names what it waits for, the second quits, and the run resumes to the end', async () => {
    const state = lab.stateDir('ctrl-c');
    // dns-main takes 20x the nominal time: its MSI install (20 s nominal) is in flight for minutes.
    const faults = faultsFile(lab, 'slow', '- { kind: slow, host: dns-main, factor: 20 }\n');
    const { child, done } = startCli([...labArgs(lab, state), '--faults', faults, '--json']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    try {
      const started = await until(
        () => stderr,
        /"type":"step\.start"[^\n]*"host":"dns-main"|"host":"dns-main"[^\n]*"type":"step\.start"/,
        1200,
      );
      expect(started).toBe(true);
      child.kill('SIGINT');
      const said = await until(() => stderr, /waiting for \d+ step\(s\) in flight/);
      expect(said).toBe(true);
      expect(stderr).toMatch(/dns-main: \S+ .*\(running \d+s, deadline \d\d:\d\d:\d\d UTC\)/);
      expect(stderr).toContain('Ctrl-C again to quit at once');
      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /second interrupt: quitting now\. The journal stays resumable: deploy-rollup .*--resume \S+/,
      );
    } finally {
      clearTimeout(killer);
    }
    // The lab keeps its state across the quit; without the slow fault the run finishes.
    const resumed = await runCli([...labArgs(lab, state), '--resume'], 120_000);
    expect(resumed.stderr).toContain('the runbook is applied');
    expect(resumed.code).toBe(0);
  }, 300_000);

  test('a slow host past its step timeout: the run stops and the process exits', async () => {
    const state = lab.stateDir('slow-timeout');
    const faults = faultsFile(lab, 'slower', '- { kind: slow, host: dns-main, factor: 10 }\n');
    // An MSI step on dns-main takes 150-200 s here; the step timeout gives up after 8 s. Were the
    // lab's timer left running the process would outlive runCli's 90 s limit (killed: code null).
    const result = await runCli(
      [...labArgs(lab, state), '--faults', faults, '--step-timeout', '8', '--retries', '0'],
      90_000,
    );
    expect(result.stderr).toContain('did not finish within 8 s');
    expect(result.code).toBe(1);
  }, 120_000);
});
