/** runPhase's `after`: the script is built meanwhile, and nothing is sent before the journal write it follows. */
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps } from '../../src/engine/context.js';
import { runPhase } from '../../src/engine/run-phase.js';
import type { PlanStep } from '../../src/plan/types.js';
import { formatSentinel } from '../../src/remote/header.js';

const step = {
  id: 'oofAgent/HUB01/backup-agent-config',
  stage: 'oofAgent',
  host: 'HUB01',
  action: 'file.backup',
  target: 'agent-config',
  params: {},
} as unknown as PlanStep;
const params = { source: 'C:\\agents\\config.xml', dest: 'C:\\backup\\config.xml' };

/** Deps whose transport records what it was sent, and when (in `events`). */
function recording() {
  const events: string[] = [];
  const scripts: string[] = [];
  const deps = {
    runId: 'r1',
    options: DEFAULT_ENGINE_OPTIONS,
    emit: () => undefined,
    transport: () => ({
      run: async (script: string) => {
        events.push('sent');
        scripts.push(script);
        return {
          exitCode: 0,
          stdout: `DR:state=done\r\n${formatSentinel(0)}\r\n`,
          stderr: '',
          durationMs: 1,
          timedOut: false,
          cancelled: false,
          dropped: false,
        };
      },
    }),
  } as unknown as EngineDeps;
  return { deps, events, scripts };
}

describe('runPhase after', () => {
  test('sends only once the write it follows is done', async () => {
    const { deps, events, scripts } = recording();
    let release: () => void = () => undefined;
    const intent = new Promise<void>((resolve) => (release = resolve)).then(() => events.push('durable'));
    const running = runPhase(deps, step, 'run', params, { after: intent });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    release();
    const result = await running;
    expect(events).toEqual(['durable', 'sent']);
    expect(scripts[0]).toContain('step=oofAgent%2FHUB01%2Fbackup-agent-config');
    expect(result.exitCode).toBe(0);
  });

  test('sends nothing when that write fails, and throws its error', async () => {
    const { deps, events } = recording();
    const failed = Promise.reject(new Error('disk full'));
    await expect(runPhase(deps, step, 'run', params, { after: failed })).rejects.toThrow('disk full');
    expect(events).toEqual([]);
  });

  test('a script that cannot be built is thrown once the write is done, and nothing is sent', async () => {
    const { deps, events } = recording();
    let durable = false;
    const intent = new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => (durable = true));
    const bad = { ...params, source: 'C:\\line\nbreak' };
    await expect(runPhase(deps, step, 'run', bad, { after: intent })).rejects.toThrow(TypeError);
    expect(durable).toBe(true);
    expect(events).toEqual([]);
  });
});
