/**
 * The live frame after a resume and on a short terminal: stages earlier invocations finished show
 * as done, every stage line stays when many hosts are listed (host rows are cut first, counted),
 * and gate verification shows its progress.
 */
import { describe, expect, test } from '@jest/globals';
import { LiveView } from '../../src/log/live-view.js';

const STAGES = ['stopEngines', 'uninstallComponents', 'hubs', 'startEngines', 'resetIis'].map((id) => ({
  id,
  title: `Title of ${id}`,
}));

function view(rows = 50): LiveView {
  return new LiveView({
    stages: STAGES,
    color: false,
    write: () => undefined,
    intervalMs: 0,
    rows: () => rows,
  });
}

describe('LiveView after a resume', () => {
  test('stages an earlier invocation finished show as done, not pending', () => {
    const live = view();
    live.doneEarlier(['stopEngines', 'uninstallComponents']);
    live.handle({ type: 'stage.start', stage: 'hubs', title: 'Title of hubs', hosts: 1 });
    const frame = live.frame().join('\n');
    expect(frame).toMatch(/✓ Title of stopEngines/);
    expect(frame).toMatch(/✓ Title of uninstallComponents/);
    expect(frame).toMatch(/▶ Title of hubs/);
    expect(frame).toMatch(/· Title of resetIis/);
    live.stop();
  });

  test('with many hosts on a short terminal every stage line and the summary stay', () => {
    const live = view(20);
    live.handle({ type: 'stage.start', stage: 'hubs', title: 'Title of hubs', hosts: 60 });
    for (let i = 0; i < 60; i++) {
      const host = `hub-${String(i).padStart(2, '0')}`;
      const step = {
        stage: 'hubs',
        stepId: `hubs/${host}/x`,
        host,
        action: 'service.restart',
        target: 'MSExchangeTransport',
      };
      live.handle({ type: 'step.start', ...step });
      if (i < 50) live.handle({ type: 'step.done', ...step, outcome: 'ok', durationMs: 1, attempts: 1 });
    }
    const frame = live.frame();
    expect(frame.length).toBeLessThanOrEqual(19);
    for (const stage of STAGES) expect(frame.join('\n')).toContain(`Title of ${stage.id}`);
    expect(frame.at(-1)).toMatch(/^hosts: 50 done, 10 running/);
    expect(frame.join('\n')).toMatch(/… \d+ more host row\(s\) not shown/);
    // Busy hosts are kept before idle ones.
    expect(frame.join('\n')).toContain('hub-59');
    live.stop();
  });

  test('gate verification shows its progress until it ends', () => {
    const live = view();
    live.handle({ type: 'gate.verifying', gate: 'uninstallComponents', checked: 3, total: 24 });
    expect(live.frame().join('\n')).toContain('verifying gate uninstallComponents: 3/24 item(s) probed');
    live.handle({ type: 'gate.verifying', gate: 'uninstallComponents', checked: 24, total: 24 });
    expect(live.frame().join('\n')).not.toContain('verifying gate');
    live.stop();
  });
});
