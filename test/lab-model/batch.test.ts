/**
 * `phase=batch` in the host model: each step's `run` in turn, framed by step markers, stopping
 * after a step that did not end done; and its output leaving step by step, as powershell.exe
 * writes it, when the front asks for it.
 */
import { describe, expect, test } from '@jest/globals';
import { commandFor } from '../../src/lab/model/command.js';
import { Estate } from '../../src/lab/model/estate.js';
import type { Fault } from '../../src/lab/model/faults.js';
import { readBatch, readSentinel, type BatchStep } from '../../src/remote/header.js';
import { labInventory } from './helpers.js';
import { createEstate } from '../helpers/lab-estate.js';

const ENGINE = 'Provisioning Engine';
const HOST = 'MPS01';

function batchCommand(steps: BatchStep[]): string {
  return commandFor({
    run: 'run-1',
    step: steps[0]!.step,
    action: 'batch',
    phase: 'batch',
    host: HOST,
    target: String(steps.length),
    params: { steps: steps.map((s) => ({ ...s })) },
  });
}

const STEPS: BatchStep[] = [
  { step: 's/MPS01/disable', action: 'complus.disable', target: ENGINE, params: {} },
  { step: 's/MPS01/shutdown', action: 'complus.shutdown', target: ENGINE, params: {} },
  { step: 's/MPS01/enable', action: 'complus.enable', target: ENGINE, params: {} },
];

function estateWith(faults: Fault[] = []): Estate {
  return createEstate(labInventory(), { faults });
}

describe('a batch command', () => {
  test('runs each step’s probe, apply and verify in turn, one command, each step framed by its markers', async () => {
    const estate = estateWith();
    const outcome = await estate.exec(HOST, batchCommand(STEPS));
    if (outcome.kind !== 'exit') throw new Error(outcome.kind);
    const sentinel = readSentinel(outcome.stdout)!;
    const shares = readBatch(
      sentinel.output,
      outcome.stderr,
      STEPS.map((s) => s.step),
    );
    expect(shares.map((s) => s.exitCode)).toEqual([0, 0, 0]);
    const events = estate.state.events;
    expect(events.map((e) => `${e.step.split('/')[2]}:${e.phase}`)).toEqual(
      STEPS.flatMap((s) => ['probe', 'apply', 'verify'].map((p) => `${s.step.split('/')[2]}:${p}`)),
    );
    expect(new Set(events.map((e) => e.command))).toEqual(new Set([events[0]!.seq]));
    expect(estate.state.faultCounters.commands.mps01).toBe(1);
  });

  test('stops after a step that failed: the steps after it never run', async () => {
    const estate = estateWith([
      { kind: 'fail', host: HOST, action: 'complus.shutdown', phase: 'apply', times: 1, exitCode: 5 },
    ]);
    const outcome = await estate.exec(HOST, batchCommand(STEPS));
    if (outcome.kind !== 'exit') throw new Error(outcome.kind);
    const sentinel = readSentinel(outcome.stdout)!;
    expect(sentinel.exitCode).toBe(5);
    const shares = readBatch(
      sentinel.output,
      outcome.stderr,
      STEPS.map((s) => s.step),
    );
    expect(shares.map((s) => s.exitCode)).toEqual([0, 5]);
    expect(estate.state.events.filter((e) => e.step === STEPS[2]!.step)).toEqual([]);
  });

  test('with early, each step’s marker leaves as the step starts, and the pieces add up to the whole answer', async () => {
    const whole = await estateWith().exec(HOST, batchCommand(STEPS));
    const estate = estateWith();
    const pieces: { text: string; eventsSoFar: string[] }[] = [];
    const outcome = await estate.exec(HOST, batchCommand(STEPS), undefined, (text) =>
      pieces.push({ text, eventsSoFar: estate.state.events.map((e) => e.step) }),
    );
    if (outcome.kind !== 'exit' || whole.kind !== 'exit') throw new Error('no exit');
    expect(pieces).toHaveLength(STEPS.length);
    for (const [i, piece] of pieces.entries()) {
      // The piece ends with this step's marker, sent before the host did any of its work.
      expect(piece.text.trimEnd().split(/\r?\n/).at(-1)).toBe(`__STEP__=${STEPS[i]!.step}`);
      expect(piece.eventsSoFar).not.toContain(STEPS[i]!.step);
    }
    expect(pieces.map((p) => p.text).join('') + outcome.stdout).toBe(whole.stdout);
    expect(outcome.stderr).toBe(whole.stderr);
  });
});
