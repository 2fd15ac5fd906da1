/**
 * 64-bit state fingerprints from a stream of 32-bit integers.
 *
 * Two independent 32-bit lanes (a MurmurHash3 block round and an xxHash32 round, with
 * different seeds) are fed the same words and finalised with MurmurHash3's avalanche;
 * together they form the 64-bit fingerprint (`hi`, `lo`). Nothing is allocated per word:
 * the hasher is a streaming {@link StateEncoder}, so a spec's `encode` feeds it directly.
 */
import type { Action, Spec, StateEncoder } from './spec.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/** A streaming 64-bit hasher; reuse one instance with {@link Fingerprinter.reset}. */
export class Fingerprinter implements StateEncoder {
  private h1 = 0;
  private h2 = 0;
  private n = 0;
  /** High 32 bits of the last fingerprint computed by {@link Fingerprinter.finish}. */
  hi = 0;
  /** Low 32 bits of the last fingerprint computed by {@link Fingerprinter.finish}. */
  lo = 0;

  /** Starts a new fingerprint. */
  reset(): void {
    this.h1 = 0x2545f491;
    this.h2 = 0x6c8e9cf5;
    this.n = 0;
  }

  /** Feeds every element of `words`. */
  ints(words: ArrayLike<number>): void {
    const len = words.length;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < len; i++) {
      const x = words[i]! | 0;
      let k = Math.imul(x, C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, C2);
      h1 ^= k;
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      let g = (h2 + Math.imul(x, P2)) | 0;
      g = (g << 13) | (g >>> 19);
      h2 = Math.imul(g, P1);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.n += len;
  }

  /** Feeds one 32-bit word. */
  int(x: number): void {
    let k = Math.imul(x | 0, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    let h = this.h1 ^ k;
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let g = (this.h2 + Math.imul(x | 0, P2)) | 0;
    g = (g << 13) | (g >>> 19);
    this.h2 = Math.imul(g, P1);
    this.n++;
  }

  /**
   * Fingerprints one state of `spec`: its `encode` when it has one, else a structural walk.
   * The result is in {@link Fingerprinter.hi} and {@link Fingerprinter.lo}. The one way every
   * part of the checker (explorer, trace replay, state graphs, fuzzer) fingerprints a state.
   */
  state<S, A extends Action>(spec: Spec<S, A>, s: S): void {
    this.reset();
    if (spec.encode) spec.encode(s, this);
    else this.value(s);
    this.finish();
  }

  /** Finalises the fingerprint into {@link Fingerprinter.hi} and {@link Fingerprinter.lo}. */
  finish(): void {
    this.hi = fmix(this.h1 ^ this.n);
    this.lo = fmix(this.h2 ^ Math.imul(this.n, 0x27d4eb2f) ^ this.hi);
  }

  /**
   * Feeds any plain value structurally: numbers, strings, booleans, null, undefined,
   * arrays, plain objects (keys sorted, so key order never matters), Sets and Maps (as
   * order-independent collections). The fallback when a spec has no `encode`.
   */
  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
          this.int(1);
          this.int(v);
        } else {
          f64[0] = v;
          this.int(2);
          this.int(f64Words[0]!);
          this.int(f64Words[1]!);
        }
        return;
      case 'string':
        this.int(3);
        this.int(v.length);
        for (let i = 0; i < v.length; i++) this.int(v.charCodeAt(i));
        return;
      case 'boolean':
        this.int(v ? 4 : 5);
        return;
      case 'undefined':
        this.int(7);
        return;
      case 'bigint':
        this.int(12);
        this.value(v.toString());
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`cannot fingerprint a value of type ${typeof v}`);
    }
    if (v === null) {
      this.int(6);
      return;
    }
    if (Array.isArray(v)) {
      this.int(8);
      this.int(v.length);
      for (const x of v) this.value(x);
      return;
    }
    if (v instanceof Set || v instanceof Map) {
      // Order-independent: fingerprint each element alone, sort, feed the sorted pairs.
      const sub = new Fingerprinter();
      const parts: number[][] = [];
      for (const e of v) {
        sub.reset();
        sub.value(e);
        sub.finish();
        parts.push([sub.hi, sub.lo]);
      }
      parts.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
      this.int(v instanceof Set ? 9 : 10);
      this.int(parts.length);
      for (const [a, b] of parts) {
        this.int(a!);
        this.int(b!);
      }
      return;
    }
    const keys = Object.keys(v).sort();
    this.int(11);
    this.int(keys.length);
    for (const key of keys) {
      this.value(key);
      this.value((v as Record<string, unknown>)[key]);
    }
  }
}

/**
 * TLC's optimistic estimate of the probability that a run missed a state because two
 * distinct states shared a fingerprint: `n * (g - n) / 2^64` for `n` distinct and `g`
 * generated states.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
