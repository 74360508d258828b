/**
 * Keeps only the end of a command's output. A script's last line is its `__RC__=n` sentinel and
 * the last lines are where errors show, so the tail is the part worth keeping; the head of a
 * runaway output (a verbose msiexec log echoed to stdout) is what we can afford to drop.
 */

/** Default bound per stream: 64 KiB. */
export const DEFAULT_TAIL_BYTES = 64 * 1024;

export interface TailBuffer {
  push(chunk: Buffer): void;
  /** Bytes dropped from the front so far. */
  readonly droppedBytes: number;
  /** The kept bytes as UTF-8, starting at a line boundary when anything was dropped. */
  text(): string;
}

/** Creates a buffer that keeps at most `limit` bytes (the newest ones). */
export function createTailBuffer(limit: number = DEFAULT_TAIL_BYTES): TailBuffer {
  let chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;

  const compact = (): void => {
    const all = Buffer.concat(chunks, size);
    const excess = size - limit;
    chunks = [all.subarray(excess)];
    dropped += excess;
    size = limit;
  };

  return {
    push(chunk) {
      if (chunk.length === 0) return;
      chunks.push(chunk);
      size += chunk.length;
      // Compact lazily (at twice the limit) so many small chunks do not cost a copy each.
      if (size > limit * 2 || chunks.length > 1024) {
        if (size > limit) compact();
      }
    },
    get droppedBytes() {
      return dropped + Math.max(0, size - limit);
    },
    text() {
      if (size > limit) compact();
      const all = Buffer.concat(chunks, size);
      if (dropped === 0) return all.toString('utf8');
      // Start on a whole line so the kept text never begins with half a line or half a character;
      // a single line longer than the limit is kept from a character boundary instead.
      const newline = all.indexOf(0x0a);
      if (newline >= 0 && newline < all.length - 1) return all.subarray(newline + 1).toString('utf8');
      let start = 0;
      while (start < all.length && ((all[start] ?? 0) & 0xc0) === 0x80) start++;
      return all.subarray(start).toString('utf8');
    },
  };
}
