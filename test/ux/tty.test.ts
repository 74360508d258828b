/**
 * The live view in a real pseudo-terminal: a lab rollout under tmux shows the stage list, hosts
 * with their current step, the summary line and, at the end, the run summary with the report path.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { CLI, LAB_PASSWORD, makeUxLab } from './helpers.js';

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const SESSION = `dr-ux-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

describe('live progress in a terminal', () => {
  const lab = makeUxLab();
  let started = false;
  afterAll(() => {
    if (started) {
      try {
        tmux('kill-session', '-t', SESSION);
      } catch {
        // Already gone.
      }
    }
    lab.cleanup();
  });

  // CI installs tmux (.ci/run); a developer machine without it skips rather than fails.
  (hasTmux() || process.env.CI ? test : test.skip)(
    'a lab rollout redraws stages and hosts, then prints the summary and the report path',
    async () => {
      const command = [
        'env -u NO_COLOR -u CI',
        `DEPLOY_ROLLUP_LAB_PASSWORD=${quote(LAB_PASSWORD)}`,
        quote(process.execPath),
        quote(CLI),
        `--inventory ${quote(lab.inventory)} --lab --yes --state-dir ${quote(lab.stateDir)}`,
        '; echo DR-EXIT=$?; sleep 120',
      ].join(' ');
      tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', command);
      started = true;
      const screens: string[] = [];
      const deadline = Date.now() + 90_000;
      for (let i = 0; i < 900 && Date.now() < deadline; i++) {
        const screen = tmux('capture-pane', '-p', '-t', SESSION);
        screens.push(screen);
        if (screen.includes('DR-EXIT=')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const last = screens.at(-1) ?? '';
      expect(last).toContain('DR-EXIT=0');
      expect(last).toContain('Summary of run');
      expect(last).toMatch(/report: .*report\.md/);
      expect(last).toMatch(/✓ .*\[stopEngines\]/);
      expect(last).toMatch(/hosts: 8 done, 0 running, 0 failed/);
      const all = screens.join('\n');
      // Mid-run frames: a current stage and a host row under it with its step and elapsed time.
      expect(all).toMatch(/▶ .*\[[a-zA-Z]+\]/);
      expect(all).toMatch(/^ {4}[a-z][a-z0-9-]+ +(\S+ .*\(\d+s\)|idle, \d+ step\(s\) done)/m);
    },
    120_000,
  );
});
