/** The live frame: stages and hosts, colour only when asked, and a final frame on run.end. */
import { describe, expect, test } from '@jest/globals';
import { LiveView } from '../../src/log/live-view.js';

const STAGES = [
  { id: 'stopEngines', title: 'Stop engines' },
  { id: 'resetIis', title: 'Reset IIS' },
];

function feed(color: boolean): string {
  let out = '';
  const view = new LiveView({ stages: STAGES, color, write: (text) => (out += text), intervalMs: 0 });
  view.handle({ type: 'stage.start', stage: 'stopEngines', title: 'Stop engines', hosts: 1 });
  view.handle({
    type: 'step.start',
    stage: 'stopEngines',
    stepId: 's1',
    host: 'mps-a',
    action: 'complus.disable',
    target: 'Provisioning Engine',
  });
  view.handle({ type: 'step.retry', stepId: 's1', host: 'mps-a', attempt: 1, reason: 'exit 1618' });
  expect(view.frame().join('\n')).toContain('mps-a');
  expect(view.frame().join('\n')).toContain('retries 1');
  view.handle({
    type: 'step.failed',
    stepId: 's1',
    host: 'mps-a',
    action: 'complus.disable',
    target: 'Provisioning Engine',
    message: 'boom',
  });
  view.handle({ type: 'run.end', status: 'stopped', exitCode: 1 });
  return out;
}

describe('LiveView', () => {
  test('without colour it sends no SGR colour sequences but still shows stages, hosts and failures', () => {
    const out = feed(false);
    expect(out).not.toMatch(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m'));
    expect(out).toContain('Stop engines');
    expect(out).toContain('mps-a: FAILED complus.disable');
    expect(out).toContain('hosts: 0 done, 0 running, 1 failed');
  });

  test('with colour the failure is painted red', () => {
    expect(feed(true)).toContain('\x1b[31m');
  });
});
