/** A command's deadline, and the step markers that give a batch's steps their own. */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { startDeadline } from '../../src/transport/deadline.js';

describe('a command deadline', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('without rearmOn expires at timeoutMs whatever the output says', () => {
    const expire = jest.fn();
    const deadline = startDeadline({ timeoutMs: 100 }, expire);
    deadline.watch('__STEP__=a\n');
    jest.advanceTimersByTime(99);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  test('starts again at each line that begins with the prefix, even one cut across chunks', () => {
    const expire = jest.fn();
    const deadline = startDeadline({ timeoutMs: 100, rearmOn: '__STEP__=' }, expire);
    jest.advanceTimersByTime(80);
    deadline.watch('noise\r\n__ST');
    jest.advanceTimersByTime(30); // t = 110: the marker is not whole yet, so the first deadline held
    expect(expire).toHaveBeenCalledTimes(1);

    const second = jest.fn();
    const d2 = startDeadline({ timeoutMs: 100, rearmOn: '__STEP__=' }, second);
    jest.advanceTimersByTime(80);
    d2.watch('x\n__ST');
    d2.watch('EP__=s/h/b\n'); // t = 80: whole now, due at 180
    jest.advanceTimersByTime(99);
    expect(second).not.toHaveBeenCalled();
    d2.watch('out __STEP__=c\n__STE'); // inside a line, and a line not yet whole: nothing moves
    jest.advanceTimersByTime(1);
    expect(second).toHaveBeenCalledTimes(1);
    d2.clear();
    deadline.clear();
  });

  test('clear stops it', () => {
    const expire = jest.fn();
    startDeadline({ timeoutMs: 50, rearmOn: '__STEP__=' }, expire).clear();
    jest.advanceTimersByTime(100);
    expect(expire).not.toHaveBeenCalled();
  });
});
