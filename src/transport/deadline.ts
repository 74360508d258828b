/**
 * A command's deadline, and what may move it: with `rearmOn` (a batch of steps), each line of
 * stdout that starts with that prefix (a step starting) gives the command its whole time again,
 * so every step of a batch has the deadline a step sent alone would have.
 */
import type { RunOptions } from './types.js';

export interface Deadline {
  /** Feed every stdout chunk, in order. */
  watch(chunk: Buffer | string): void;
  clear(): void;
}

export function startDeadline(
  options: Pick<RunOptions, 'timeoutMs' | 'rearmOn'>,
  expire: () => void,
): Deadline {
  let timer = setTimeout(expire, options.timeoutMs);
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(expire, options.timeoutMs);
  };
  const prefix = options.rearmOn;
  // The start of the current line, up to the prefix's length; undefined once it is decided.
  let line: string | undefined = '';
  return {
    watch(chunk) {
      if (!prefix) return;
      const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
      let at = 0;
      while (at <= text.length) {
        const end = text.indexOf('\n', at);
        const piece = text.slice(at, end < 0 ? text.length : end);
        if (line !== undefined) {
          line += piece.slice(0, prefix.length - line.length);
          if (line.length >= prefix.length) {
            if (line === prefix) rearm();
            line = undefined;
          } else if (!prefix.startsWith(line)) line = undefined;
        }
        if (end < 0) break;
        line = '';
        at = end + 1;
      }
    },
    clear() {
      clearTimeout(timer);
    },
  };
}
