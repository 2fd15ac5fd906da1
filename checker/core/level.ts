/**
 * One breadth-first level of states waiting to be expanded. Two stores with one shape:
 * {@link ObjectLevel} keeps state objects; {@link WordLevel} keeps each state's encoding
 * (the spec's `encode`) in one growable `Int32Array`, length-prefixed, and decodes states as
 * they are taken, which keeps the queue at a few bytes a state for specs that provide
 * `decode`. Only new states are encoded into it: duplicates cost nothing here.
 *
 * States are read in the order they were pushed; a level is read once, then cleared and
 * reused for a later level (no `Array.shift`, no per-level allocation once warm).
 */
import type { StateEncoder } from './spec.js';

/** A FIFO of one BFS level. */
export interface Level<S> {
  /** States pushed and not cleared. */
  readonly length: number;
  /** Appends a state. */
  push(state: S): void;
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
export class WordLevel<S> implements Level<S>, StateEncoder {
  private data = new Int32Array(1 << 12);
  private used = 0;
  private cursor = 0;
  private count = 0;

  constructor(
    private readonly encode: (state: S, out: StateEncoder) => void,
    private readonly decode: (words: Int32Array, start: number, end: number) => S,
  ) {}

  get length(): number {
    return this.count;
  }

  push(state: S): void {
    const at = this.used;
    this.ensure(at + 1);
    this.used = at + 1;
    this.encode(state, this);
    this.data[at] = this.used - at - 1;
    this.count++;
  }

  /** Appends one word of the state being pushed. */
  int(x: number): void {
    this.ensure(this.used + 1);
    this.data[this.used++] = x;
  }

  /** Appends words of the state being pushed. */
  ints(words: ArrayLike<number>): void {
    const len = words.length;
    this.ensure(this.used + len);
    const d = this.data;
    for (let i = 0, o = this.used; i < len; i++) d[o + i] = words[i]!;
    this.used += len;
  }

  private ensure(need: number): void {
    if (need <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < need) size *= 2;
    const d = new Int32Array(size);
    d.set(this.data.subarray(0, this.used));
    this.data = d;
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
