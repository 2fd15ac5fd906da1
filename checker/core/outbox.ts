/**
 * Records of states on their way to the explorer that owns them (parallel checking): a
 * growable `Int32Array` of `(hi, lo, parent, action index, action name index, length,
 * words...)`, written with the
 * spec's `encode` and read by `Explorer.absorb`. Its buffer is transferred between threads.
 */
import type { Action, Spec, StateEncoder } from './spec.js';

/** An append-only buffer of state records. */
export class Outbox implements StateEncoder {
  /** The records; only the first {@link Outbox.length} words are meaningful. */
  data: Int32Array = new Int32Array(1 << 14);
  /** Words written. */
  length = 0;

  /** Appends a record of state `s`. */
  record<S, A extends Action>(hi: number, lo: number, parent: number, action: number, name: number, s: S, spec: Spec<S, A>): void {
    this.ensure(this.length + 6);
    const at = this.length;
    this.data[at] = hi;
    this.data[at + 1] = lo;
    this.data[at + 2] = parent;
    this.data[at + 3] = action;
    this.data[at + 4] = name;
    this.length = at + 6;
    spec.encode!(s, this);
    this.data[at + 5] = this.length - at - 6;
  }

  /** Appends one word of the state being recorded. */
  int(x: number): void {
    this.ensure(this.length + 1);
    this.data[this.length++] = x;
  }

  /** Appends words of the state being recorded. */
  ints(words: ArrayLike<number>): void {
    const len = words.length;
    this.ensure(this.length + len);
    const d = this.data;
    for (let i = 0, o = this.length; i < len; i++) d[o + i] = words[i]!;
    this.length += len;
  }

  private ensure(need: number): void {
    if (need <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < need) size *= 2;
    const d = new Int32Array(size);
    d.set(this.data.subarray(0, this.length));
    this.data = d;
  }

  /** Empties the outbox, keeping (or replacing) its buffer. */
  reset(buffer?: Int32Array): void {
    if (buffer) this.data = buffer;
    this.length = 0;
  }
}
