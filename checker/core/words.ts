/**
 * A growable buffer of 32-bit words that a spec's `encode` can write into: the base of the
 * engine's encoded BFS levels, one thread's or shared between worker threads.
 */
import type { StateEncoder } from './spec.js';

/** An append-only `Int32Array` that doubles when full. */
export class WordBuffer implements StateEncoder {
  /** The words; only the first {@link WordBuffer.used} are meaningful. */
  data: Int32Array;
  /** Words written. */
  used = 0;

  /** @param initialWords - the starting size; small on purpose, for the reason `FingerprintSet`'s constructor gives. */
  constructor(initialWords = 64) {
    this.data = this.alloc(initialWords);
  }

  /** A new word array (a subclass may put it in shared memory). */
  protected alloc(words: number): Int32Array {
    return new Int32Array(words);
  }

  /** Appends one word. */
  int(x: number): void {
    this.ensure(this.used + 1);
    this.data[this.used++] = x;
  }

  /** Appends words. */
  ints(words: ArrayLike<number>): void {
    const len = words.length;
    this.ensure(this.used + len);
    const d = this.data;
    for (let i = 0, o = this.used; i < len; i++) d[o + i] = words[i]!;
    this.used += len;
  }

  /** Makes room for `need` words in all. */
  protected ensure(need: number): void {
    if (need <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < need) size *= 2;
    const d = this.alloc(size);
    d.set(this.data.subarray(0, this.used));
    this.data = d;
  }
}
