/**
 * One breadth-first level of states waiting to be expanded. Two stores with one shape:
 * {@link ObjectLevel} keeps state objects; {@link WordLevel} keeps each state's encoding in
 * one growable `Int32Array` (length-prefixed) and decodes states as they are taken, which
 * is what keeps the queue at a few bytes a state for specs that provide `decode`.
 *
 * States are read in the order they were pushed; a level is read once, then cleared and
 * reused for a later level (no `Array.shift`, no per-level allocation once warm).
 */

/** A FIFO of one BFS level. */
export interface Level<S> {
  /** States pushed and not cleared. */
  readonly length: number;
  /** Appends a state; `words[0..len)` is its encoding (used by {@link WordLevel}, ignored otherwise). */
  push(state: S, words: Int32Array, len: number): void;
  /** The next state in push order. */
  take(): S;
  /** Empties the level for reuse. */
  clear(): void;
  /** Bytes held. */
  readonly bytes: number;
}

/** A level of state objects. */
export class ObjectLevel<S> implements Level<S> {
  private items: S[] = [];
  private cursor = 0;

  get length(): number {
    return this.items.length;
  }

  push(state: S): void {
    this.items.push(state);
  }

  take(): S {
    return this.items[this.cursor++]!;
  }

  clear(): void {
    this.items.length = 0;
    this.cursor = 0;
  }

  get bytes(): number {
    return this.items.length * 8;
  }
}

/** A level of encoded states, decoded on {@link WordLevel.take}. */
export class WordLevel<S> implements Level<S> {
  private data = new Int32Array(1 << 12);
  private used = 0;
  private cursor = 0;
  private count = 0;

  constructor(private readonly decode: (words: Int32Array, start: number, end: number) => S) {}

  get length(): number {
    return this.count;
  }

  push(_state: S, words: Int32Array, len: number): void {
    const need = this.used + len + 1;
    if (need > this.data.length) {
      let size = this.data.length * 2;
      while (size < need) size *= 2;
      const d = new Int32Array(size);
      d.set(this.data.subarray(0, this.used));
      this.data = d;
    }
    const data = this.data;
    data[this.used] = len;
    for (let i = 0, o = this.used + 1; i < len; i++) data[o + i] = words[i]!;
    this.used = need;
    this.count++;
  }

  take(): S {
    const len = this.data[this.cursor]!;
    const s = this.decode(this.data, this.cursor + 1, this.cursor + 1 + len);
    this.cursor += len + 1;
    return s;
  }

  clear(): void {
    this.used = 0;
    this.cursor = 0;
    this.count = 0;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
