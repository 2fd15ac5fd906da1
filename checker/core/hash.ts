/**
 * 64-bit state fingerprints: from a stream of 32-bit integers (a spec's `encode`), or from a
 * structural walk of a plain value (a spec without one).
 *
 * Streams: two independent 32-bit lanes (a MurmurHash3 block round and an xxHash32 round, with
 * different seeds) are fed the same words and finalised with MurmurHash3's avalanche; together
 * they form the 64-bit fingerprint (`hi`, `lo`). Nothing is allocated per word: the hasher is a
 * streaming {@link StateEncoder}, so a spec's `encode` feeds it directly.
 *
 * Structural walk: every sub-value gets its own 64-bit hash, bottom up (a stream of its tag,
 * its size and its parts' hashes). Records are order-independent (the sum of one hash per
 * key-value entry: no key list is built or sorted), Sets too (the sum of their elements'
 * hashes), and Maps (their entries' hashes sorted in a scratch stack shared by the whole walk:
 * no allocation per Map). The hash of each
 * object below the root is cached by identity: successors built with spreads
 * share their parent's unchanged sub-objects, so those are hashed once, not once a successor
 * (records of recent objects, found by position: see `recObj`; the explorer fingerprints
 * successors against their parent, see {@link Fingerprinter.anchor}).
 * That rests on the spec contract that states are never mutated; {@link HashOptions.noCache}
 * walks everything afresh, for a check that a `next()` did not mutate its input.
 */
import type { Action, Spec, StateEncoder } from './spec.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const SEED1 = 0x2545f491;
const SEED2 = 0x6c8e9cf5;

/** MurmurHash3's 32-bit finaliser (avalanche). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One word into the first lane (a MurmurHash3 block round). */
function r1(h: number, x: number): number {
  let k = Math.imul(x, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** One word into the second lane (an xxHash32 round). */
function r2(g: number, x: number): number {
  g = (g + Math.imul(x, P2)) | 0;
  g = (g << 13) | (g >>> 19);
  return Math.imul(g, P1);
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/** Options of a structural fingerprint. */
export interface HashOptions {
  /**
   * Walk every sub-value afresh instead of taking cached hashes of objects seen before. The
   * cache trusts that states are immutable; a check that `next()` left its input unchanged
   * must re-fingerprint the input with this set, or a mutated sub-object would keep its old hash.
   */
  readonly noCache?: boolean;
}

/** Thrown by the structural fingerprint for a value it cannot fingerprint as a value. */
export class FingerprintError extends Error {}

// ---------------------------------------------------------------------------------------
// The structural walk. Module state, so that the hot path allocates nothing: the result of
// `node` is left in RH/RL (int32, so that V8 keeps them unboxed), and Sets and Maps keep their
// elements' hashes in one scratch stack (to find two equal elements; Maps also sort them).
// The walk's mutable module variables are `var`, not `let`: V8's optimised code checks a
// module-level `let` for its temporal dead zone at every read and write (a load and a compare
// each); `var` has none (3.5% fewer instructions a state on plain PaxosCommit, cachegrind,
// docs/performance.md).

var RH = 0;
var RL = 0;
var stack = new Int32Array(1024);
var top = 0;

/** Hash pairs of strings (record keys, enum-like values), by string; bounded. */
const stringIndex = new Map<string, number>();
var stringHashes = new Int32Array(1024);
/** The lanes seeded with the last string hashed (see `stringHash`). */
var KH = 0;
var KL = 0;
const MAX_STRINGS = 1 << 16;

/**
 * Hashes of objects seen in recent walks, by identity, found by position rather than looked
 * up: each object hashed gets a record (the object, its hash, and the records of its parts in
 * order: record fields in key order, array and Set elements in order) in a ring of recent
 * records, and a walk follows the previous walk's records alongside: the part at the same
 * place (same key position, same index, same place in a Set's order) of the record aligned
 * with a value is the first candidate for that value's part, taken when it is the same object.
 * Successors of one state are walked one after another, and share their parent's unchanged
 * objects at the same places (spreads keep key order; `new Set([...msgs, m])` keeps the
 * parent's order), so most shared objects are found at the place the previous walk left them,
 * with one comparison. A `Map` from object to hash did the same with a lookup per object and
 * an insertion per object hashed (docs/performance.md: the insertions alone were 10% of a
 * plain port's time); a `WeakMap` was far slower (below).
 *
 * A record is reused only for the very object it was made for, so the ring can wrap and lose
 * records freely: a lost record is a miss, never a wrong hash. Not a `WeakMap`: one holding
 * every object of every successor grew to millions of entries and made the walk 20 times
 * slower (ephemeron tables are only pruned by full collections).
 */
const RING = 1024;
const RMASK = RING - 1;
/** What an empty record holds: no value is this object, so no part (null included) ever matches it. */
const NO_OBJECT = {};
const recObj: unknown[] = new Array<unknown>(RING).fill(NO_OBJECT);
const recH = new Int32Array(RING);
const recL = new Int32Array(RING);
/** Where a record's parts' record indices start in `kids`, and how many. */
const recKid0 = new Int32Array(RING);
const recKidN = new Int32Array(RING);
/** When each record was made (records made so far, modulo 2^32): a record older than another was in the ring when that one was made. */
const recSeq = new Int32Array(RING);
var recTop = 0;
var recCount = 0;
const KIDS = 1 << 14;
const KMASK = KIDS - 1;
/** Records of parts, a segment per record (-1: a part with no record, a primitive). */
const kids = new Int32Array(KIDS);
/**
 * Parts written to `kids` so far, modulo 2^32 (a segment starts at `recKid0 & KMASK`): a
 * record's segment is still its own while fewer than `KIDS` parts were written since it started.
 */
var kidCount = 0;
/**
 * Parts' records of the objects being hashed, innermost last (copied into `kids` when an object
 * is done). Only up to an object's last part that has a record: primitives after it are left
 * out, so a record of primitives only (a message, an enum array) keeps no parts at all.
 */
var kidStack = new Int32Array(256);
var kidSp = 0;
/** The record of the last root walked (where the next walk's alignment starts). */
var lastRoot = -1;
/**
 * The record of the anchor: the state whose successors are being fingerprinted
 * ({@link Fingerprinter.anchor}). Its successors are aligned with it, not with each other:
 * a successor shares its parent's unchanged objects, while two successors share nothing the
 * parent does not hold (aligned with the previous successor, the parent's object at a place
 * the previous successor changed was walked again: a third of the objects recorded on plain
 * PaxosCommit, docs/performance.md). Successors record nothing: no later walk is aligned
 * with them, and their records would only keep their objects alive.
 */
var anchorRoot = -1;

/** The record aligned with part `j` of the value aligned with record `r` (-1: none). */
function kidOf(r: number, j: number): number {
  return r >= 0 && j < recKidN[r]! ? kids[(recKid0[r]! + j) & KMASK]! : -1;
}

/** Sets record `r` as part `j` of the object whose parts start at `kidStack[base]` (the parts before it without one get -1). */
function putKid(base: number, j: number, r: number): void {
  const at = base + j;
  if (at >= kidStack.length) {
    const g = new Int32Array(Math.max(kidStack.length * 2, at + 1));
    g.set(kidStack);
    kidStack = g;
  }
  while (kidSp < at) kidStack[kidSp++] = -1;
  kidStack[at] = r;
  kidSp = at + 1;
}

/** Makes a record for `v` (hash in RH/RL) whose parts' records are `kidStack[base .. kidSp)`; pops them. */
function record(v: object, base: number): number {
  const r = recTop;
  recTop = (recTop + 1) & RMASK;
  const n = kidSp - base;
  const k0 = kidCount;
  for (let i = 0; i < n; i++) kids[(k0 + i) & KMASK] = kidStack[base + i]!;
  kidCount = (k0 + n) | 0;
  kidSp = base;
  recObj[r] = v;
  recH[r] = RH;
  recL[r] = RL;
  recKid0[r] = k0;
  recKidN[r] = n;
  recSeq[r] = recCount;
  recCount = (recCount + 1) | 0;
  return r;
}

/** Tags: the first word of each kind's stream. */
const T_INT = 1;
const T_FLOAT = 2;
const T_STRING = 3;
const T_ARRAY = 8;
const T_SET = 9;
const T_MAP = 10;
const T_RECORD = 11;
const T_BIGINT = 12;
const T_ENTRY = 13;

// Each kind's lanes after its tag, the first round of every stream of the kind (the same
// values as the rounds themselves).
const ARRAY1 = r1(SEED1, T_ARRAY);
const ARRAY2 = r2(SEED2, T_ARRAY);
const SET1 = r1(SEED1, T_SET);
const SET2 = r2(SEED2, T_SET);
const MAP1 = r1(SEED1, T_MAP);
const MAP2 = r2(SEED2, T_MAP);
const RECORD1 = r1(SEED1, T_RECORD);
const RECORD2 = r2(SEED2, T_RECORD);
const INT1 = r1(SEED1, T_INT);
const INT2 = r2(SEED2, T_INT);
const ENTRY1 = r1(SEED1, T_ENTRY);
const ENTRY2 = r2(SEED2, T_ENTRY);

/**
 * The hash of a string into RH/RL, and into KH/KL the two lanes seeded with it (the first two
 * rounds of a record entry's hash, which depend on its key alone: kept with the string, so a
 * record entry costs two rounds a lane, not four).
 */
function stringHash(s: string): number {
  const at = stringIndex.get(s);
  if (at !== undefined) {
    const t = stringHashes;
    RH = t[at]!;
    RL = t[at + 1]!;
    KH = t[at + 2]!;
    KL = t[at + 3]!;
    return at;
  }
  let h1 = r1(SEED1, T_STRING);
  let h2 = r2(SEED2, T_STRING);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    h1 = r1(h1, c);
    h2 = r2(h2, c);
  }
  finish(h1, h2, n + 1);
  KH = r1(r1(SEED1, RH), RL);
  KL = r2(r2(SEED2, RH), RL);
  if (stringIndex.size < MAX_STRINGS) {
    const i = stringIndex.size * 4;
    if (i + 4 > stringHashes.length) {
      const g = new Int32Array(stringHashes.length * 2);
      g.set(stringHashes);
      stringHashes = g;
    }
    stringHashes[i] = RH;
    stringHashes[i + 1] = RL;
    stringHashes[i + 2] = KH;
    stringHashes[i + 3] = KL;
    stringIndex.set(s, i);
    return i;
  }
  return -1;
}

/**
 * Strings predicted by context, so that most strings of a walk are found with a comparison or
 * a few rather than a `Map` lookup: record keys come in the same order in most records of one
 * kind, and most string values are one of a few per key (enum-like). Each context has `WAYS`
 * slots (string and its place in `stringHashes`, replaced in turn): context `p` for the values
 * of the key at place `4p` (the first `PREDICTED` strings stored), `PREDICTED + p` for the key
 * that follows it in a record, `2 * PREDICTED` for the first key of a record (records of a
 * few kinds alternate in a walk), `AT_INDEX + i` for the strings at index `i` (modulo
 * `INDEXES`) of an array. A wrong prediction costs the comparisons and a lookup; a
 * slot holds a string and its own place, so a found string has its own hash.
 */
const PREDICTED = 4096;
const WAYS = 4;
const FIRST_KEY = 2 * PREDICTED;
const AT_INDEX = FIRST_KEY + 1;
const INDEXES = 16;
const CONTEXTS = AT_INDEX + INDEXES;
const predStr: string[] = new Array<string>(CONTEXTS * WAYS).fill('');
const predAt = new Int32Array(CONTEXTS * WAYS);
/** The next slot to replace in each context. */
const predNext = new Uint8Array(CONTEXTS);

/**
 * The place in `stringHashes` of `s`, found among the slots of context `c` (see `predStr`), or
 * looked up and kept there; -1 when the string table is full. Leaves the string's hash in
 * RH/RL and its seeded lanes in KH/KL.
 */
function predictedString(s: string, c: number): number {
  const b = c * WAYS;
  for (let w = 0; w < WAYS; w++) {
    if (predStr[b + w] === s) {
      const at = predAt[b + w]!;
      const t = stringHashes;
      RH = t[at]!;
      RL = t[at + 1]!;
      KH = t[at + 2]!;
      KL = t[at + 3]!;
      return at;
    }
  }
  const at = stringHash(s);
  if (at >= 0) {
    const w = predNext[c]!;
    predNext[c] = (w + 1) & (WAYS - 1);
    predStr[b + w] = s;
    predAt[b + w] = at;
  }
  return at;
}

function finish(h1: number, h2: number, n: number): void {
  const hi = fmix(h1 ^ n) | 0;
  RH = hi;
  RL = fmix(h2 ^ Math.imul(n, 0x27d4eb2f) ^ hi) | 0;
}

function push2(a: number, b: number): void {
  if (top + 2 > stack.length) {
    const g = new Int32Array(stack.length * 2);
    g.set(stack);
    stack = g;
  }
  stack[top] = a;
  stack[top + 1] = b;
  top += 2;
}

/**
 * Places (in their Set's iteration order) of the objects of the Sets being hashed that are not
 * known distinct by value from the others (see `setNode`), innermost Set last.
 */
var freshStack = new Int32Array(256);
var freshTop = 0;

/**
 * Room for `n` more pairs in `stack`, parts in `kidStack` and places in `freshStack`, so that a
 * Set's loop stores without checks; an element's own walk may still grow them (the loop reads
 * them afresh after each element).
 */
function reserve(n: number): void {
  if (top + 2 * n > stack.length) {
    const g = new Int32Array(Math.max(stack.length * 2, top + 2 * n));
    g.set(stack);
    stack = g;
  }
  if (kidSp + n > kidStack.length) {
    const g = new Int32Array(Math.max(kidStack.length * 2, kidSp + n));
    g.set(kidStack);
    kidStack = g;
  }
  if (freshTop + n > freshStack.length) {
    const g = new Int32Array(Math.max(freshStack.length * 2, freshTop + n));
    g.set(freshStack);
    freshStack = g;
  }
}

/** Beyond this many new elements, a Set is checked for duplicates by sorting (see `freshDuplicate`). */
const FRESH_SCAN = 8;

/**
 * Whether one of a Set's objects not known distinct (places `freshStack[fbase .. freshTop)`)
 * has the hash of another element (pairs `stack[sbase .. top)`). The others are distinct by
 * value: objects found in the aligned Set, each at its own place, and primitives (a Set holds
 * equal primitives once). Many new ones are checked by sorting every pair instead.
 */
function freshDuplicate(sbase: number, fbase: number): boolean {
  const u = freshTop - fbase;
  if (u === 0) return false;
  if (u > FRESH_SCAN) return sortPairs(sbase);
  const st = stack;
  for (let f = fbase; f < freshTop; f++) {
    const i = sbase + 2 * freshStack[f]!;
    const a = st[i]!;
    const b = st[i + 1]!;
    for (let k = sbase; k < top; k += 2) {
      if (k !== i && st[k] === a && st[k + 1] === b) return true;
    }
  }
  return false;
}

/**
 * Sorts the hash pairs `stack[base .. top)` (insertion sort: collections in states are
 * small) and returns whether two are equal.
 */
function sortPairs(base: number): boolean {
  const st = stack;
  let dup = false;
  for (let i = base + 2; i < top; i += 2) {
    const a = st[i]!;
    const b = st[i + 1]!;
    let j = i - 2;
    for (; j >= base; j -= 2) {
      const c = st[j]!;
      const d = st[j + 1]!;
      if (c < a || (c === a && d < b)) break;
      if (c === a && d === b) dup = true;
      st[j + 2] = c;
      st[j + 3] = d;
    }
    st[j + 2] = a;
    st[j + 3] = b;
  }
  return dup;
}

/**
 * The structural hash of `v` into RH/RL (for an integer, the pair `(T_INT, v)` itself).
 * `align`: the record of the value at the same place in an earlier walk (-1: none), whose
 * parts' records are the candidates for `v`'s parts (see `recObj`); `keep`: make records of
 * the objects walked. Returns `v`'s record (-1 for a primitive, or when not `keep`); an
 * object found in place is not walked, and its record is returned whatever `keep` is.
 */
function node(v: unknown, keep: boolean, align: number): number {
  switch (typeof v) {
    case 'number': {
      if ((v | 0) === v) {
        // An integer is its own hash pair: its parent mixes it in (a root is finalised by
        // `state`). Saves finalising every integer of a state.
        RH = T_INT;
        RL = v;
      } else {
        f64[0] = v;
        const a = f64Words[0]!;
        const b = f64Words[1]!;
        finish(r1(r1(r1(SEED1, T_FLOAT), a), b), r2(r2(r2(SEED2, T_FLOAT), a), b), 3);
      }
      return -1;
    }
    case 'string':
      stringHash(v);
      return -1;
    case 'boolean':
      RH = v ? 0x3c6ef372 : 0x5f1d36f1;
      RL = v ? 0x2a2cf4b2 : 0x1f83d9ab;
      return -1;
    case 'undefined':
      RH = 0x510e527f;
      RL = 0x1eb5d6a3;
      return -1;
    case 'bigint': {
      stringHash(v.toString());
      finish(r1(r1(r1(SEED1, T_BIGINT), RH), RL), r2(r2(r2(SEED2, T_BIGINT), RH), RL), 3);
      return -1;
    }
    case 'object':
      break;
    default:
      throw new FingerprintError(`cannot fingerprint a value of type ${typeof v}`);
  }
  if (v === null) {
    RH = 0x6a09e667;
    RL = 0x3f84d5b5;
    return -1;
  }
  if (align >= 0 && recObj[align] === v) {
    RH = recH[align]!;
    RL = recL[align]!;
    return align;
  }
  // One function per kind, each small enough that V8 inlines the lane rounds into it (in one
  // function holding every kind, the rounds were calls: docs/performance.md).
  if (Array.isArray(v)) return arrayNode(v, keep, align);
  if (v instanceof Set) return setNode(v, keep, align);
  if (v instanceof Map) return mapNode(v, keep, align);
  return recordNode(v as Record<string, unknown>, keep, align);
}

function arrayNode(v: readonly unknown[], keep: boolean, align: number): number {
  const base = kidSp;
  // The aligned value's parts, read once (the loop's stores could alias them).
  const k0 = align >= 0 ? recKid0[align]! : 0;
  const kn = align >= 0 ? recKidN[align]! : 0;
  let h1 = ARRAY1;
  let h2 = ARRAY2;
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x === 'string') {
      // Arrays of enum-like values: the strings last seen at this index first.
      predictedString(x, AT_INDEX + (i & (INDEXES - 1)));
    } else if (typeof x === 'number' && (x | 0) === x) {
      // An integer is its own pair (see `node`), without a call.
      RH = T_INT;
      RL = x;
    } else {
      const a = i < kn ? kids[(k0 + i) & KMASK]! : -1;
      if (a >= 0 && recObj[a] === x) {
        // The part at the same place in the previous walk: taken without a call.
        RH = recH[a]!;
        RL = recL[a]!;
        if (keep) putKid(base, i, a);
      } else {
        const r = node(x, keep, a);
        if (keep && r >= 0) putKid(base, i, r);
      }
    }
    h1 = r1(r1(h1, RH), RL);
    h2 = r2(r2(h2, RH), RL);
  }
  finish(h1, h2, 2 * n + 1);
  return keep ? record(v, base) : -1;
}

/**
 * A Set: order-independent, as the sum of its elements' hashes (no sort). Two elements equal
 * by value are an error (see `freshDuplicate`): the sum would count such an element twice.
 */
function setNode(v: ReadonlySet<unknown>, keep: boolean, align: number): number {
  const base = kidSp;
  const sbase = top;
  const fbase = freshTop;
  reserve(v.size);
  // The aligned value's parts (read once: the loop's stores could alias them). When it is a Set
  // whose parts are still its own (the ring of parts has not wrapped over them), its elements
  // were checked distinct by value when it was made: an element found at its place there is
  // one of them, if that place's record is older than the Set's (not made again since).
  const k0 = align >= 0 ? recKid0[align]! : 0;
  const kn = align >= 0 ? recKidN[align]! : 0;
  const intact = align >= 0 && recObj[align] instanceof Set && ((kidCount - k0) >>> 0) <= KIDS;
  const seq = intact ? recSeq[align]! : 0;
  let sumH = 0;
  let sumL = 0;
  let j = 0;
  // One past the last element that has a record (see `kidStack`).
  let used = 0;
  // Elements found at their place in the aligned Set, known distinct by value (see `intact`).
  let found = 0;
  for (const e of v) {
    const a = j < kn ? kids[(k0 + j) & KMASK]! : -1;
    if (a >= 0 && recObj[a] === e) {
      RH = recH[a]!;
      RL = recL[a]!;
      kidStack[base + j] = a;
      used = j + 1;
      if (intact && ((seq - recSeq[a]!) | 0) > 0) found++;
      else freshStack[freshTop++] = j;
    } else {
      let r = -1;
      if (typeof e === 'number' && (e | 0) === e) {
        // An integer's pair is not mixed (see `node`), and a sum of unmixed pairs would make
        // {1, 4} the Set {2, 3}: finalise it as a root is.
        finish(r1(INT1, e), r2(INT2, e), 2);
      } else {
        r = node(e, keep, a);
        if (r >= 0) used = j + 1;
        // Only objects can be equal by value and distinct in a Set (a Set's primitives are
        // distinct values), so only they are looked at for duplicates.
        if (typeof e === 'object' && e !== null) freshStack[freshTop++] = j;
      }
      kidStack[base + j] = r;
    }
    stack[top] = RH;
    stack[top + 1] = RL;
    top += 2;
    sumH = (sumH + RH) | 0;
    sumL = (sumL + RL) | 0;
    j++;
    // An element's parts go above it (see `record`).
    kidSp = base + j;
  }
  kidSp = base + used;
  const dup = intact ? freshDuplicate(sbase, fbase) : found + freshTop - fbase > 1 && sortPairs(sbase);
  top = sbase;
  freshTop = fbase;
  if (dup) {
    kidSp = base;
    throw new FingerprintError(
      'a Set holds two elements equal by value: Sets of records must not contain duplicates; ' +
        'add an element only when no equal one is in the Set (compare by fields, not with Set.has, which compares objects by identity)',
    );
  }
  finish(r1(r1(SET1, sumH), sumL), r2(r2(SET2, sumH), sumL), j + 3);
  return keep ? record(v, base) : -1;
}

function mapNode(v: ReadonlyMap<unknown, unknown>, keep: boolean, align: number): number {
  const base = kidSp;
  const sbase = top;
  let j = 0;
  for (const [k, x] of v) {
    const rk = node(k, keep, kidOf(align, j));
    if (keep && rk >= 0) putKid(base, j, rk);
    j++;
    const kh = RH;
    const kl = RL;
    const rx = node(x, keep, kidOf(align, j));
    if (keep && rx >= 0) putKid(base, j, rx);
    j++;
    finish(r1(r1(r1(r1(ENTRY1, kh), kl), RH), RL), r2(r2(r2(r2(ENTRY2, kh), kl), RH), RL), 5);
    push2(RH, RL);
  }
  if (sortPairs(sbase)) {
    top = sbase;
    kidSp = base;
    throw new FingerprintError('a Map holds two entries equal by value (keys equal by value, with equal values): Map keys must be distinct values');
  }
  let h1 = MAP1;
  let h2 = MAP2;
  const st = stack;
  for (let i = sbase; i < top; i++) {
    h1 = r1(h1, st[i]!);
    h2 = r2(h2, st[i]!);
  }
  const n = top - sbase;
  top = sbase;
  finish(h1, h2, n + 1);
  return keep ? record(v, base) : -1;
}

/** A record: order-independent, as the sum of one hash per entry (keys are distinct). */
function recordNode(o: Record<string, unknown>, keep: boolean, align: number): number {
  const base = kidSp;
  const k0 = align >= 0 ? recKid0[align]! : 0;
  const kn = align >= 0 ? recKidN[align]! : 0;
  let sumH = 0;
  let sumL = 0;
  let n = 0;
  // The context of the next key (see `predStr`), then of the current key's values: -1 for none.
  let ctx = FIRST_KEY;
  for (const k in o) {
    const at = ctx >= 0 ? predictedString(k, ctx) : stringHash(k);
    const k1 = KH;
    const k2 = KL;
    const p = at >> 2;
    const vctx = at >= 0 && p < PREDICTED ? p : -1;
    ctx = vctx >= 0 ? PREDICTED + p : -1;
    const x = o[k];
    if (typeof x === 'string') {
      if (vctx >= 0) predictedString(x, vctx);
      else stringHash(x);
    } else if (typeof x === 'number' && (x | 0) === x) {
      // An integer is its own pair (see `node`), without a call.
      RH = T_INT;
      RL = x;
    } else {
      // As in `arrayNode`, written out again: a shared function for these lines cost 1.4%
      // more instructions on plain PaxosCommit (cachegrind, docs/performance.md).
      const a = n < kn ? kids[(k0 + n) & KMASK]! : -1;
      if (a >= 0 && recObj[a] === x) {
        RH = recH[a]!;
        RL = recL[a]!;
        if (keep) putKid(base, n, a);
      } else {
        const r = node(x, keep, a);
        if (keep && r >= 0) putKid(base, n, r);
      }
    }
    finish(r1(r1(k1, RH), RL), r2(r2(k2, RH), RL), 4);
    sumH = (sumH + RH) | 0;
    sumL = (sumL + RL) | 0;
    n++;
  }
  finish(r1(r1(RECORD1, sumH), sumL), r2(r2(RECORD2, sumH), sumL), n + 3);
  return keep ? record(o, base) : -1;
}

/** How a root is walked (see `rootNode`). */
const WALK_FRESH = 0;
const WALK_KEEP = 1;
const WALK_ANCHOR = 2;
const WALK_SUCCESSOR = 3;

/**
 * The structural hash of a root value into RH/RL. `WALK_KEEP`: aligned with the previous root
 * walked, recording what is walked (the root becomes the next walk's alignment);
 * `WALK_ANCHOR`: the same, and the root becomes the anchor; `WALK_SUCCESSOR`: aligned with the
 * anchor, recording nothing; `WALK_FRESH`: everything walked afresh, nothing recorded.
 */
function rootNode(v: unknown, mode: number): void {
  top = 0;
  kidSp = 0;
  freshTop = 0;
  if (mode === WALK_SUCCESSOR) {
    node(v, false, anchorRoot);
    return;
  }
  if (mode === WALK_FRESH) {
    node(v, false, -1);
    return;
  }
  const r = node(v, true, lastRoot);
  if (r >= 0) lastRoot = r;
  if (mode === WALK_ANCHOR) anchorRoot = r;
}

/** Forgets every recorded sub-value hash (tests; the ring holds at most 1,024 objects). */
export function clearFingerprintCache(): void {
  recObj.fill(NO_OBJECT);
  lastRoot = -1;
  anchorRoot = -1;
}

/**
 * On a spec whose `encode`/`decode` the engine derived (see `codec.ts`), the spec's own
 * fingerprint encoding: its own `encode` (a spec that had `encode` but no `decode`), or null
 * for the structural walk. The derived words only carry states between threads.
 */
export const DERIVED_CODEC: unique symbol = Symbol('leasecheck.derivedCodec');

/**
 * The one `encode` function every derived codec shares (`codec.ts` registers it), so that
 * {@link Fingerprinter.state} tells a spec's own encoding from a derived one by comparing one
 * pointer: the hot path of hook specs (the GFS model) reads no extra property.
 */
var derivedEncode: unknown = null;

/** Registers the shared `encode` of derived codecs (called once, by `codec.ts`). */
export function registerDerivedEncode(encode: (s: unknown, out: StateEncoder) => void): void {
  derivedEncode = encode;
}

/** The spec's own `encode` kept by a derived codec (see {@link DERIVED_CODEC}); null or undefined: none. */
function ownEncode<S, A extends Action>(spec: Spec<S, A>): Spec<S, A>['encode'] | null | undefined {
  return (spec as { [DERIVED_CODEC]?: Spec<S, A>['encode'] | null })[DERIVED_CODEC];
}

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
    this.h1 = SEED1;
    this.h2 = SEED2;
    this.n = 0;
  }

  /** Feeds every element of `words`. */
  ints(words: ArrayLike<number>): void {
    const len = words.length;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < len; i++) {
      const x = words[i]! | 0;
      h1 = r1(h1, x);
      h2 = r2(h2, x);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.n += len;
  }

  /** Feeds one 32-bit word. */
  int(x: number): void {
    this.h1 = r1(this.h1, x | 0);
    this.h2 = r2(this.h2, x | 0);
    this.n++;
  }

  /**
   * Fingerprints one state of `spec`: its `encode` when it has one (one it wrote, not one the
   * engine derived), else a structural walk ({@link Fingerprinter.value}). The result is in
   * {@link Fingerprinter.hi} and {@link Fingerprinter.lo}. The one way every part of the
   * checker (explorer, trace replay, state graphs, fuzzer) fingerprints a state.
   */
  state<S, A extends Action>(spec: Spec<S, A>, s: S, options?: HashOptions): void {
    if (this.encoded(spec, s)) return;
    rootNode(s, options?.noCache ? WALK_FRESH : WALK_KEEP);
    this.rootDone();
  }

  /**
   * Makes `s` the anchor: the state whose successors {@link Fingerprinter.successor}
   * fingerprints next (the explorer anchors each state it expands). For a spec walked
   * structurally, walks `s` (recording its objects, so that its successors find the ones they
   * share with it); for a spec fingerprinted by its own `encode`, does nothing. Leaves
   * {@link Fingerprinter.hi} and {@link Fingerprinter.lo} as they were.
   */
  anchor<S, A extends Action>(spec: Spec<S, A>, s: S): void {
    const encode = spec.encode;
    if (encode !== undefined && (encode !== derivedEncode || ownEncode(spec))) return;
    rootNode(s, WALK_ANCHOR);
  }

  /**
   * Fingerprints `t`, a successor of the anchor ({@link Fingerprinter.anchor}): the same value
   * as {@link Fingerprinter.state}, found faster, since `t`'s objects are looked for at their
   * places in the anchor (where a successor built with spreads keeps its parent's unchanged
   * objects). Any `t` is fingerprinted correctly, a successor of the anchor or not: an object
   * is taken from a record only when it is that record's very object.
   */
  successor<S, A extends Action>(spec: Spec<S, A>, t: S): void {
    if (this.encoded(spec, t)) return;
    rootNode(t, WALK_SUCCESSOR);
    this.rootDone();
  }

  /** Fingerprints `s` by the spec's own `encode` when it has one (true), else does nothing (false). */
  private encoded<S, A extends Action>(spec: Spec<S, A>, s: S): boolean {
    const encode = spec.encode;
    if (encode === undefined) return false;
    if (encode !== derivedEncode) {
      this.reset();
      spec.encode!(s, this);
      this.finish();
      return true;
    }
    // A derived codec: fingerprint by the spec's own encode if it had one (without decode).
    const own = ownEncode(spec);
    if (!own) return false;
    this.reset();
    own.call(spec, s, this);
    this.finish();
    return true;
  }

  /** The fingerprint of the root just walked (in RH/RL), into `hi` and `lo`. */
  private rootDone(): void {
    finish(r1(r1(SEED1, RH), RL), r2(r2(SEED2, RH), RL), 2);
    this.hi = RH >>> 0;
    this.lo = RL >>> 0;
  }

  /** Finalises the fingerprint into {@link Fingerprinter.hi} and {@link Fingerprinter.lo}. */
  finish(): void {
    this.hi = fmix(this.h1 ^ this.n);
    this.lo = fmix(this.h2 ^ Math.imul(this.n, 0x27d4eb2f) ^ this.hi);
  }

  /**
   * Feeds any plain value structurally, as two words (its 64-bit structural hash): numbers,
   * strings, booleans, null, undefined, bigints, arrays, records (key order never matters),
   * Sets and Maps (order-independent collections). Throws a {@link FingerprintError} for a
   * function or a symbol, and for a Set with two elements equal by value.
   */
  value(v: unknown, options?: HashOptions): void {
    rootNode(v, options?.noCache ? WALK_FRESH : WALK_KEEP);
    this.int(RH);
    this.int(RL);
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
