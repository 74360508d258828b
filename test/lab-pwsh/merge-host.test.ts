/** What another host's script changed on this host while its own script ran survives the script's answer. */
import { describe, expect, test } from '@jest/globals';
import { mergeChanges } from '../../src/lab/pwsh/merge-host.js';

describe('mergeChanges', () => {
  const base = { services: { A: 'Running', B: 'Running' }, eventLog: [{ record: 1 }], files: { x: 1 } };

  test('the script alone changed the host: its state', () => {
    const ours = { ...base, services: { A: 'Stopped', B: 'Running' } };
    expect(mergeChanges(base, ours, base)).toEqual(ours);
  });

  test("another host's change and the script's both survive, key by key and appended items", () => {
    const ours = { services: { A: 'Stopped', B: 'Running' }, eventLog: [{ record: 1 }], files: {} };
    const theirs = { ...base, eventLog: [{ record: 1 }, { record: 2 }], files: { x: 1, y: 2 } };
    expect(mergeChanges(base, ours, theirs)).toEqual({
      services: { A: 'Stopped', B: 'Running' },
      eventLog: [{ record: 1 }, { record: 2 }],
      files: { y: 2 },
    });
  });

  test('both changed one value: the script wins', () => {
    const ours = { ...base, services: { A: 'Stopped', B: 'Running' } };
    const theirs = { ...base, services: { A: 'Paused', B: 'Running' } };
    expect(mergeChanges(base, ours, theirs)).toEqual(ours);
  });
});
