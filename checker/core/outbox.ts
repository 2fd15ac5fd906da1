/**
 * Records of states on their way to the explorer that owns them (parallel checking): a
 * growable `Int32Array` of `(hi, lo, parent, action index, action name index, length,
 * words...)`, written with the
 * spec's `encode` and read by `Explorer.absorb`. Its buffer is transferred between threads.
 */
import type { Action, Spec } from './spec.js';
import { WordBuffer } from './words.js';

/** An append-only buffer of state records. */
export class Outbox extends WordBuffer {
  constructor() {
    super(1 << 14);
  }

  /** Appends a record of state `s`. */
  record<S, A extends Action>(hi: number, lo: number, parent: number, action: number, name: number, s: S, spec: Spec<S, A>): void {
    this.ensure(this.used + 6);
    const at = this.used;
    this.data[at] = hi;
    this.data[at + 1] = lo;
    this.data[at + 2] = parent;
    this.data[at + 3] = action;
    this.data[at + 4] = name;
    this.used = at + 6;
    spec.encode!(s, this);
    this.data[at + 5] = this.used - at - 6;
  }

  /** Empties the outbox, keeping its buffer. */
  reset(): void {
    this.used = 0;
  }
}
