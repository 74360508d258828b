/**
 * Long scripts on standard input, end to end: the engine with the real SSH transport against
 * the in-process lab. A whole run leaves no script on any host's disk, its long steps went on
 * stdin, and a host that finds no script on stdin (a client bug) fails the step, never passes it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { planDelivery } from '../../src/remote/deliver.js';
import { batchSteps, parseHeader } from '../../src/remote/header.js';
import type { Transport } from '../../src/transport/types.js';
import { engineRun } from './engine-harness.js';
import { scriptFiles } from '../helpers/lab-state.js';
import { makeLabDir, readLabState, type LabDir } from './helpers.js';

const STEP = 'rpcHttpConfig/hmc-web-a/install-rpchttpconfigtool.msi';

/** Records how each script was delivered, and every upload's destination. */
function recording(seen: { kinds: Map<string, Set<string>>; uploads: string[] }) {
  return (inner: Transport): Transport => ({
    ...inner,
    host: inner.host,
    connect: () => inner.connect(),
    close: () => inner.close(),
    run: (script, options) => {
      const header = parseHeader(script.split('\n', 1)[0] ?? '');
      const action = 'error' in header ? '?' : `${header.action} ${header.phase}`;
      const kinds = seen.kinds.get(planDelivery(script).kind) ?? new Set<string>();
      seen.kinds.set(planDelivery(script).kind, kinds.add(action));
      return inner.run(script, options);
    },
    upload: (local, remote, options) => {
      seen.uploads.push(remote);
      return inner.upload(local, remote, options);
    },
  });
}

describe('long scripts on standard input', () => {
  let lab: LabDir;
  beforeAll(() => {
    lab = makeLabDir();
  });
  afterAll(() => lab.cleanup());

  test('a whole lab run sends its long scripts on stdin and leaves no script on any host', async () => {
    const state = lab.stateDir('whole');
    const seen = { kinds: new Map<string, Set<string>>(), uploads: [] as string[] };
    const run = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      wrapTransport: recording(seen),
    });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome !== 'crashed') expect(run.outcome.exitCode).toBe(0);
    expect([...(seen.kinds.get('stdin') ?? [])]).toEqual(
      expect.arrayContaining(['host.inspect probe', 'batch batch']),
    );
    expect(seen.kinds.get('encoded')?.size).toBeGreaterThan(0);
    expect(seen.uploads.length).toBeGreaterThan(0);
    expect(seen.uploads.filter((path) => !/\.msi$/i.test(path))).toEqual([]);
    expect(scriptFiles(readLabState(state))).toEqual([]);
  }, 90_000);

  test('a host that finds no script on stdin fails the step (exit 1, resumable), and nothing is applied', async () => {
    const state = lab.stateDir('refused');
    // A client bug: this step's long script (or the batch it is sent in) loses its header on
    // the way, so the host's bootstrap refuses it (exit 1, no sentinel).
    const garble = (inner: Transport): Transport => ({
      ...inner,
      host: inner.host,
      run: (script, options) => {
        const header = parseHeader(script.split('\n', 1)[0] ?? '');
        const steps = 'error' in header ? [] : header.phase === 'batch' ? batchSteps(header) : [header];
        const broken =
          planDelivery(script).kind === 'stdin' && 'map' in steps && steps.some((s) => s.step === STEP);
        return inner.run(broken ? script.replace(/^# deploy-rollup\/1 /, '# garbled ') : script, options);
      },
    });
    const run = await engineRun(lab.inventory, state, {
      mode: { kind: 'fresh' },
      wrapTransport: garble,
      options: { retries: 1 },
    });
    expect(run.outcome).not.toBe('crashed');
    if (run.outcome === 'crashed') return;
    expect(run.outcome.exitCode).toBe(1);
    expect(run.outcome.message).toMatch(/ended \(exit status 1\) without the script reporting its exit code/);
    const stepEvents = readLabState(state).events.filter((e) => e.step === STEP);
    expect(stepEvents.filter((e) => e.phase === 'apply')).toEqual([]);
    const audited = run.events.filter((e) => e.type === 'command' && e.stepId === STEP && e.phase === 'run');
    expect(audited.length).toBeGreaterThan(0);
    for (const event of audited) expect(event).toMatchObject({ exitCode: null });
  }, 90_000);
});
