/**
 * A derived word encoding for specs without `encode`/`decode`, so that plain-object specs can
 * run on worker threads: the parallel checker keeps its levels as words in shared memory, and
 * a state must cross threads as words.
 *
 * The encoding is a faithful serialisation, not a canonical one: arrays, records (in their key
 * order), Sets and Maps (in their iteration order) decode to values that iterate exactly as the
 * originals did, so that a spec's `actions` lists the same actions in the same order for a
 * decoded state as for the state itself (trace replay rests on that). Equal values need not
 * give equal words, because fingerprints stay the spec's own (structural, or its own `encode`
 * when it has one without `decode`: see {@link DERIVED_CODEC}); the encoding only carries
 * states between threads.
 *
 * Within one state, repeated strings (record keys above all) are written once and then
 * referred to by their number, so a Set of records costs about one word per field.
 *
 * Values it carries: numbers, strings, booleans, null, undefined, bigints, arrays, records
 * (prototype `Object.prototype` or null), Sets and Maps. Anything else (a function, a symbol, a
 * class instance, a Date) throws a {@link CodecError} naming what it met.
 */
import { DERIVED_CODEC, registerDerivedEncode } from './hash.js';
import type { Action, Spec, StateEncoder } from './spec.js';

/** Thrown when a state holds a value the derived encoding cannot carry between threads. */
export class CodecError extends Error {}

const UNDEF = 0;
const NULL = 1;
const TRUE = 2;
const FALSE = 3;
const INT = 4;
const FLOAT = 5;
const STR = 6;
const STR_REF = 7;
const ARRAY = 8;
const RECORD = 9;
const NULL_RECORD = 10;
const SET = 11;
const MAP = 12;
const BIGINT = 13;
const INT_WIDE = 14;

/**
 * A value's first word: its tag in the low 4 bits and, for most kinds, a payload in the other 28
 * (an integer of 28 bits, a string's number or length, a collection's size), so that a small
 * integer or a repeated string costs one word.
 */
const head = (tag: number, payload: number): number => tag | (payload << 4);
const SMALL = 2 ** 27;

function size(n: number): number {
  if (n >= SMALL) throw new CodecError(`a state holds a string or collection of ${n} elements; the derived encoding carries at most ${SMALL - 1}`);
  return n;
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/** What a value is, for an error message. */
function describe(v: unknown): string {
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'symbol') return `a symbol (${String(v)})`;
  const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `an instance of ${ctor || 'a class'}`;
}

/**
 * Encoder state of one state's encoding: the strings written so far (every literal gets the
 * next number, as the decoder numbers them), the first {@link MAX_REFS} kept for lookup. A
 * linear search: a state holds a few distinct strings, and record keys are internalised, so
 * `===` is a pointer comparison (a `Map` was a fifth of the encoding's time).
 */
const MAX_REFS = 64;
const seenStrings: string[] = new Array<string>(MAX_REFS).fill('');
let written = 0;

function encodeString(s: string, out: StateEncoder): void {
  const known = written < MAX_REFS ? written : MAX_REFS;
  for (let i = 0; i < known; i++) {
    if (seenStrings[i] === s) {
      out.int(head(STR_REF, i));
      return;
    }
  }
  if (written < MAX_REFS) seenStrings[written] = s;
  written++;
  const n = s.length;
  out.int(head(STR, size(n)));
  // Two UTF-16 code units a word.
  for (let i = 0; i < n; i += 2) out.int(s.charCodeAt(i) | (i + 1 < n ? s.charCodeAt(i + 1) << 16 : 0));
}

function encodeValue(v: unknown, out: StateEncoder): void {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) {
        if (v >= -SMALL && v < SMALL) out.int(head(INT, v));
        else {
          out.int(INT_WIDE);
          out.int(v);
        }
      } else {
        f64[0] = v;
        out.int(FLOAT);
        out.int(f64Words[0]!);
        out.int(f64Words[1]!);
      }
      return;
    case 'string':
      encodeString(v, out);
      return;
    case 'boolean':
      out.int(v ? TRUE : FALSE);
      return;
    case 'undefined':
      out.int(UNDEF);
      return;
    case 'bigint':
      out.int(BIGINT);
      encodeString(v.toString(), out);
      return;
    case 'object':
      break;
    default:
      throw new CodecError(`a state holds ${describe(v)}`);
  }
  if (v === null) {
    out.int(NULL);
    return;
  }
  if (Array.isArray(v)) {
    const n = v.length;
    out.int(head(ARRAY, size(n)));
    for (let i = 0; i < n; i++) encodeValue(v[i], out);
    return;
  }
  if (v instanceof Set) {
    out.int(head(SET, size(v.size)));
    for (const e of v) encodeValue(e, out);
    return;
  }
  if (v instanceof Map) {
    out.int(head(MAP, size(v.size)));
    for (const [k, x] of v) {
      encodeValue(k, out);
      encodeValue(x, out);
    }
    return;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new CodecError(`a state holds ${describe(v)}`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  out.int(head(proto === null ? NULL_RECORD : RECORD, size(keys.length)));
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    encodeString(k, out);
    encodeValue(o[k], out);
  }
}

/** Decoder state: the words, the read position, the strings read so far. */
let W: Int32Array = new Int32Array(0);
let at = 0;
const strings: string[] = [];

/**
 * Strings decoded before, by a hash of their words: decoding the same key or enum value again
 * returns the same (internalised) string instead of building a new one, which would also have
 * to be internalised again wherever it is used as a record key. Bounded.
 */
const decoded = new Map<number, string>();
const MAX_DECODED = 1 << 14;

/** The string whose first word is `tag` (a literal or a reference). */
function decodeString(tag: number): string {
  if ((tag & 15) === STR_REF) return strings[tag >> 4]!;
  const n = tag >> 4;
  const words = (n + 1) >> 1;
  let h = n;
  for (let i = 0; i < words; i++) h = (Math.imul(h, 0x9e3779b1) + W[at + i]!) | 0;
  const known = decoded.get(h);
  if (known !== undefined && known.length === n && matches(known, at)) {
    at += words;
    strings.push(known);
    return known;
  }
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i += 2) {
    const w = W[at++]!;
    codes[i] = w & 0xffff;
    if (i + 1 < n) codes[i + 1] = w >>> 16;
  }
  const s = String.fromCharCode.apply(null, codes);
  if (decoded.size < MAX_DECODED) decoded.set(h, s);
  strings.push(s);
  return s;
}

/** Whether `s` is the string whose code units start at `W[from]`, two a word. */
function matches(s: string, from: number): boolean {
  const n = s.length;
  for (let i = 0; i < n; i += 2) {
    const w = W[from + (i >> 1)]!;
    if ((w & 0xffff) !== s.charCodeAt(i)) return false;
    if (i + 1 < n && w >>> 16 !== s.charCodeAt(i + 1)) return false;
  }
  return true;
}

function decodeValue(): unknown {
  const h = W[at++]!;
  const tag = h & 15;
  switch (tag) {
    case UNDEF:
      return undefined;
    case NULL:
      return null;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case INT:
      return h >> 4;
    case INT_WIDE:
      return W[at++]!;
    case FLOAT:
      f64Words[0] = W[at++]!;
      f64Words[1] = W[at++]!;
      return f64[0]!;
    case STR:
    case STR_REF:
      return decodeString(h);
    case BIGINT:
      return BigInt(decodeString(W[at++]!));
    case ARRAY: {
      const n = h >> 4;
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = decodeValue();
      return a;
    }
    case SET: {
      const n = h >> 4;
      const s = new Set<unknown>();
      for (let i = 0; i < n; i++) s.add(decodeValue());
      return s;
    }
    case MAP: {
      const n = h >> 4;
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = decodeValue();
        m.set(k, decodeValue());
      }
      return m;
    }
    case RECORD:
    case NULL_RECORD: {
      const n = h >> 4;
      const o: Record<string, unknown> = tag === RECORD ? {} : (Object.create(null) as Record<string, unknown>);
      for (let i = 0; i < n; i++) {
        const k = decodeString(W[at++]!);
        o[k] = decodeValue();
      }
      return o;
    }
    default:
      throw new CodecError(`internal error: a derived state encoding holds the unknown tag ${tag}`);
  }
}

/** Encodes a plain value as words (see the module comment). */
export function encodePlain(v: unknown, out: StateEncoder): void {
  written = 0;
  encodeValue(v, out);
}

// Fingerprints of a spec with a derived codec stay its own (see `Fingerprinter.state`).
registerDerivedEncode(encodePlain);

/** Decodes `words[start..end)`, written by {@link encodePlain}. */
export function decodePlain(words: Int32Array, start: number, end: number): unknown {
  W = words;
  at = start;
  strings.length = 0;
  try {
    const v = decodeValue();
    if (at !== end) throw new CodecError(`internal error: a derived state encoding has ${end - at} words left over`);
    return v;
  } finally {
    W = new Int32Array(0);
    strings.length = 0;
  }
}

/**
 * The spec with the derived encoding as its `encode`/`decode`, marked {@link DERIVED_CODEC}
 * (so that its fingerprints stay structural, equal to the spec's own). Everything else is
 * the spec's own (the result delegates to it).
 */
export function withDerivedCodec<S, A extends Action>(spec: Spec<S, A>): Spec<S, A> {
  const derived = Object.create(spec) as Spec<S, A>;
  Object.defineProperties(derived, {
    encode: { value: encodePlain, enumerable: true },
    decode: { value: decodePlain, enumerable: true },
    // Fingerprints stay the spec's own: its `encode` if it has one (without `decode`), else structural.
    [DERIVED_CODEC]: { value: spec.encode ?? null },
  });
  return derived;
}

/** Whether `spec`'s `encode`/`decode` are the derived ones. */
export function hasDerivedCodec(spec: object): boolean {
  return (spec as { [DERIVED_CODEC]?: unknown })[DERIVED_CODEC] !== undefined;
}
