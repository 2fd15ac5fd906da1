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
import { WordBuffer } from './words.js';

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
    // The slot let go: an expanded state is garbage once its successors are done, not only
    // when the whole level is (less for full collections to mark, a lower peak).
    const s = this.items[this.cursor]!;
    this.items[this.cursor++] = undefined as S;
    return s;
  }

  clear(): void {
    this.items.length = 0;
    this.cursor = 0;
  }
}

/** A level of encoded states, decoded on {@link WordLevel.take}. */
export class WordLevel<S> extends WordBuffer implements Level<S> {
  private cursor = 0;
  private count = 0;

  constructor(
    private readonly encode: (state: S, out: StateEncoder) => void,
    private readonly decode: (words: Int32Array, start: number, end: number) => S,
  ) {
    super();
  }

  /** States pushed and not cleared. */
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
}
