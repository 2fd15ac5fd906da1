/**
 * Declared state schemas: a small typed vocabulary for a model's state, from which the
 * engine derives what a hand-packed model writes by hand: the word encoding (`encode`,
 * `decode`, hence fingerprints, the encoded BFS queue and worker threads), `toJSON`, ITF,
 * per-step diffs and symmetry (the permutation of interchangeable index domains).
 *
 * ```ts
 * const RM = domain('RM', 3, { symmetric: true });
 * const Message = union('type', { Prepared: { rm: RM }, Commit: {}, Abort: {} });
 * const State = record({
 *   rmState: arrayOf(RM, enumOf('working', 'prepared', 'committed', 'aborted')),
 *   tmPrepared: setOf(RM),
 *   msgs: setOf(Message),
 * });
 * type S = Infer<typeof State>; // { rmState: readonly (...)[]; tmPrepared: SetValue<number>; msgs: SetValue<...> }
 * ```
 *
 * Values are plain readonly objects and arrays; sets and bags are small immutable value
 * objects ({@link SetValue}, {@link BagValue}) that hold the encoding of their elements
 * (a bitmask over the element type's finite universe, or a sorted run of element codes), so
 * that `has`, `add` and the state's encoding are word operations. Records of a small
 * universe (at most {@link INTERN_LIMIT} values) decode to shared frozen objects, so a
 * decoded state allocates only its containers. docs/schema.md records the measurements
 * behind these choices.
 *
 * Encoding: every value of a finite type has a dense code (`0 .. card-1`); the fixed part of
 * the state (scalars, records, per-domain arrays, bounded sequences, sets over small
 * universes) is packed into 32-bit words, each field taking `ceil(log2(card))` bits, several
 * fields to a word (a field never straddles two words); sets over large universes and bags
 * follow as length-prefixed runs of codes. A value outside its declared bound is an error
 * that names the field and the bound ({@link SchemaBoundError}).
 *
 * @packageDocumentation
 */
import type { Action, ActionArg, ActionProperty, Spec, StateEncoder, StateProperty } from './spec.js';

/** Records, tuples, unions, per-domain arrays and sequences with at most this many values decode to shared frozen objects. */
export const INTERN_LIMIT = 8192;
/** Sequences of at most this many elements are laid out in slots of the fixed words (longer ones as runs). */
export const SEQ_SLOTS_LIMIT = 64;
/** Sets whose element type has at most this many values are bitmasks (else sorted code runs). */
export const BITSET_LIMIT = 1024;
/** Sets over at most this many values are shared objects, one per bitmask. */
export const SMALL_SET_BITS = 10;
/** Largest cardinality of a type that is encoded as one code. */
const MAX_CODE_CARD = 2 ** 32;

/** A value outside its declared bound (or of the wrong shape), naming the field and the bound. */
export class SchemaBoundError extends RangeError {
  constructor(
    /** Where the value is, e.g. `aState[1][2].mbal` (or `element.bal` inside a set's element). */
    readonly path: string,
    /** The offending value. */
    readonly value: unknown,
    /** What the schema allows there, e.g. `int(0, 1)`. */
    readonly bound: string,
  ) {
    super(`schema: ${path || 'the state'} is ${show(value)}, outside its declared bound ${bound}`);
    this.name = 'SchemaBoundError';
  }
}

function show(v: unknown): string {
  if (v instanceof BitSetValue || v instanceof ListSetValue) return `a set of ${v.type.elem.describe()}`;
  if (v instanceof BagValue) return `a bag of ${v.type.elem.describe()}`;
  try {
    const j = JSON.stringify(v);
    return j === undefined ? String(v) : j.length > 80 ? `${j.slice(0, 77)}...` : j;
  } catch {
    return String(v);
  }
}

function fail(path: string, value: unknown, bound: string): never {
  // A field of the root record is built as '' + '.name'.
  throw new SchemaBoundError(path.startsWith('.') ? path.slice(1) : path, value, bound);
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** Bits to hold `card` codes. */
function bitsFor(card: number): number {
  let b = 0;
  while (2 ** b < card) b++;
  return b;
}

/**
 * A schema type: describes a set of values and how to encode them.
 * @typeParam T - the TypeScript type of its values (see {@link Infer}).
 */
export abstract class Type<T> {
  /** Phantom: the value type, for {@link Infer}. */
  declare readonly _value: T;
  /** What kind of type this is. */
  abstract readonly kind: string;
  /** Number of values (Infinity for sets over large universes, bags, and anything containing them). */
  abstract readonly card: number;
  /** How the type reads in error messages, e.g. `int(0, 7)`. */
  abstract describe(): string;
  /** The symmetric domains this type mentions. */
  abstract symmetricDomains(): Set<DomainType>;
  private table?: unknown[];
  /**
   * The key under which an interned value of this type keeps its code (non-enumerable, so
   * spreads, JSON and `Object.keys` never see it): the encoder reads it instead of
   * recomputing the code of a record that a successor shares with its parent. One key per
   * type, so that a value interned by another type of the same shape is coded afresh.
   */
  readonly codeKey: symbol = Symbol('schema.code');
  /**
   * The dense code of `v` (0 .. card-1); throws a {@link SchemaBoundError} naming `path` when
   * `v` is not a value of the type. Compiled on first use (then this property is the compiled
   * function itself, so callers pay one call).
   */
  code: (v: T, path?: string) => number = (v, path) => {
    const f = compileCode(this) as (v: T, path?: string) => number;
    this.code = f;
    return f(v, path ?? 'value');
  };

  /** True when the type's values have dense codes (finite, at most 2^32 values, no set inside). */
  get isAtom(): boolean {
    return this.card <= MAX_CODE_CARD;
  }

  /** Bits of one code. */
  get bits(): number {
    return bitsFor(this.card);
  }

  /** The value of code `c` (shared and frozen for records and unions of at most {@link INTERN_LIMIT} values). */
  value(c: number): T {
    if (this.card <= INTERN_LIMIT) {
      const t = (this.table ??= new Array(this.card));
      let x = t[c];
      if (x === undefined) {
        x = valueOfCode(this, c);
        // Interned arrays stay plain (not frozen, no code property): V8's fast paths for
        // `slice`, `every` and indexed reads do not apply to frozen arrays or arrays with
        // extra properties, and steps copy per-node arrays all the time (`except`).
        if (!Array.isArray(x)) {
          // An optional record's value is its inner type's interned (frozen) record, which
          // keeps the inner type's code: the optional's code is computed, never read off it.
          if (x !== null && typeof x === 'object' && !(x instanceof BitSetValue) && !Object.isFrozen(x)) Object.defineProperty(x, this.codeKey, { value: c, enumerable: false });
          x = deepFreeze(x);
        }
        t[c] = x;
      }
      return x as T;
    }
    return valueOfCode(this, c) as T;
  }

  /** True when `a` and `b` are the same value of the type (equal codes: no identity needed). */
  equals(a: T, b: T): boolean {
    return a === b || this.code(a) === this.code(b);
  }

  /** The canonical (shared, frozen) form of `v`, after checking it against the type. */
  intern(v: T): T {
    return this.value(this.code(v));
  }

  /** Every value, in code order (only for types of at most 2^20 values). */
  values(): T[] {
    if (this.card > 2 ** 20) throw new RangeError(`schema: ${this.describe()} has too many values to list`);
    return Array.from({ length: this.card }, (_, c) => this.value(c));
  }

  /** The table of interned values by code, filled (for types of at most {@link INTERN_LIMIT} values). */
  internTable(): readonly T[] {
    for (let c = 0; c < this.card; c++) this.value(c);
    return this.table as T[];
  }
}

function deepFreeze<V>(v: V): V {
  if (v instanceof BitSetValue || v instanceof ListSetValue || v instanceof BagValue) return v;
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** `int(min, max)`: an integer in `min..max`. */
export class IntType extends Type<number> {
  readonly kind = 'int';
  readonly card: number;
  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    super();
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`schema: int(${min}, ${max}) needs integers with min <= max`);
    }
    this.card = max - min + 1;
    if (this.card > MAX_CODE_CARD) throw new RangeError(`schema: int(${min}, ${max}) spans more than 2^32 values`);
  }
  describe(): string {
    return `int(${this.min}, ${this.max})`;
  }
  symmetricDomains(): Set<DomainType> {
    return new Set();
  }
}

/** `bool()`. */
export class BoolType extends Type<boolean> {
  readonly kind = 'bool';
  readonly card = 2;
  describe(): string {
    return 'bool';
  }
  symmetricDomains(): Set<DomainType> {
    return new Set();
  }
}

/** `enumOf('a', 'b', ...)`: one of a few strings. */
export class EnumType<V extends string> extends Type<V> {
  readonly kind = 'enum';
  readonly card: number;
  constructor(readonly names: readonly V[]) {
    super();
    if (names.length === 0 || new Set(names).size !== names.length) throw new RangeError(`schema: enumOf needs distinct names`);
    this.card = names.length;
  }
  describe(): string {
    return `enumOf(${this.names.map((n) => JSON.stringify(n)).join(', ')})`;
  }
  symmetricDomains(): Set<DomainType> {
    return new Set();
  }
}

/**
 * `domain(name, size)`: an index domain, the values `0 .. size-1` (chunkservers, clients,
 * resource managers). Per-node arrays are indexed by a domain ({@link arrayOf}); a domain
 * declared `symmetric` is interchangeable, and the schema's `canonicalize` permutes it.
 */
export class DomainType extends Type<number> {
  readonly kind = 'domain';
  readonly card: number;
  constructor(
    readonly name: string,
    readonly size: number,
    readonly symmetric: boolean,
  ) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`schema: domain '${name}' needs a size of at least 1, not ${size}`);
    this.card = size;
    // Not frozen: V8 (Node 20) has no fast path for frozen arrays, and specs loop over a
    // domain's members in every step (`for (const p of Proc.members)`, `.every`, `.map`):
    // measured 6x slower for `for...of`, 20x for `every`, 3x for indexed reads. Its type is
    // readonly, as every value a schema hands out.
    this.members = Array.from({ length: size }, (_, i) => i);
  }
  /** The domain's members, `0 .. size-1` (one shared array: never write it). */
  readonly members: readonly number[];
  describe(): string {
    return `${this.name} (0..${this.size - 1})`;
  }
  symmetricDomains(): Set<DomainType> {
    return this.symmetric ? new Set([this]) : new Set();
  }
}

/** `optional(T)`: a value of `T`, or `null` (TLA's `none`). */
export class OptionalType<T> extends Type<T | null> {
  readonly kind = 'optional';
  readonly card: number;
  constructor(readonly inner: Type<T>) {
    super();
    this.card = inner.card + 1;
  }
  describe(): string {
    return `optional(${this.inner.describe()})`;
  }
  symmetricDomains(): Set<DomainType> {
    return this.inner.symmetricDomains();
  }
}

/** Options of {@link record} and {@link union}. */
export interface RecordOptions {
  /**
   * Order codes lexicographically by field, first field most significant (default: first
   * field least significant). A set of such records iterates in that order: a model whose
   * action order follows its messages' fields (and a hand-packed model it replaces) keeps it.
   */
  readonly lexicographic?: boolean;
}

/** A record's fields: name to type. */
export type Fields = { readonly [k: string]: Type<any> };
/** The value type of a record of `F`. */
export type RecordValue<F extends Fields> = { readonly [K in keyof F]: Infer<F[K]> };

/** `record({a: T, b: U})`: a record with named fields. */
export class RecordType<F extends Fields> extends Type<RecordValue<F>> {
  readonly kind = 'record';
  readonly card: number;
  readonly entries: readonly (readonly [string, Type<any>])[];
  /**
   * Code order: `false` (the default), the first field is the least significant digit of the
   * code; `true`, the first field is the most significant, so that codes (hence a set's
   * iteration order) sort records lexicographically by their fields in declaration order.
   */
  readonly lexicographic: boolean;
  constructor(
    readonly fields: F,
    opts: RecordOptions = {},
  ) {
    super();
    this.entries = Object.entries(fields);
    this.card = this.entries.reduce((n, [, t]) => n * t.card, 1);
    this.lexicographic = opts.lexicographic ?? false;
  }
  /** The radix (place value) of each field's code in the record's code, in declaration order. */
  radices(): number[] {
    const cards = this.entries.map(([, t]) => t.card);
    const out = new Array<number>(cards.length);
    let r = 1;
    if (this.lexicographic) {
      for (let i = cards.length - 1; i >= 0; i--) (out[i] = r), (r *= cards[i]!);
    } else {
      for (let i = 0; i < cards.length; i++) (out[i] = r), (r *= cards[i]!);
    }
    return out;
  }
  private maker: ((...values: any[]) => RecordValue<F>) | undefined = undefined;
  /**
   * Makes a record from its fields' values, in declaration order. It is one function, so
   * every record it makes has one object shape, with every field in the object itself. The
   * decoder makes the root's records with it, and so does {@link RecordType.with}.
   */
  get make(): (...values: any[]) => RecordValue<F> {
    return (this.maker ??= new Function(
      ...this.entries.map((_, i) => `a${i}`),
      `return {${this.entries.map(([k], i) => `${JSON.stringify(k)}: a${i}`).join(', ')}};`,
    ) as (...values: any[]) => RecordValue<F>);
  }
  /**
   * `r` with the fields of `changes` replaced: TLA's `[r EXCEPT !.a = x, !.b = y]`, written
   * `State.with(s, { a: x, b: y })` where a spread would be `{ ...s, a: x, b: y }`. Unlike a
   * spread, every record it makes has the decoder's one object shape. A spread with overrides
   * makes a shape per call site and keeps most fields out of the object, and whatever reads
   * successors (the encoder, the invariants) then pays for megamorphic loads: on the GFS
   * model, a fifth of its instructions per state (docs/schema.md). A key that is not a field
   * is an error.
   * Compiled on first use, as {@link Type.code}.
   */
  with: (r: RecordValue<F>, changes: Partial<RecordValue<F>>) => RecordValue<F> = (r, changes) => {
    const keys = this.entries.map(([k]) => k);
    const cases = keys.map((k, i) => `case ${JSON.stringify(k)}: v${i} = p[k]; break;`).join('\n');
    const bad = (k: string): never => {
      throw new RangeError(`schema: with: '${k}' is not a field of ${this.describe()}`);
    };
    const f = new Function(
      'make',
      'bad',
      `return function with_(r, p) {\n${keys.map((k, i) => `let v${i} = r[${JSON.stringify(k)}];`).join('\n')}\nfor (const k in p) switch (k) {\n${cases}\ndefault: bad(k);\n}\nreturn make(${keys.map((_, i) => `v${i}`).join(', ')});\n};`,
    )(this.make, bad) as (r: RecordValue<F>, changes: Partial<RecordValue<F>>) => RecordValue<F>;
    this.with = f;
    return f(r, changes);
  };
  describe(): string {
    return `record({${this.entries.map(([k, t]) => `${k}: ${t.describe()}`).join(', ')}})`;
  }
  symmetricDomains(): Set<DomainType> {
    return unionOf(this.entries.map(([, t]) => t.symmetricDomains()));
  }
}

/** `tuple(A, B, ...)`: a fixed-length tuple (TLA's `<<a, b>>`, ITF's `#tup`). */
export class TupleType<T extends readonly unknown[]> extends Type<T> {
  readonly kind = 'tuple';
  readonly card: number;
  constructor(readonly items: readonly Type<any>[]) {
    super();
    this.card = items.reduce((n, t) => n * t.card, 1);
  }
  describe(): string {
    return `tuple(${this.items.map((t) => t.describe()).join(', ')})`;
  }
  symmetricDomains(): Set<DomainType> {
    return unionOf(this.items.map((t) => t.symmetricDomains()));
  }
}

/** The value type of a tagged union: one record per variant, with the tag field naming it. */
export type UnionValue<Tag extends string, V extends { readonly [k: string]: Fields }> = {
  [K in keyof V & string]: Simplify<{ readonly [P in Tag]: K } & { readonly [P in keyof V[K]]: Infer<V[K][P]> }>;
}[keyof V & string];

/** `union('type', {A: {...fields}, B: {...}})`: a tagged union of records (messages). */
export class UnionType<Tag extends string, V extends { readonly [k: string]: Fields }> extends Type<UnionValue<Tag, V>> {
  readonly kind = 'union';
  readonly card: number;
  /** The variants in declaration order, each with its first code. */
  readonly variants: readonly { readonly name: string; readonly record: RecordType<Fields>; readonly offset: number }[];
  constructor(
    readonly tag: Tag,
    variants: V,
    opts: RecordOptions = {},
  ) {
    super();
    let off = 0;
    this.variants = Object.entries(variants).map(([name, f]) => {
      if (tag in f) throw new RangeError(`schema: union variant '${name}' has a field named like the tag '${tag}'`);
      const record = new RecordType(f, opts);
      const v = { name, record, offset: off };
      off += record.card;
      return v;
    });
    if (this.variants.length === 0) throw new RangeError(`schema: a union needs at least one variant`);
    this.card = off;
  }
  describe(): string {
    return `union(${this.variants.map((v) => v.name).join(' | ')})`;
  }
  symmetricDomains(): Set<DomainType> {
    return unionOf(this.variants.map((v) => v.record.symmetricDomains()));
  }
}

/** `arrayOf(D, T)`: a fixed per-node array, one `T` for each member of domain `D` (TLA's `[D -> T]`). */
export class ArrayType<T> extends Type<readonly T[]> {
  readonly kind = 'array';
  readonly card: number;
  constructor(
    readonly domain: DomainType,
    readonly elem: Type<T>,
  ) {
    super();
    // An array of small values is itself a value with a code (mixed radix of its elements);
    // larger arrays are structure, flattened into the state's words.
    this.card = elem.isAtom ? elem.card ** domain.size : Infinity;
  }
  describe(): string {
    return `arrayOf(${this.domain.name}, ${this.elem.describe()})`;
  }
  symmetricDomains(): Set<DomainType> {
    return unionOf([this.domain.symmetricDomains(), this.elem.symmetricDomains()]);
  }
}

/** `seq(T, maxLen)`: a sequence of at most `maxLen` values (TLA's `Seq(T)` with a bound). */
export class SeqType<T> extends Type<readonly T[]> {
  readonly kind = 'seq';
  readonly card: number;
  /** `offsets[k]`: the first code of the sequences of length `k` (`sum of card^j for j < k`). */
  readonly offsets: readonly number[];
  /**
   * `slots`: in the fixed words, the length then `maxLen` slots (unused ones 0), or one code
   * when the sequence has few values; `run`: the length and the element codes as a run after
   * the fixed words (for long sequences; the default past {@link SEQ_SLOTS_LIMIT}).
   */
  readonly encoding: 'slots' | 'run';
  constructor(
    readonly elem: Type<T>,
    readonly maxLen: number,
    encoding?: 'slots' | 'run',
  ) {
    super();
    if (!elem.isAtom) throw new RangeError(`schema: seq elements must be finite values (got ${elem.describe()})`);
    if (!Number.isInteger(maxLen) || maxLen < 0 || maxLen > 65536) throw new RangeError(`schema: seq bound must be in 0..65536, not ${maxLen}`);
    this.encoding = encoding ?? (maxLen <= SEQ_SLOTS_LIMIT ? 'slots' : 'run');
    if (this.encoding === 'slots' && maxLen > SEQ_SLOTS_LIMIT) throw new RangeError(`schema: a seq in slots holds at most ${SEQ_SLOTS_LIMIT} elements, not ${maxLen} (use { encoding: 'run' })`);
    const offsets = [0];
    for (let k = 0; k <= maxLen; k++) offsets.push(offsets[k]! + elem.card ** k);
    this.offsets = offsets;
    // A run-encoded sequence is structure only: no single code.
    this.card = this.encoding === 'run' ? Infinity : offsets[maxLen + 1]!;
  }
  describe(): string {
    return `seq(${this.elem.describe()}, ${this.maxLen})`;
  }
  symmetricDomains(): Set<DomainType> {
    return this.elem.symmetricDomains();
  }
}

/** `setOf(T)`: a finite set of values of `T` ({@link SetValue}). */
export class SetType<T> extends Type<SetValue<T>> {
  readonly kind = 'set';
  readonly card: number;
  /** `bits`: a bitmask over `T`'s codes; `list`: a sorted run of codes. */
  readonly encoding: 'bits' | 'list';
  /** Words of the bitmask (`bits` encoding). */
  readonly words: number;
  /** The variant names {@link SetValue.variant} was asked for on sets of this type, in the order asked. */
  variantNames: string[] | undefined = undefined;
  /** Their slices (code ranges, variant indices), in the same order. */
  readonly variantRanges: VariantSlice[] = [];
  /** For element types of at most {@link SMALL_SET_BITS} values: every set, by bitmask (shared, so decoding allocates nothing). */
  private readonly smallSets: BitSetValue<T>[] | null;
  private readonly emptySet: SetValue<T>;
  constructor(
    readonly elem: Type<T>,
    readonly maxSize: number,
    encoding?: 'bits' | 'list',
  ) {
    super();
    if (!elem.isAtom) throw new RangeError(`schema: set elements must be finite values (got ${elem.describe()})`);
    this.encoding = encoding ?? (elem.card <= BITSET_LIMIT ? 'bits' : 'list');
    if (this.encoding === 'list' && elem.card > 2 ** 31) throw new RangeError(`schema: set elements of ${elem.describe()} need codes below 2^31`);
    this.words = Math.ceil(elem.card / 32);
    // A set over a small universe (at most SMALL_SET_BITS values) is itself a value with a
    // code, its bitmask, so that it can be a field of a set's element (a message's `secs`);
    // larger sets are structure only.
    this.card = this.encoding === 'bits' && elem.card <= SMALL_SET_BITS ? 2 ** elem.card : Infinity;
    this.smallSets = this.encoding === 'bits' && elem.card <= SMALL_SET_BITS ? Array.from({ length: 2 ** elem.card }, (_, m) => new BitSetValue(this, [m])) : null;
    this.emptySet = this.smallSets ? this.smallSets[0]! : this.encoding === 'bits' ? new BitSetValue(this, new Array<number>(this.words).fill(0)) : new ListSetValue(this, []);
  }
  describe(): string {
    return `setOf(${this.elem.describe()})`;
  }
  symmetricDomains(): Set<DomainType> {
    return this.elem.symmetricDomains();
  }
  /** The empty set. */
  empty(): SetValue<T> {
    return this.emptySet;
  }
  /** The set of `xs`. */
  of(...xs: T[]): SetValue<T>;
  of(...xs: T[]): SetValue<T> {
    let s = this.emptySet;
    for (const x of xs) s = s.add(x);
    return s;
  }
  /** The set of code `c` (its bitmask), for sets over small universes. */
  override value(c: number): SetValue<T> {
    return this.fromMask(c);
  }

  /** The set whose one-word bitmask is `mask` (shared for small element types). */
  fromMask(mask: number): BitSetValue<T> {
    return this.smallSets ? this.smallSets[mask]! : new BitSetValue(this, [mask]);
  }

  /** The set of the elements with codes `codes` (any order, duplicates ignored). */
  fromCodes(codes: Iterable<number>): SetValue<T> {
    if (this.encoding === 'bits') {
      const w = new Array<number>(this.words).fill(0);
      for (const c of codes) w[c >>> 5] = w[c >>> 5]! | (1 << (c & 31));
      return this.words === 1 ? this.fromMask(w[0]!) : new BitSetValue(this, w);
    }
    return new ListSetValue(this, [...new Set(codes)].sort((a, b) => a - b));
  }
}

/** `bagOf(T)`: a multiset of values of `T` ({@link BagValue}), e.g. a network that may duplicate. */
export class BagType<T> extends Type<BagValue<T>> {
  readonly kind = 'bag';
  readonly card = Infinity;
  private readonly emptyBag: BagValue<T>;
  constructor(
    readonly elem: Type<T>,
    readonly maxSize: number,
  ) {
    super();
    if (!elem.isAtom || elem.card > 2 ** 31) throw new RangeError(`schema: bag elements must be finite values with codes below 2^31 (got ${elem.describe()})`);
    this.emptyBag = new BagValue(this, []);
  }
  describe(): string {
    return `bagOf(${this.elem.describe()})`;
  }
  symmetricDomains(): Set<DomainType> {
    return this.elem.symmetricDomains();
  }
  /** The empty bag. */
  empty(): BagValue<T> {
    return this.emptyBag;
  }
  /** The bag of `xs` (with their multiplicities). */
  of(...xs: T[]): BagValue<T>;
  of(...xs: T[]): BagValue<T> {
    let b = this.emptyBag;
    for (const x of xs) b = b.add(x);
    return b;
  }
}

function unionOf(sets: readonly Set<DomainType>[]): Set<DomainType> {
  const out = new Set<DomainType>();
  for (const s of sets) for (const d of s) out.add(d);
  return out;
}

/** Flattens an intersection for readable hover types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The value type of a schema type, as zod's `z.infer`. */
export type Infer<X> = X extends Type<infer T> ? T : never;

/** An integer in `min..max` (both included). */
export const int = (min: number, max: number): IntType => new IntType(min, max);
/** A boolean. */
export const bool = (): BoolType => new BoolType();
/** One of the given strings. */
export const enumOf = <const V extends readonly string[]>(...names: V): EnumType<V[number]> => new EnumType<V[number]>(names);
/** An index domain of `size` members, `0 .. size-1`; `symmetric` when its members are interchangeable. */
export const domain = (name: string, size: number, opts: { readonly symmetric?: boolean } = {}): DomainType =>
  new DomainType(name, size, opts.symmetric ?? false);
/** A value of `inner` or `null`. */
export const optional = <T>(inner: Type<T>): OptionalType<T> => new OptionalType(inner);
/** A record with the given fields. */
export const record = <F extends Fields>(fields: F, opts: RecordOptions = {}): RecordType<F> => new RecordType(fields, opts);
/** A tuple of the given types. */
export const tuple = <const I extends readonly Type<any>[]>(...items: I): TupleType<{ readonly [K in keyof I]: Infer<I[K]> }> =>
  new TupleType(items);
/** A tagged union of records: `union('type', {Prepared: {rm: RM}, Commit: {}})`. */
export const union = <Tag extends string, const V extends { readonly [k: string]: Fields }>(tag: Tag, variants: V, opts: RecordOptions = {}): UnionType<Tag, V> =>
  new UnionType(tag, variants, opts);
/** A per-node array: one `elem` for each member of `d`. */
export const arrayOf = <T>(d: DomainType, elem: Type<T>): ArrayType<T> => new ArrayType(d, elem);
/** A sequence of at most `maxLen` values of `elem`. */
export const seq = <T>(elem: Type<T>, maxLen: number, opts: { readonly encoding?: 'slots' | 'run' } = {}): SeqType<T> => new SeqType(elem, maxLen, opts.encoding);
/** A set of values of `elem`; `maxSize` bounds list-encoded sets (default: no bound but the universe). */
export const setOf = <T>(elem: Type<T>, opts: { readonly maxSize?: number; readonly encoding?: 'bits' | 'list' } = {}): SetType<T> =>
  new SetType(elem, opts.maxSize ?? Infinity, opts.encoding);
/** A multiset of values of `elem`; `maxSize` bounds its size (default: no bound). */
export const bagOf = <T>(elem: Type<T>, opts: { readonly maxSize?: number } = {}): BagType<T> => new BagType(elem, opts.maxSize ?? Infinity);

/**
 * The empty sequence that decoding, `tail` and an empty `variant` share. Not frozen, as
 * {@link DomainType.members}: a frozen array would make every site that reads sequences see
 * two kinds of arrays, and leave V8's fast paths for arrays. Its type is readonly: a step
 * must never write into it, as into any value a state holds (a write into a state's empty
 * sequence changes that state, which the engine's guards report).
 */
const EMPTY: readonly never[] = [];

/** `[a EXCEPT ![i] = v]`: a copy of `a` with `a[i]` replaced (for per-node arrays). */
export function except<T>(a: readonly T[], i: number, v: T): readonly T[] {
  // Per-node arrays are short: a literal copy is cheaper than the generic `slice` call.
  if (a.length === 3) {
    if (i === 0) return [v, a[1]!, a[2]!];
    if (i === 1) return [a[0]!, v, a[2]!];
    if (i === 2) return [a[0]!, a[1]!, v];
  } else if (a.length === 2) {
    if (i === 0) return [v, a[1]!];
    if (i === 1) return [a[0]!, v];
  }
  const out = a.slice();
  out[i] = v;
  return out;
}

/** TLA's `Append(s, x)`: a copy of the sequence `s` with `x` at its end. */
export function append<T>(a: readonly T[], x: T): readonly T[] {
  // Bounded sequences are short: literal copies are cheaper than a spread (`[...a, x]`, the
  // iteration protocol) or `slice` and `push` (measured: about 12 ns against 37 ns a copy).
  switch (a.length) {
    case 0:
      return [x];
    case 1:
      return [a[0]!, x];
    case 2:
      return [a[0]!, a[1]!, x];
    case 3:
      return [a[0]!, a[1]!, a[2]!, x];
  }
  const out = a.slice();
  out.push(x);
  return out;
}

/** TLA's `Tail(s)`: the sequence `s` without its first element (`s` must not be empty, as in TLA). */
export function tail<T>(a: readonly T[]): readonly T[] {
  // Literal copies for short sequences, as `append` (about 12 ns against 24 ns for `slice(1)`).
  switch (a.length) {
    case 0:
      throw new RangeError('schema: Tail of the empty sequence');
    case 1:
      return EMPTY;
    case 2:
      return [a[1]!];
    case 3:
      return [a[1]!, a[2]!];
    case 4:
      return [a[1]!, a[2]!, a[3]!];
  }
  return a.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Set and bag values
// ---------------------------------------------------------------------------------------------

/**
 * An immutable finite set, as a schema holds it: `has`, `add`, `delete` and iteration in
 * code order (for records: the declaration order of variants and fields). `add` and `delete`
 * return a new set (or the same one when nothing changes).
 */
export interface SetValue<T> extends Iterable<T> {
  /** The set's type. */
  readonly type: SetType<T>;
  /** Number of elements. */
  readonly size: number;
  /** True when `x` is a member. */
  has(x: T): boolean;
  /** The set with `x` added. */
  add(x: T): SetValue<T>;
  /** The set without `x`. */
  delete(x: T): SetValue<T>;
  /** The union with `other` (same type). */
  union(other: SetValue<T>): SetValue<T>;
  /** True when both sets have the same elements. */
  equals(other: SetValue<T>): boolean;
  /** True when some element satisfies `p` (TLA's `\E x \in S : p(x)`). */
  some(p: (x: T) => boolean): boolean;
  /** True when every element satisfies `p` (TLA's `\A x \in S : p(x)`). */
  every(p: (x: T) => boolean): boolean;
  /** The first element (in code order) that satisfies `p`. */
  find(p: (x: T) => boolean): T | undefined;
  /** The elements that satisfy `p`, as a set (TLA's `{x \in S : p(x)}`). */
  filter(p: (x: T) => boolean): SetValue<T>;
  /** The image under `f`, a set of the same type (TLA's `{f(x) : x \in S}`). */
  map(f: (x: T) => T): SetValue<T>;
  /** The elements in code order. */
  toArray(): T[];
  /** The element codes in ascending order. */
  codes(): number[];
  /**
   * The elements of one variant of a union element type, in code order: TLA's
   * `{m \in msgs : m.type = name}`, read from the variant's range of codes only.
   */
  variant<K extends string>(name: K): readonly OfVariant<T, K>[];
}

/** The members of a union type `T` whose tag (any field) is `K`. */
export type OfVariant<T, K extends string> = T extends unknown ? (K extends T[keyof T] ? T : never) : never;

/**
 * Where variant `name` of a set's union element type lies: its code range `[from, to)`, its
 * index, and for a bitmask the words it spans with the masks of their bits.
 */
class VariantSlice {
  readonly first: number;
  readonly last: number;
  readonly firstMask: number;
  readonly lastMask: number;
  constructor(
    readonly from: number,
    readonly to: number,
    readonly index: number,
    /** How many variants the union has. */
    readonly variants: number,
  ) {
    this.first = from >>> 5;
    this.last = (to - 1) >>> 5;
    this.firstMask = -1 << (from & 31);
    this.lastMask = (to & 31) === 0 ? -1 : (1 << (to & 31)) - 1;
  }
}

/** The slice of variant `name` of a set's union element type. */
function variantSlice(t: Type<any>, name: string): VariantSlice {
  if (!(t instanceof UnionType)) throw new RangeError(`schema: variant('${name}') needs a set of a union, not of ${t.describe()}`);
  const i = t.variants.findIndex((x) => x.name === name);
  const v = t.variants[i];
  if (!v) throw new RangeError(`schema: ${t.describe()} has no variant '${name}'`);
  return new VariantSlice(v.offset, v.offset + v.record.card, i, t.variants.length);
}

/**
 * The slice of variant `name` of a set type's union element type, cached on the set type: a
 * scan of a few names compared by identity (the names are literals), which costs less than a
 * `Map` lookup by string on every call.
 */
function rangeOf(t: SetType<any>, name: string): VariantSlice {
  const names = (t.variantNames ??= []);
  for (let i = 0; i < names.length; i++) if (names[i] === name) return t.variantRanges[i]!;
  const r = variantSlice(t.elem, name);
  names.push(name);
  t.variantRanges.push(r);
  return r;
}

/** A set over a small universe: a bitmask of element codes. */
export class BitSetValue<T> implements SetValue<T> {
  /** The elements, decoded once (a set is immutable). */
  private elems: T[] | undefined = undefined;
  /** The elements of each variant asked for, by the variant's index (a set is immutable). */
  private byVariant: (readonly T[] | undefined)[] | undefined = undefined;
  constructor(
    readonly type: SetType<T>,
    /** The bitmask, 32 codes a word (int32 words). */
    readonly w: readonly number[],
  ) {}
  variant<K extends string>(name: K): readonly OfVariant<T, K>[] {
    const r = rangeOf(this.type, name);
    let memo = this.byVariant;
    if (memo !== undefined) {
      const known = memo[r.index];
      if (known !== undefined) return known as unknown as readonly OfVariant<T, K>[];
    } else {
      memo = this.byVariant = new Array<readonly T[] | undefined>(r.variants).fill(undefined);
    }
    // Most variants of a set of messages have no element in a given state: the shared empty
    // sequence, and nothing allocated.
    let out: T[] | readonly never[] = EMPTY;
    const w = this.w;
    const elem = this.type.elem;
    for (let i = r.first; i <= r.last; i++) {
      let x = w[i]!;
      if (i === r.first) x &= r.firstMask;
      if (i === r.last) x &= r.lastMask;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        if (out === EMPTY) out = [];
        (out as T[]).push(elem.value(i * 32 + b));
      }
    }
    memo[r.index] = out;
    return out as unknown as readonly OfVariant<T, K>[];
  }
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.w.length; i++) {
      let x = this.w[i]! >>> 0;
      while (x !== 0) {
        x &= x - 1;
        n++;
      }
    }
    return n;
  }
  has(x: T): boolean {
    const c = this.type.elem.code(x, 'set element');
    return (this.w[c >>> 5]! & (1 << (c & 31))) !== 0;
  }
  /** True when the element of code `c` is a member. */
  hasCode(c: number): boolean {
    return (this.w[c >>> 5]! & (1 << (c & 31))) !== 0;
  }
  add(x: T): SetValue<T> {
    const c = this.type.elem.code(x, 'set element');
    const i = c >>> 5;
    const bit = 1 << (c & 31);
    if ((this.w[i]! & bit) !== 0) return this;
    if (this.w.length === 1) return this.type.fromMask(this.w[0]! | bit);
    const w = this.w.slice();
    w[i] = w[i]! | bit;
    return new BitSetValue(this.type, w);
  }
  delete(x: T): SetValue<T> {
    const c = this.type.elem.code(x, 'set element');
    const i = c >>> 5;
    const bit = 1 << (c & 31);
    if ((this.w[i]! & bit) === 0) return this;
    if (this.w.length === 1) return this.type.fromMask(this.w[0]! & ~bit);
    const w = this.w.slice();
    w[i] = w[i]! & ~bit;
    return new BitSetValue(this.type, w);
  }
  union(other: SetValue<T>): SetValue<T> {
    const o = (other as BitSetValue<T>).w;
    const w = this.w.map((x, i) => x | o[i]!);
    return new BitSetValue(this.type, w);
  }
  equals(other: SetValue<T>): boolean {
    const o = (other as BitSetValue<T>).w;
    if (!o || o.length !== this.w.length) return false;
    for (let i = 0; i < o.length; i++) if (o[i] !== this.w[i]) return false;
    return true;
  }
  some(p: (x: T) => boolean): boolean {
    const e = this.elems ?? this.decodeAll();
    for (let i = 0; i < e.length; i++) if (p(e[i]!)) return true;
    return false;
  }
  private decodeAll(): T[] {
    const elem = this.type.elem;
    const out: T[] = [];
    for (let i = 0; i < this.w.length; i++) {
      let x = this.w[i]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        out.push(elem.value(i * 32 + b));
      }
    }
    this.elems = out;
    return out;
  }
  every(p: (x: T) => boolean): boolean {
    return !this.some((x) => !p(x));
  }
  find(p: (x: T) => boolean): T | undefined {
    let found: T | undefined;
    this.some((x) => (p(x) ? ((found = x), true) : false));
    return found;
  }
  map(f: (x: T) => T): SetValue<T> {
    const elem = this.type.elem;
    const old = this.w;
    const w = new Array<number>(old.length).fill(0);
    for (let i = 0; i < old.length; i++) {
      let m = old[i]!;
      while (m !== 0) {
        const b = 31 - Math.clz32(m & -m);
        m &= m - 1;
        // An element the function returns as it is keeps its code (no lookup).
        const x = elem.value(i * 32 + b);
        const y = f(x);
        const c = y === x ? i * 32 + b : elem.code(y, 'set element');
        w[c >>> 5] = w[c >>> 5]! | (1 << (c & 31));
      }
    }
    // The same elements: the same set (a step that changes nothing keeps its parent's value).
    let same = true;
    for (let i = 0; i < w.length; i++) if (w[i] !== old[i]) same = false;
    if (same) return this;
    return w.length === 1 ? this.type.fromMask(w[0]!) : new BitSetValue(this.type, w);
  }
  filter(p: (x: T) => boolean): SetValue<T> {
    const elem = this.type.elem;
    const w = this.w.slice();
    for (let i = 0; i < w.length; i++) {
      let x = this.w[i]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        if (!p(elem.value(i * 32 + b))) w[i] = w[i]! & ~(1 << b);
      }
    }
    return new BitSetValue(this.type, w);
  }
  codes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.w.length; i++) {
      let x = this.w[i]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        out.push(i * 32 + b);
      }
    }
    return out;
  }
  toArray(): T[] {
    return (this.elems ?? this.decodeAll()).slice();
  }
  [Symbol.iterator](): Iterator<T> {
    return (this.elems ?? this.decodeAll())[Symbol.iterator]();
  }
  /** JSON: the elements in code order. */
  toJSON(): unknown {
    return this.toArray();
  }
}

/** Where `c` is, or would be inserted, in the ascending run `a`. */
function lowerBound(a: readonly number[], c: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < c) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A set over a large universe: its element codes, ascending. */
export class ListSetValue<T> implements SetValue<T> {
  private elems?: T[];
  constructor(
    readonly type: SetType<T>,
    /** Element codes, ascending, distinct. */
    readonly c: readonly number[],
  ) {}
  get size(): number {
    return this.c.length;
  }
  has(x: T): boolean {
    const k = this.type.elem.code(x, 'set element');
    const i = lowerBound(this.c, k);
    return i < this.c.length && this.c[i] === k;
  }
  add(x: T): SetValue<T> {
    const k = this.type.elem.code(x, 'set element');
    const i = lowerBound(this.c, k);
    if (i < this.c.length && this.c[i] === k) return this;
    const c = this.c.slice();
    c.splice(i, 0, k);
    return new ListSetValue(this.type, c);
  }
  delete(x: T): SetValue<T> {
    const k = this.type.elem.code(x, 'set element');
    const i = lowerBound(this.c, k);
    if (i >= this.c.length || this.c[i] !== k) return this;
    const c = this.c.slice();
    c.splice(i, 1);
    return new ListSetValue(this.type, c);
  }
  union(other: SetValue<T>): SetValue<T> {
    return this.type.fromCodes([...this.c, ...other.codes()]);
  }
  equals(other: SetValue<T>): boolean {
    const o = other.codes();
    return o.length === this.c.length && o.every((x, i) => x === this.c[i]);
  }
  toArray(): T[] {
    return (this.elems ??= this.c.map((k) => this.type.elem.value(k))).slice();
  }
  some(p: (x: T) => boolean): boolean {
    const e = (this.elems ??= this.c.map((k) => this.type.elem.value(k)));
    for (let i = 0; i < e.length; i++) if (p(e[i]!)) return true;
    return false;
  }
  every(p: (x: T) => boolean): boolean {
    return !this.some((x) => !p(x));
  }
  find(p: (x: T) => boolean): T | undefined {
    const e = (this.elems ??= this.c.map((k) => this.type.elem.value(k)));
    for (let i = 0; i < e.length; i++) if (p(e[i]!)) return e[i];
    return undefined;
  }
  map(f: (x: T) => T): SetValue<T> {
    const elem = this.type.elem;
    return this.type.fromCodes(this.toArray().map((x) => elem.code(f(x), 'set element')));
  }
  filter(p: (x: T) => boolean): SetValue<T> {
    const e = (this.elems ??= this.c.map((k) => this.type.elem.value(k)));
    return new ListSetValue(
      this.type,
      this.c.filter((_, i) => p(e[i]!)),
    );
  }
  codes(): number[] {
    return this.c.slice();
  }
  variant<K extends string>(name: K): readonly OfVariant<T, K>[] {
    const { from, to } = rangeOf(this.type, name);
    let i = lowerBound(this.c, from);
    if (i === this.c.length || this.c[i]! >= to) return EMPTY;
    const out: T[] = [];
    for (; i < this.c.length && this.c[i]! < to; i++) out.push(this.type.elem.value(this.c[i]!));
    return out as unknown as readonly OfVariant<T, K>[];
  }
  [Symbol.iterator](): Iterator<T> {
    return (this.elems ??= this.c.map((k) => this.type.elem.value(k)))[Symbol.iterator]();
  }
  toJSON(): unknown {
    return this.toArray();
  }
}

/** An immutable multiset (messages a network may hold twice): element codes ascending, with repeats. */
export class BagValue<T> implements Iterable<T> {
  constructor(
    readonly type: BagType<T>,
    /** Element codes, ascending, each as often as its multiplicity. */
    readonly c: readonly number[],
  ) {}
  /** Number of elements, multiplicities counted. */
  get size(): number {
    return this.c.length;
  }
  /** Multiplicity of `x`. */
  count(x: T): number {
    const k = this.type.elem.code(x, 'bag element');
    let i = lowerBound(this.c, k);
    let n = 0;
    while (i < this.c.length && this.c[i] === k) i++, n++;
    return n;
  }
  /** True when `x` occurs at least once. */
  has(x: T): boolean {
    const k = this.type.elem.code(x, 'bag element');
    const i = lowerBound(this.c, k);
    return i < this.c.length && this.c[i] === k;
  }
  /** The bag with one more `x`. */
  add(x: T): BagValue<T> {
    const k = this.type.elem.code(x, 'bag element');
    const c = this.c.slice();
    c.splice(lowerBound(c, k + 1), 0, k);
    return new BagValue(this.type, c);
  }
  /** The bag with one `x` fewer (throws when `x` is absent: a receive of a message not in flight). */
  remove(x: T): BagValue<T> {
    const k = this.type.elem.code(x, 'bag element');
    const i = lowerBound(this.c, k);
    if (i >= this.c.length || this.c[i] !== k) throw new RangeError(`schema: remove of ${show(x)}, which the bag does not hold`);
    const c = this.c.slice();
    c.splice(i, 1);
    return new BagValue(this.type, c);
  }
  /** Each distinct element once, in code order. */
  distinct(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.c.length; i++) if (i === 0 || this.c[i] !== this.c[i - 1]) out.push(this.type.elem.value(this.c[i]!));
    return out;
  }
  /** Every element, repeats included, in code order. */
  toArray(): T[] {
    return this.c.map((k) => this.type.elem.value(k));
  }
  [Symbol.iterator](): Iterator<T> {
    return this.toArray()[Symbol.iterator]();
  }
  toJSON(): unknown {
    return this.toArray();
  }
}

// ---------------------------------------------------------------------------------------------
// Codes of single values (set elements, union and record codes)
// ---------------------------------------------------------------------------------------------

/** Code generation scratch: constants handed to the generated function, fresh names. */
class Gen {
  readonly names: string[] = [];
  readonly consts: unknown[] = [];
  private n = 0;
  k(v: unknown): string {
    const i = this.consts.indexOf(v);
    if (i >= 0 && (typeof v === 'function' || typeof v === 'object' || typeof v === 'symbol')) return this.names[i]!;
    const name = `K${this.consts.length}`;
    this.names.push(name);
    this.consts.push(v);
    return name;
  }
  tmp(prefix = 't'): string {
    return `${prefix}${this.n++}`;
  }
  build<F>(body: string): F {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(...this.names, body)(...this.consts) as F;
  }
}

/**
 * Statements that compute the dense code of `v` (a local name) into `out`, checking bounds;
 * `path` is a JS expression for the value's path (evaluated only on failure).
 */
function codeStmts(t: Type<any>, v: string, out: string, path: string, g: Gen): string {
  if ((t instanceof RecordType || t instanceof TupleType || t instanceof UnionType) && t.card <= INTERN_LIMIT) {
    // An interned value carries its code.
    const slow = codeStmtsSlow(t, v, out, path, g);
    return `${out} = ${v} != null ? ${v}[${g.k(t.codeKey)}] : undefined; if (${out} === undefined) { ${slow} }\n`;
  }
  return codeStmtsSlow(t, v, out, path, g);
}

function codeStmtsSlow(t: Type<any>, v: string, out: string, path: string, g: Gen): string {
  const F = g.k(fail);
  const bound = JSON.stringify(t.describe());
  if (t instanceof IntType || t instanceof DomainType) {
    const min = t instanceof IntType ? t.min : 0;
    return `${out} = ${v} - ${min}; if ((${out} >>> 0) !== ${out} || ${out} > ${t.card - 1}) ${F}(${path}, ${v}, ${bound});\n`;
  }
  if (t instanceof BoolType) return `${out} = ${v} === true ? 1 : ${v} === false ? 0 : ${F}(${path}, ${v}, ${bound});\n`;
  if (t instanceof EnumType) {
    if (t.names.length <= 8) {
      const chain = t.names.map((n, i) => `${v} === ${JSON.stringify(n)} ? ${i} : `).join('');
      return `${out} = ${chain}${F}(${path}, ${v}, ${bound});\n`;
    }
    const M = g.k(new Map(t.names.map((n, i) => [n, i])));
    return `${out} = ${M}.get(${v}); if (${out} === undefined) ${F}(${path}, ${v}, ${bound});\n`;
  }
  if (t instanceof SetType) {
    const BS = g.k(BitSetValue);
    const E = g.k(t.elem);
    return `if (!(${v} instanceof ${BS}) || ${v}.type.elem !== ${E}) ${F}(${path}, ${v}, ${bound}); ${out} = ${v}.w[0];\n`;
  }
  if (t instanceof OptionalType) {
    const c = g.tmp('c');
    return `if (${v} === null || ${v} === undefined) ${out} = 0; else { let ${c} = 0; ${codeStmts(t.inner, v, c, path, g)} ${out} = ${c} + 1; }\n`;
  }
  if (t instanceof RecordType || t instanceof TupleType) {
    const parts = t instanceof RecordType ? t.entries.map(([k, ft]) => [`.${k}`, ft, `.${k}`] as const) : t.items.map((ft, i) => [`[${i}]`, ft, `[${i}]`] as const);
    let s = `if (${v} === null || typeof ${v} !== 'object') ${F}(${path}, ${v}, ${bound});\n${out} = 0;\n`;
    // Mixed radix, first field least significant: code = c0 + k0 * (c1 + k1 * (...)); or,
    // for a lexicographic record, first field most significant.
    const radices = t instanceof RecordType ? t.radices() : null;
    let radix = 1;
    parts.forEach(([acc, ft, suffix], i) => {
      const fv = g.tmp('v');
      const fc = g.tmp('c');
      s += `const ${fv} = ${v}${acc}; let ${fc} = 0;\n${codeStmts(ft, fv, fc, `${path} + ${JSON.stringify(suffix)}`, g)}${out} += ${fc} * ${radices ? radices[i]! : radix};\n`;
      radix *= ft.card;
    });
    return s;
  }
  if (t instanceof ArrayType) {
    const n = t.domain.size;
    let s = `if (${v} == null || ${v}.length !== ${n}) ${F}(${path}, ${v}, ${JSON.stringify(`${t.describe()}: an array of length ${n}`)});\n${out} = 0;\n`;
    let radix = 1;
    for (let i = 0; i < n; i++) {
      const fv = g.tmp('v');
      const fc = g.tmp('c');
      s += `const ${fv} = ${v}[${i}]; let ${fc} = 0;\n${codeStmts(t.elem, fv, fc, `${path} + ${JSON.stringify(`[${i}]`)}`, g)}${out} += ${fc} * ${radix};\n`;
      radix *= t.elem.card;
    }
    return s;
  }
  if (t instanceof SeqType) {
    const n = g.tmp('n');
    const OFF = g.k(t.offsets);
    let s = `if (${v} == null || typeof ${v}.length !== 'number') ${F}(${path}, ${v}, ${bound});\nconst ${n} = ${v}.length; if (${n} > ${t.maxLen}) ${F}(${path} + " (its length)", ${n}, ${JSON.stringify(`${t.describe()}: at most ${t.maxLen} elements`)});\n${out} = ${OFF}[${n}];\n`;
    let radix = 1;
    for (let i = 0; i < t.maxLen; i++) {
      const fv = g.tmp('v');
      const fc = g.tmp('c');
      s += `if (${n} > ${i}) { const ${fv} = ${v}[${i}]; let ${fc} = 0;\n${codeStmts(t.elem, fv, fc, `${path} + ${JSON.stringify(`[${i}]`)}`, g)}${out} += ${fc} * ${radix}; }\n`;
      radix *= t.elem.card;
    }
    return s;
  }
  if (t instanceof UnionType) {
    let s = `if (${v} === null || typeof ${v} !== 'object') ${F}(${path}, ${v}, ${bound});\nswitch (${v}.${t.tag}) {\n`;
    for (const variant of t.variants) {
      const c = g.tmp('c');
      s += `case ${JSON.stringify(variant.name)}: { let ${c} = 0; ${codeStmtsFields(variant.record, v, c, path, g)} ${out} = ${c} + ${variant.offset}; break; }\n`;
    }
    s += `default: ${F}(${path} + ${JSON.stringify('.' + t.tag)}, ${v}.${t.tag}, ${JSON.stringify(t.variants.map((x) => x.name).join(' | '))});\n}\n`;
    return s;
  }
  throw new RangeError(`schema: ${t.describe()} has no single code`);
}

/** Like {@link codeStmts} for a record's fields read from `v` (a union variant), without the object check. */
function codeStmtsFields(r: RecordType<Fields>, v: string, out: string, path: string, g: Gen): string {
  let s = `${out} = 0;\n`;
  const radices = r.radices();
  r.entries.forEach(([k, ft], i) => {
    const fv = g.tmp('v');
    const fc = g.tmp('c');
    s += `const ${fv} = ${v}.${k}; let ${fc} = 0;\n${codeStmts(ft, fv, fc, `${path} + ${JSON.stringify('.' + k)}`, g)}${out} += ${fc} * ${radices[i]!};\n`;
  });
  return s;
}

function compileCode(t: Type<any>): (v: unknown, path: string) => number {
  if (!t.isAtom) throw new RangeError(`schema: ${t.describe()} has no single code`);
  const g = new Gen();
  return g.build(`return function code(v, p) { if (p === undefined) p = 'value'; let c = 0;\n${codeStmts(t, 'v', 'c', 'p', g)} return c; };`);
}

/** The value of code `c` of `t` (not interned; {@link Type.value} interns). */
function valueOfCode(t: Type<any>, c: number): unknown {
  if (!(c >= 0 && c < t.card && Number.isInteger(c))) throw new RangeError(`schema: code ${c} is not a code of ${t.describe()}`);
  if (t instanceof IntType) return t.min + c;
  if (t instanceof DomainType) return c;
  if (t instanceof BoolType) return c === 1;
  if (t instanceof EnumType) return t.names[c];
  if (t instanceof OptionalType) return c === 0 ? null : t.inner.value(c - 1);
  if (t instanceof SetType) return t.fromMask(c);
  if (t instanceof ArrayType || t instanceof SeqType) {
    let len = t instanceof ArrayType ? t.domain.size : 0;
    if (t instanceof SeqType) {
      while (c >= t.offsets[len + 1]!) len++;
      c -= t.offsets[len]!;
    }
    const out: unknown[] = [];
    for (let i = 0; i < len; i++) {
      const x = c % t.elem.card;
      c = (c - x) / t.elem.card;
      out.push(t.elem.value(x));
    }
    return out;
  }
  if (t instanceof RecordType) return fieldsOfCode(t, c, {});
  if (t instanceof TupleType) {
    const out: unknown[] = [];
    for (const it of t.items) {
      const x = c % it.card;
      c = (c - x) / it.card;
      out.push(it.value(x));
    }
    return out;
  }
  if (t instanceof UnionType) {
    for (let i = t.variants.length - 1; i >= 0; i--) {
      const v = t.variants[i]!;
      if (c >= v.offset) return fieldsOfCode(v.record, c - v.offset, { [t.tag]: v.name });
    }
  }
  throw new RangeError(`schema: ${t.describe()} has no single code`);
}

function fieldsOfCode(r: RecordType<Fields>, c: number, out: Record<string, unknown>): Record<string, unknown> {
  if (r.lexicographic) {
    // Digits from the least significant (the last field); fields set in declaration order.
    const xs = new Array<number>(r.entries.length);
    for (let i = r.entries.length - 1; i >= 0; i--) {
      const card = r.entries[i]![1].card;
      const x = c % card;
      c = (c - x) / card;
      xs[i] = x;
    }
    r.entries.forEach(([k, ft], i) => (out[k] = ft.value(xs[i]!)));
    return out;
  }
  for (const [k, ft] of r.entries) {
    const x = c % ft.card;
    c = (c - x) / ft.card;
    out[k] = ft.value(x);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The state layout: fixed words, then variable runs
// ---------------------------------------------------------------------------------------------

/** How a schema lays a state out in words. */
export interface Layout {
  /** Words of the fixed part. */
  readonly fixedWords: number;
  /** Bits of the fixed part actually used. */
  readonly usedBits: number;
  /** Variable-length runs (sets over large universes, bags), in declaration order. */
  readonly runs: number;
  /** One line per field: path, type, word and bits. */
  readonly fields: readonly string[];
}

/**
 * Where a part of the state sits in the fixed words (or which run it is), for renaming
 * members of symmetric domains on the words themselves ({@link Schema.canonicalize}).
 */
type Slot =
  | { readonly kind: 'code'; readonly t: Type<any>; readonly w: number; readonly sh: number; readonly bits: number }
  | { readonly kind: 'bits'; readonly t: SetType<any>; readonly w: number; readonly sh: number; readonly n: number }
  | { readonly kind: 'words'; readonly t: SetType<any>; readonly w: number; readonly words: number }
  | { readonly kind: 'array'; readonly d: DomainType; readonly elems: Slot[][] }
  | { readonly kind: 'run'; readonly t: SetType<any> | BagType<any>; readonly index: number }
  | { readonly kind: 'seqrun'; readonly t: SeqType<any>; readonly index: number };

/** Compiled encode, decode and layout of one state type. */
interface Codec<S> {
  encode(s: S, out: StateEncoder): void;
  decode(words: ArrayLike<number>, start: number, end: number): S;
  layout: Layout;
  /** The root's parts, in layout order. */
  slots: Slot[];
}

function compileCodec<S>(root: Type<S>): Codec<S> {
  const g = new Gen();
  const F = g.k(fail);
  let word = 0;
  let bit = 0; // next free bit in `word`
  let used = 0;
  const fields: string[] = [];
  /** Every placement of bits made so far, in order: what a field's copy from a reference copies. */
  const placed: [word: number, shift: number, bits: number][] = [];
  const place = (bits: number): [number, number] => {
    if (bit + bits > 32) {
      word++;
      bit = 0;
    }
    const at: [number, number] = [word, bit];
    placed.push([word, bit, bits]);
    bit += bits;
    used += bits;
    return at;
  };
  const enc: string[] = [];
  const emit = (stmt: string): void => {
    enc.push(stmt);
  };
  const varEnc: string[] = [];
  const varDec: string[] = [];
  const pre: string[] = [];
  let runs = 0;
  /** Places whose decoded value and code the codec keeps (see `atom`). */
  let sites = 0;
  let make: ((...a: unknown[]) => unknown) | null = null;
  /** The slots of the part being laid out (the root's, or an array element's). */
  let slots: Slot[] = [];
  const rootSlots = slots;

  /**
   * Where the part being laid out sits in the state last decoded (`LAST`, the parent of the
   * successors being encoded), as an expression over locals of the encoder; null where there
   * is none (inside a part that is not a container, see `shared`).
   */
  let lastAt: string | null = null;
  /** Containers whose bits a successor may copy from its parent's words (see `shared`). */
  let containers = 0;

  /**
   * Wraps the encoding of a container (`v`, a local: an array of values spread over the
   * words, a record or tuple that is not one code) that `build` emits: a successor that shares
   * the container with the state last decoded (its parent) copies the container's bits from
   * the parent's words (`P0`, `P1`, ...: the decoder keeps them) instead of visiting every
   * element. The parent's container is read through the parent (`LAST.network[1]`) rather
   * than kept by the decoder: a decoded container is a young object, and storing it into the
   * codec's closure (an old object) would take the write barrier's slow path at every decode.
   * A container that writes a run (a list set, a bag) is always encoded. `build` gets the
   * local holding the parent's container; returns `build`'s decode expression.
   */
  const shared = (v: string, build: (at: string) => string): string => {
    const at = lastAt;
    if (at === null) return build('');
    const mark = enc.length;
    const pmark = placed.length;
    const rmark = runs;
    const l = g.tmp('l');
    const expr = build(l);
    lastAt = null;
    if (runs !== rmark || placed.length === pmark) {
      // Nothing to copy (a run, or no bits): the container is always encoded; its parts may
      // still copy theirs, through `l`.
      enc.splice(mark, 0, `const ${l} = ${at};`);
      return expr;
    }
    const masks = new Map<number, number>();
    for (const [w, sh, bits] of placed.slice(pmark)) masks.set(w, (masks.get(w) ?? 0) | (bits === 32 ? -1 : ((2 ** bits - 1) * 2 ** sh) | 0));
    const copies = [...masks].map(([w, m]) => (m === -1 ? `w${w} = P${w};` : `w${w} |= P${w} & ${m};`));
    containers++;
    const stmts = enc.splice(mark);
    enc.push(`const ${l} = ${at};\nif (${v} === ${l} && notLast) { ${copies.join(' ')} } else {\n${stmts.join('\n')}\n}`);
    return expr;
  };

  /**
   * Emits encoding of value `v` (local) of type `t` at `path` (a static string); returns the
   * decode expression. `inner`: `v` is a container already wrapped by {@link shared}, and the
   * local that holds the parent's container ('' for none).
   */
  const walk = (t: Type<any>, v: string, path: string, inner: string | null = null): string => {
    const at = lastAt;
    lastAt = null;
    const P = JSON.stringify(path);
    const bound = JSON.stringify(t.describe());
    // The root record is always laid out field by field (readable layouts and diffs).
    if (t instanceof RecordType && path !== '' && !(t.isAtom && t.card <= INTERN_LIMIT) && inner === null) {
      lastAt = at;
      return shared(v, (l) => walk(t, v, path, l));
    }
    if (t instanceof RecordType && (path === '' || !(t.isAtom && t.card <= INTERN_LIMIT))) {
      emit(`if (${v} === null || typeof ${v} !== 'object') ${F}(${P}, ${v}, ${bound});`);
      const parts: string[] = [];
      const exprs: string[] = [];
      for (const [k, ft] of t.entries) {
        const fv = g.tmp('v');
        emit(`const ${fv} = ${v}.${k};`);
        lastAt = path === '' ? `LAST.${k}` : inner ? `${inner}.${k}` : null;
        exprs.push(walk(ft, fv, path ? `${path}.${k}` : k));
        parts.push(`${JSON.stringify(k)}: ${exprs[exprs.length - 1]}`);
      }
      if (path === '') {
        // The root: every decoded state is made by the record type's one constructor (one
        // object shape), which `RecordType.with` shares.
        make = (t as RecordType<Fields>).make as (...a: unknown[]) => unknown;
        return `${g.k(make)}(${exprs.join(', ')})`;
      }
      return `{${parts.join(', ')}}`;
    }
    if (t instanceof TupleType && !(t.isAtom && t.card <= INTERN_LIMIT) && inner === null) {
      lastAt = at;
      return shared(v, (l) => walk(t, v, path, l));
    }
    if (t instanceof TupleType && !(t.isAtom && t.card <= INTERN_LIMIT)) {
      emit(`if (${v} === null || typeof ${v} !== 'object') ${F}(${P}, ${v}, ${bound});`);
      const parts = t.items.map((it, i) => {
        const fv = g.tmp('v');
        emit(`const ${fv} = ${v}[${i}];`);
        lastAt = inner ? `${inner}[${i}]` : null;
        return walk(it, fv, `${path}[${i}]`);
      });
      return `[${parts.join(', ')}]`;
    }
    // Arrays and sequences of few values are one interned code (decoding shares them).
    if ((t instanceof ArrayType || t instanceof SeqType) && t.card <= INTERN_LIMIT) return atom(t, v, path, false);
    if (t instanceof ArrayType && !(t.card <= INTERN_LIMIT) && inner === null) {
      lastAt = at;
      return shared(v, (l) => walk(t, v, path, l));
    }
    if (t instanceof ArrayType) {
      const n = t.domain.size;
      emit(`if (${v} == null || ${v}.length !== ${n}) ${F}(${P}, ${v}, ${JSON.stringify(`${t.describe()}: an array of length ${n}`)});`);
      const parts: string[] = [];
      const array: Slot = { kind: 'array', d: t.domain, elems: [] };
      slots.push(array);
      const outer = slots;
      for (let i = 0; i < n; i++) {
        const fv = g.tmp('v');
        emit(`const ${fv} = ${v}[${i}];`);
        slots = [];
        array.elems.push(slots);
        lastAt = inner ? `${inner}[${i}]` : null;
        parts.push(walk(t.elem, fv, `${path}[${i}]`));
      }
      slots = outer;
      return `[${parts.join(', ')}]`;
    }
    if (t instanceof SeqType && t.encoding === 'run') {
      // The length and the element codes, in order, as a run after the fixed words.
      const r = runs++;
      slots.push({ kind: 'seqrun', t, index: r });
      fields.push(`${path}: ${t.describe()} as run ${r} after the fixed words`);
      emit(
        `if (${v} == null || typeof ${v}.length !== 'number') ${F}(${P}, ${v}, ${bound}); if (${v}.length > ${t.maxLen}) ${F}(${JSON.stringify(`${path} (its length)`)}, ${v}.length, ${JSON.stringify(`${t.describe()}: at most ${t.maxLen} elements`)});`,
      );
      const rv = g.tmp('r');
      emit(`const ${rv} = ${v};`);
      const C = g.k(compileCode(t.elem));
      varEnc.push(`out.int(${rv}.length); for (let i = 0; i < ${rv}.length; i++) out.int(${C}(${rv}[i], ${JSON.stringify(path)} + '[' + i + ']'));`);
      const dv = g.tmp('d');
      const T = g.k(t.elem);
      varDec.push(`const ${dv} = []; for (let i = 0, n = W[at++]; i < n; i++) ${dv}.push(${T}.value(W[at++]));`);
      return dv;
    }
    if (t instanceof SeqType) {
      const n = g.tmp('n');
      emit(
        `if (${v} == null || typeof ${v}.length !== 'number') ${F}(${P}, ${v}, ${bound}); const ${n} = ${v}.length; if (${n} > ${t.maxLen}) ${F}(${JSON.stringify(`${path} (its length)`)}, ${n}, ${JSON.stringify(`${t.describe()}: at most ${t.maxLen} elements`)});`,
      );
      const lenExpr = atom(new IntType(0, t.maxLen), n, `${path} (its length)`, false);
      const len = g.tmp('len');
      pre.push(`const ${len} = ${lenExpr};`);
      const elems: string[] = [];
      for (let i = 0; i < t.maxLen; i++) {
        const fv = g.tmp('v');
        emit(`const ${fv} = ${n} > ${i} ? ${v}[${i}] : undefined;`);
        elems.push(atom(t.elem, fv, `${path}[${i}]`, true));
      }
      // Decode: exactly the first `len` elements; the empty sequence is one shared frozen array.
      let expr = g.k(EMPTY);
      for (let k = 1; k <= t.maxLen; k++) expr = `${len} === ${k} ? [${elems.slice(0, k).join(', ')}] : ${expr}`;
      return `(${expr})`;
    }
    if (t instanceof SetType && t.encoding === 'bits') {
      const BS = g.k(BitSetValue);
      const T = g.k(t);
      // Any set over the same element type will do (the element type fixes the bitmask).
      const E = g.k(t.elem);
      emit(`if (!(${v} instanceof ${BS}) || ${v}.type.elem !== ${E}) ${F}(${P}, ${v}, ${JSON.stringify(`${t.describe()} (a set over this element type)`)});`);
      if (t.elem.card <= 30) {
        const [w, sh] = place(t.elem.card);
        slots.push({ kind: 'bits', t, w, sh, n: t.elem.card });
        fields.push(`${path}: ${t.describe()} in word ${w}, bits ${sh}..${sh + t.elem.card - 1}`);
        emit(`w${w} |= ${v}.w[0] << ${sh};`);
        return `${T}.fromMask((w${w} >>> ${sh}) & ${2 ** t.elem.card - 1})`;
      }
      if (bit > 0) {
        word++;
        bit = 0;
      }
      const first = word;
      slots.push({ kind: 'words', t, w: first, words: t.words });
      fields.push(`${path}: ${t.describe()} in words ${first}..${first + t.words - 1}`);
      const ws: string[] = [];
      for (let i = 0; i < t.words; i++) {
        placed.push([first + i, 0, 32]);
        emit(`w${first + i} = ${v}.w[${i}];`);
        ws.push(`w${first + i}`);
      }
      word += t.words;
      used += t.elem.card;
      return `new ${BS}(${T}, [${ws.join(', ')}])`;
    }
    if (t instanceof SetType || t instanceof BagType) {
      const C = t instanceof SetType ? g.k(ListSetValue) : g.k(BagValue);
      const T = g.k(t);
      const r = runs++;
      slots.push({ kind: 'run', t, index: r });
      fields.push(`${path}: ${t.describe()} as run ${r} after the fixed words`);
      const E = g.k(t.elem);
      emit(`if (!(${v} instanceof ${C}) || ${v}.type.elem !== ${E}) ${F}(${P}, ${v}, ${JSON.stringify(`${t.describe()} (over this element type)`)});`);
      if (t.maxSize !== Infinity) emit(`if (${v}.c.length > ${t.maxSize}) ${F}(${JSON.stringify(`${path} (its size)`)}, ${v}.c.length, ${JSON.stringify(`${t.describe()}: at most ${t.maxSize} elements`)});`);
      const rv = g.tmp('r');
      emit(`const ${rv} = ${v}.c;`);
      varEnc.push(`out.int(${rv}.length); out.ints(${rv});`);
      const dv = g.tmp('d');
      varDec.push(`const ${dv} = new Array(W[at]); for (let i = 0, n = W[at++]; i < n; i++) ${dv}[i] = W[at++];`);
      return `new ${C}(${T}, ${dv})`;
    }
    if (t.isAtom) return atom(t, v, path, false);
    throw new RangeError(`schema: ${path || 'the state'} has a type (${t.describe()}) that cannot be laid out`);
  };

  /** One code in the fixed words; `maybeAbsent`: `v` may be undefined (an unused sequence slot, code 0). */
  function atom(t: Type<any>, v: string, path: string, maybeAbsent: boolean): string {
    const bits = t.bits;
    const c = g.tmp('c');
    let code: string;
    if (t instanceof RecordType || t instanceof UnionType || t instanceof TupleType || t instanceof OptionalType || t instanceof ArrayType || t instanceof SeqType) {
      // Composite codes are computed out of line (one compiled function per type), so that the
      // encoder stays small enough for the optimising compiler; an interned value carries its
      // code, read inline.
      const fn = g.k(compileCode(t));
      code =
        t.card <= INTERN_LIMIT && !(t instanceof OptionalType) && !(t instanceof ArrayType) && !(t instanceof SeqType)
          ? `${c} = ${v} != null ? ${v}[${g.k(t.codeKey)}] : undefined; if (${c} === undefined) ${c} = ${fn}(${v}, ${JSON.stringify(path)});`
          : `${c} = ${fn}(${v}, ${JSON.stringify(path)});`;
    } else {
      code = codeStmts(t, v, c, JSON.stringify(path), g);
    }
    // A per-domain array or a sequence as one code: the decoder keeps, for this place, the
    // value it built and its code; a successor that shares that value with the state last
    // decoded (its parent: the state being expanded) reuses the code instead of computing it
    // again. Not for the state last decoded itself, so that fingerprinting a parent after its
    // expansion (the engine's guard against a step that changes its input) codes it afresh.
    const cached = !maybeAbsent && bits > 0 && (t instanceof ArrayType || t instanceof SeqType);
    const site = cached ? sites++ : -1;
    if (cached) emit(`let ${c} = 0; if (${v} === D${site} && notLast) ${c} = C${site}; else { ${code} }`);
    else emit(maybeAbsent ? `let ${c} = 0; if (${v} !== undefined) { ${code} }` : `let ${c} = 0; ${code}`);
    let read = '0';
    if (bits > 0) {
      const [w, sh] = place(bits);
      slots.push({ kind: 'code', t, w, sh, bits });
      fields.push(`${path}: ${t.describe()} in word ${w}, bits ${sh}..${sh + bits - 1}`);
      emit(`w${w} |= ${c} << ${sh};`);
      read = bits === 32 ? `(w${w} >>> 0)` : `((w${w} >>> ${sh}) & ${2 ** bits - 1})`;
    } else {
      fields.push(`${path}: ${t.describe()} (a single value: no bits)`);
    }
    return cached ? `(C${site} = ${read}, D${site} = ${decodeExpr(t, `C${site}`, g)})` : decodeExpr(t, read, g);
  }

  const tree = walk(root, 's', '');
  const fixedWords = bit > 0 ? word + 1 : word;
  const wdecl = Array.from({ length: fixedWords }, (_, i) => `w${i} = 0`).join(', ');
  // The fixed words go out in one `ints` call (one call of the sink, whose loop then runs
  // over a typed array) rather than one `int` call a word.
  const SCR = g.k(new Int32Array(fixedWords));
  const wout = fixedWords ? `${Array.from({ length: fixedWords }, (_, i) => `${SCR}[${i}] = w${i};`).join(' ')} out.ints(${SCR});` : '';
  const wread = Array.from({ length: fixedWords }, (_, i) => `w${i} = W[start + ${i}] | 0`).join(', ');
  // The decoded values of the cached places and their codes, shared by encode and decode (a
  // sentinel before the first decode, equal to no value of a state).
  const NONE = g.k(Object.freeze({}));
  const siteDecl = [
    ...Array.from({ length: sites }, (_, i) => `D${i} = ${NONE}, C${i} = 0`),
    ...(containers ? Array.from({ length: fixedWords }, (_, i) => `P${i} = 0`) : []),
  ].join(', ');
  const keepWords = containers ? `${Array.from({ length: fixedWords }, (_, i) => `P${i} = w${i};`).join(' ')}\n` : '';
  const encSrc = `function encode(s, out) {\n${fixedWords ? `let ${wdecl};\n` : ''}const notLast = s !== LAST;\n${enc.join('\n')}\n${wout}\n${varEnc.join('\n')}\n}`;
  const decSrc = `function decode(W, start, end) {\n${fixedWords ? `const ${wread};\n` : ''}${keepWords}let at = start + ${fixedWords};\n${varDec.join('\n')}\n${pre.join('\n')}\nreturn (LAST = ${tree});\n}`;
  const built = g.build<{ encode: Codec<S>['encode']; decode: Codec<S>['decode'] }>(
    // `var`, not `let`: the compiled code then reads these context slots without a hole check.
    `var LAST = ${NONE}${siteDecl ? `, ${siteDecl}` : ''};\nreturn { encode: ${encSrc}, decode: ${decSrc} };`,
  );
  // The containers' copies read the parent through `LAST`, so `LAST` must have the state's
  // structure before the first decode: the state of all-zero words (a valid encoding: every
  // code 0, every run empty), which no successor shares a container with.
  if (containers > 0) built.decode(new Int32Array(fixedWords + runs), 0, fixedWords + runs);
  return {
    encode: built.encode,
    decode: built.decode,
    layout: { fixedWords, usedBits: used, runs, fields },
    slots: rootSlots,
  };
}

/** The decode expression of a code (`read`, an expression) of atom type `t`. */
function decodeExpr(t: Type<any>, read: string, g: Gen): string {
  if (t instanceof IntType) return t.min === 0 ? read : `(${t.min} + ${read})`;
  if (t instanceof DomainType) return read;
  if (t instanceof BoolType) return `(${read} === 1)`;
  if (t instanceof EnumType) return `${g.k(t.names)}[${read}]`;
  const T = g.k(t);
  if (t.card <= INTERN_LIMIT) {
    // Interned: one table read once warm.
    return `${g.k(t.internTable())}[${read}]`;
  }
  return `${T}.value(${read})`;
}

// ---------------------------------------------------------------------------------------------
// JSON, ITF, diffs
// ---------------------------------------------------------------------------------------------

/** A JSON view of `v`: records as objects, arrays and sequences as arrays, sets and bags as arrays in code order, `null` for none. */
export function toJSONValue(t: Type<any>, v: unknown): unknown {
  if (t instanceof RecordType) {
    const out: Record<string, unknown> = {};
    for (const [k, ft] of t.entries) out[k] = toJSONValue(ft, (v as Record<string, unknown>)[k]);
    return out;
  }
  if (t instanceof UnionType) {
    const rec = v as Record<string, unknown>;
    const variant = t.variants.find((x) => x.name === rec[t.tag]);
    if (!variant) return v;
    return { [t.tag]: variant.name, ...(toJSONValue(variant.record, v) as object) };
  }
  if (t instanceof TupleType) return t.items.map((it, i) => toJSONValue(it, (v as unknown[])[i]));
  if (t instanceof ArrayType) return (v as unknown[]).map((x) => toJSONValue(t.elem, x));
  if (t instanceof SeqType) return (v as unknown[]).map((x) => toJSONValue(t.elem, x));
  if (t instanceof SetType) return (v as SetValue<unknown>).toArray().map((x) => toJSONValue(t.elem, x));
  if (t instanceof BagType) return (v as BagValue<unknown>).toArray().map((x) => toJSONValue(t.elem, x));
  if (t instanceof OptionalType) return v === null || v === undefined ? null : toJSONValue(t.inner, v);
  return v;
}

/**
 * An Informal Trace Format value: records as objects, per-domain arrays as `#map` (TLA
 * functions), tuples as `#tup`, sets as `#set`, bags as `#map` from element to count,
 * sequences as arrays, optional values as Apalache's `Option` variant (`{tag, value}`).
 */
export function toITFValue(t: Type<any>, v: unknown): unknown {
  if (t instanceof RecordType) {
    const out: Record<string, unknown> = {};
    for (const [k, ft] of t.entries) out[k] = toITFValue(ft, (v as Record<string, unknown>)[k]);
    return out;
  }
  if (t instanceof UnionType) {
    const rec = v as Record<string, unknown>;
    const variant = t.variants.find((x) => x.name === rec[t.tag]);
    if (!variant) return v;
    return { [t.tag]: variant.name, ...(toITFValue(variant.record, v) as object) };
  }
  if (t instanceof TupleType) return { '#tup': t.items.map((it, i) => toITFValue(it, (v as unknown[])[i])) };
  if (t instanceof ArrayType) return { '#map': (v as unknown[]).map((x, i) => [i, toITFValue(t.elem, x)]) };
  if (t instanceof SeqType) return (v as unknown[]).map((x) => toITFValue(t.elem, x));
  if (t instanceof SetType) return { '#set': (v as SetValue<unknown>).toArray().map((x) => toITFValue(t.elem, x)) };
  if (t instanceof BagType) {
    const b = v as BagValue<unknown>;
    return { '#map': b.distinct().map((x) => [toITFValue(t.elem, x), b.count(x)]) };
  }
  if (t instanceof OptionalType) {
    return v === null || v === undefined ? { tag: 'None', value: { '#tup': [] } } : { tag: 'Some', value: toITFValue(t.inner, v) };
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return { '#bigint': String(v) };
  return v;
}

/** One changed place between two states. */
export interface Change {
  /** The path, e.g. `aState[0][2].mbal` or `msgs`. */
  readonly path: string;
  /** JSON view before. */
  readonly before: unknown;
  /** JSON view after. */
  readonly after: unknown;
  /** For sets and bags: the elements added (JSON views). */
  readonly added?: readonly unknown[];
  /** For sets and bags: the elements removed (JSON views). */
  readonly removed?: readonly unknown[];
}

/** The places where `a` and `b` (values of `t`) differ, down to fields and set elements. */
export function diffValues(t: Type<any>, a: unknown, b: unknown, path = ''): Change[] {
  const out: Change[] = [];
  const walk = (t: Type<any>, a: unknown, b: unknown, path: string): void => {
    if (a === b) return;
    if (t instanceof RecordType && (path === '' || !(t.isAtom && t.card <= INTERN_LIMIT))) {
      for (const [k, ft] of t.entries) walk(ft, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (t instanceof ArrayType) {
      const n = t.domain.size;
      for (let i = 0; i < n; i++) walk(t.elem, (a as unknown[])[i], (b as unknown[])[i], `${path}[${i}]`);
      return;
    }
    if (t instanceof SetType || t instanceof BagType) {
      const ca = (a as SetValue<unknown>).codes();
      const cb = (b as SetValue<unknown>).codes();
      const added = multisetMinus(cb, ca);
      const removed = multisetMinus(ca, cb);
      if (added.length + removed.length === 0) return;
      const j = (c: number): unknown => toJSONValue(t.elem, t.elem.value(c));
      out.push({ path, before: toJSONValue(t, a), after: toJSONValue(t, b), added: added.map(j), removed: removed.map(j) });
      return;
    }
    const ja = toJSONValue(t, a);
    const jb = toJSONValue(t, b);
    if (JSON.stringify(ja) !== JSON.stringify(jb)) out.push({ path, before: ja, after: jb });
  };
  walk(t, a, b, path);
  return out;
}

function multisetMinus(a: readonly number[], b: readonly number[]): number[] {
  const left = new Map<number, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: number[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** One line per change: `path = value`, or `path: + added, - removed` for sets. */
export function formatChange(c: Change): string {
  if (c.added || c.removed) {
    return `${c.path}: ${[...(c.added ?? []).map((x) => `+ ${JSON.stringify(x)}`), ...(c.removed ?? []).map((x) => `- ${JSON.stringify(x)}`)].join(', ')}`;
  }
  return `${c.path} = ${JSON.stringify(c.after)}`;
}

// ---------------------------------------------------------------------------------------------
// Symmetry
// ---------------------------------------------------------------------------------------------

/** Renames the members of symmetric domains: `perm.get(D)[i]` is the new name of member `i` of `D`. */
type Perm = ReadonlyMap<DomainType, readonly number[]>;

/** A function that applies one permutation to values of one type (identity when the type mentions no symmetric domain). */
function permuter(t: Type<any>, perm: Perm): (v: any) => any {
  const id = (v: unknown): unknown => v;
  const doms = t.symmetricDomains();
  if (![...doms].some((d) => perm.has(d))) return id;
  if (t instanceof DomainType) {
    const p = perm.get(t)!;
    return (v: number) => p[v];
  }
  if (t.isAtom && t.card <= INTERN_LIMIT) {
    // A table from code to permuted code, built once per permutation.
    const direct = permuterDirect(t, perm);
    const table = Array.from({ length: t.card }, (_, c) => t.code(direct(t.value(c))));
    return (v: unknown) => t.value(table[t.code(v)]!);
  }
  return permuterDirect(t, perm);
}

function permuterDirect(t: Type<any>, perm: Perm): (v: any) => any {
  if (t instanceof DomainType) return permuter(t, perm);
  if (t instanceof OptionalType) {
    const f = permuter(t.inner, perm);
    return (v) => (v === null || v === undefined ? v : f(v));
  }
  if (t instanceof RecordType) {
    const fs = t.entries.map(([k, ft]) => [k, permuter(ft, perm)] as const);
    return (v) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of fs) out[k] = f(v[k]);
      return out;
    };
  }
  if (t instanceof TupleType) {
    const fs = t.items.map((it) => permuter(it, perm));
    return (v) => fs.map((f, i) => f(v[i]));
  }
  if (t instanceof UnionType) {
    const byName = new Map(t.variants.map((x) => [x.name, permuter(x.record, perm)]));
    return (v) => ({ [t.tag]: v[t.tag], ...byName.get(v[t.tag])!(v) });
  }
  if (t instanceof ArrayType) {
    const f = permuter(t.elem, perm);
    const p = perm.get(t.domain);
    return (v: readonly unknown[]) => {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[p ? p[i]! : i] = f(v[i]);
      return out;
    };
  }
  if (t instanceof SeqType) {
    const f = permuter(t.elem, perm);
    return (v: readonly unknown[]) => v.map(f);
  }
  if (t instanceof SetType || t instanceof BagType) {
    const elem = t.elem;
    const f = permuter(elem, perm);
    const table = elem.card <= INTERN_LIMIT ? Array.from({ length: elem.card }, (_, c) => elem.code(f(elem.value(c)))) : null;
    const mapCode = (c: number): number => (table ? table[c]! : elem.code(f(elem.value(c))));
    if (t instanceof SetType) return (v: SetValue<unknown>) => t.fromCodes(v.codes().map(mapCode));
    return (v: BagValue<unknown>) => new BagValue(t, v.c.map(mapCode).sort((a, b) => a - b));
  }
  return (v) => v;
}

/** Every permutation of `0..n-1`, identity first. */
function permutationsOf(n: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const go = (): void => {
    if (cur.length === n) {
      out.push([...cur]);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      go();
      cur.pop();
      used[i] = false;
    }
  };
  go();
  return out;
}

/** A renaming of the symmetric domains, and its plan on the words (made when first asked for). */
interface Renaming {
  readonly perm: Perm;
  /** The permutation of each symmetric domain, in the schema's order of its symmetric domains. */
  readonly byDomain: readonly (readonly number[])[];
  plan?: RenameStep[];
}

/**
 * One step of renaming an encoding: read the part at the source place, rename its codes
 * with `table` (null: no renamed domain in it), write it at the destination place (another
 * place when an array over a renamed domain moves its element). Kinds: 0 one code, 1 a
 * bitmask set within a word, 2 a bitmask set in whole words (`words` of them), 3 a run of a
 * set or bag (`sw`, `dw` the run indices; sorted after renaming), 4 a run of a sequence (in
 * order).
 */
interface RenameStep {
  readonly kind: 0 | 1 | 2 | 3 | 4;
  readonly sw: number;
  readonly ssh: number;
  readonly dw: number;
  readonly dsh: number;
  readonly mask: number;
  readonly words: number;
  readonly table: ((c: number) => number) | null;
}

/** The code renaming of type `t` under `r` as a function (a table lookup for types of at most 2^16 values), or null when `t` mentions no renamed domain. */
function codeRenaming(t: Type<any>, r: Renaming): ((c: number) => number) | null {
  if (![...t.symmetricDomains()].some((d) => r.perm.has(d))) return null;
  const f = permuterDirect(t, r.perm);
  if (t.card <= 2 ** 16) {
    const table = Int32Array.from({ length: t.card }, (_, k) => t.code(f(t.value(k))));
    return (c) => table[c]!;
  }
  const memo = new Map<number, number>();
  return (c) => {
    let x = memo.get(c);
    if (x === undefined) memo.set(c, (x = t.code(f(t.value(c)))));
    return x;
  };
}

/** The flat plan of renaming the parts `src` into the places `dst` (the same shape) under `r`. */
function planRenaming(slots: readonly Slot[], r: Renaming): RenameStep[] {
  const out: RenameStep[] = [];
  const tables = new Map<Type<any>, ((c: number) => number) | null>();
  const tableOf = (t: Type<any>): ((c: number) => number) | null => {
    if (!tables.has(t)) tables.set(t, codeRenaming(t, r));
    return tables.get(t)!;
  };
  const walk = (src: readonly Slot[], dst: readonly Slot[]): void => {
    for (let j = 0; j < src.length; j++) {
      const a = src[j]!;
      const b = dst[j]!;
      if (a.kind === 'code' && b.kind === 'code') {
        const table = tableOf(a.t);
        // A code that stays in place and is not renamed needs no step.
        if (table === null && a.w === b.w && a.sh === b.sh) continue;
        out.push({ kind: 0, sw: a.w, ssh: a.sh, dw: b.w, dsh: b.sh, mask: a.bits === 32 ? -1 : 2 ** a.bits - 1, words: 0, table });
      } else if (a.kind === 'bits' && b.kind === 'bits') {
        const table = tableOf(a.t.elem);
        if (table === null && a.w === b.w && a.sh === b.sh) continue;
        out.push({ kind: 1, sw: a.w, ssh: a.sh, dw: b.w, dsh: b.sh, mask: 2 ** a.n - 1, words: 0, table });
      } else if (a.kind === 'words' && b.kind === 'words') {
        const table = tableOf(a.t.elem);
        if (table === null && a.w === b.w) continue;
        out.push({ kind: 2, sw: a.w, ssh: 0, dw: b.w, dsh: 0, mask: 0, words: a.words, table });
      } else if (a.kind === 'array' && b.kind === 'array') {
        const p = r.perm.get(a.d);
        for (let i = 0; i < a.elems.length; i++) walk(a.elems[i]!, b.elems[p ? p[i]! : i]!);
      } else if (a.kind === 'run' && b.kind === 'run') {
        out.push({ kind: 3, sw: a.index, ssh: 0, dw: b.index, dsh: 0, mask: 0, words: 0, table: tableOf(a.t.elem) });
      } else if (a.kind === 'seqrun' && b.kind === 'seqrun') {
        out.push({ kind: 4, sw: a.index, ssh: 0, dw: b.index, dsh: 0, mask: 0, words: 0, table: tableOf(a.t.elem) });
      }
    }
  };
  walk(slots, slots);
  // Steps into the fixed words first, then the runs (`renameWords` compares between the two).
  return [...out.filter((st) => st.kind < 3), ...out.filter((st) => st.kind >= 3)];
}

/** A word sink that keeps the words (for comparing encodings). */
class Words implements StateEncoder {
  data: number[] = [];
  int(x: number): void {
    this.data.push(x | 0);
  }
  ints(w: ArrayLike<number>): void {
    for (let i = 0; i < w.length; i++) this.data.push(w[i]! | 0);
  }
}

/**
 * Whether a renaming (null: the identity) puts every domain's members in the order of their
 * signatures: member `i` goes to place `p[i]`, and the signatures by place never decrease.
 */
function inOrder(sigs: readonly (Int32Array | null)[], byDomain: readonly (readonly number[])[] | null): boolean {
  for (let d = 0; d < sigs.length; d++) {
    const sig = sigs[d];
    // A domain whose members have no signature: every order is in order.
    if (!sig) continue;
    const n = sig.length;
    const p = byDomain === null ? null : byDomain[d]!;
    const at = SIG_SCRATCH.length >= n ? SIG_SCRATCH : (SIG_SCRATCH = new Int32Array(n));
    for (let i = 0; i < n; i++) at[p === null ? i : p[i]!] = sig[i]!;
    for (let i = 1; i < n; i++) if (at[i - 1]! > at[i]!) return false;
  }
  return true;
}
let SIG_SCRATCH = new Int32Array(16);

function compareWords(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i]! >>> 0) - (b[i]! >>> 0);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The schema object
// ---------------------------------------------------------------------------------------------

/** A compiled state schema: everything the engine needs, derived from one declaration. */
export class Schema<S> {
  private readonly codec: Codec<S>;
  /** Writes `s`'s words into `out` (throws a {@link SchemaBoundError} for a value outside its bound); the compiled function itself. */
  readonly encode: (s: S, out: StateEncoder) => void;
  /** Rebuilds a state from `words[start..end)`; the compiled function itself. */
  readonly decode: (words: ArrayLike<number>, start: number, end: number) => S;
  /** The symmetric domains, and the non-identity permutations of them (product of each domain's). */
  readonly symmetric: readonly DomainType[];
  private perms?: ((s: S) => S)[];

  constructor(readonly type: Type<S>) {
    this.codec = compileCodec(type);
    this.encode = this.codec.encode;
    this.decode = this.codec.decode;
    this.symmetric = [...type.symmetricDomains()];
  }

  /** Where each field sits in the words. */
  get layout(): Layout {
    return this.codec.layout;
  }

  /** The words of `s`. */
  words(s: S): number[] {
    const w = new Words();
    this.codec.encode(s, w);
    return w.data;
  }

  /** A JSON view of `s`. */
  toJSON(s: S): unknown {
    return toJSONValue(this.type, s);
  }

  /** `s` as ITF values (a record's fields as ITF variables). */
  toITF(s: S): Record<string, unknown> {
    return toITFValue(this.type, s) as Record<string, unknown>;
  }

  /** The places where `a` and `b` differ. */
  diff(a: S, b: S): Change[] {
    return diffValues(this.type, a, b);
  }

  /** How many permutations {@link Schema.canonicalize} tries (1: no symmetry). */
  get symmetrySize(): number {
    return this.symmetric.reduce((n, d) => n * factorial(d.size), 1);
  }

  /**
   * The canonical representative of `s`'s orbit under the symmetric domains: of the
   * renamings of `s` that put each domain's members in the order of their signatures (see
   * `signatures`: codes a member holds that no renaming changes), the one with the least
   * encoding (length, then words as unsigned integers). Exact: the renamings it chooses from
   * are, for every state of an orbit, the same set of states, so two states get the same
   * representative exactly when one is a renaming of the other; and the result is one of
   * those renamings, a real state. Members that tie (alike so far) are tried in every order,
   * so in a state whose members all tie it tries all the product of `size!` over the
   * symmetric domains; each renaming whose fixed words already lose stops there.
   */
  canonicalize(s: S): S {
    const perms = (this.renamings ??= this.buildRenamings());
    if (perms.length === 0) return s;
    // On the words: each renaming's encoding is computed from `s`'s through per-type code
    // tables (no renamed state is built); the least one is decoded.
    const w = this.words(s);
    // Only the renamings that put each domain's members in the order of their signatures
    // (see `signatures`) are tried: the least encoding among them is still the same for every
    // state of an orbit, and in a state whose members differ there are few of them.
    const sigs = this.signatures(w);
    let best: number[] | null = inOrder(sigs, null) ? w : null;
    for (const perm of perms) {
      if (!inOrder(sigs, perm.byDomain)) continue;
      const t = this.renameWords(w, perm, best);
      if (t !== null && (best === null || compareWords(t, best) < 0)) best = t;
    }
    return best === w ? s : this.codec.decode(best!, 0, best!.length);
  }

  /** The renamings of the symmetric domains but the identity, with their code tables. */
  private renamings?: Renaming[];

  private buildRenamings(): Renaming[] {
    let combos: Map<DomainType, number[]>[] = [new Map()];
    for (const d of this.symmetric) {
      const next: Map<DomainType, number[]>[] = [];
      for (const c of combos) for (const p of permutationsOf(d.size)) next.push(new Map(c).set(d, p));
      combos = next;
    }
    // combos[0] is the identity.
    return combos.slice(1).map((perm) => ({ perm, byDomain: this.symmetric.map((d) => perm.get(d)!) }));
  }

  /** Per symmetric domain, per member: where its signature codes are in the words (see {@link Schema.signatures}). */
  private sigPlaces: { readonly w: number; readonly sh: number; readonly mask: number; readonly div: number; readonly mod: number }[][][] | undefined;

  /**
   * Per symmetric domain, a signature of each member: a hash of the codes it holds in the
   * state's top-level per-member arrays whose values mention no symmetric domain (a
   * chunkserver's clock, `up`, version and lease fields; a client's phase). A renaming moves
   * those values with their member unchanged, so members keep their signatures; a member's
   * signature says nothing of the others, hence ties (the members that are alike so far).
   */
  private signatures(w: readonly number[]): (Int32Array | null)[] {
    const places = (this.sigPlaces ??= this.symmetric.map((d) => {
      const per: { w: number; sh: number; mask: number; div: number; mod: number }[][] = Array.from({ length: d.size }, () => []);
      const mask = (bits: number): number => (bits === 32 ? -1 : 2 ** bits - 1);
      for (const slot of this.codec.slots) {
        if (slot.kind === 'array' && slot.d === d) {
          slot.elems.forEach((elem, i) => {
            for (const e of elem) if (e.kind === 'code' && e.t.symmetricDomains().size === 0) per[i]!.push({ w: e.w, sh: e.sh, mask: mask(e.bits), div: 1, mod: 0 });
          });
        } else if (slot.kind === 'code' && slot.t instanceof ArrayType && slot.t.domain === d && slot.t.elem.symmetricDomains().size === 0) {
          // A small per-member array is one code, element i its i-th digit (mixed radix, first element least significant).
          const card = slot.t.elem.card;
          for (let i = 0; i < d.size; i++) per[i]!.push({ w: slot.w, sh: slot.sh, mask: mask(slot.bits), div: card ** i, mod: card });
        }
      }
      return per;
    }));
    // Reused buffers: `canonicalize` reads them before the next call.
    const out = (this.sigBuffers ??= places.map((per) => (per.some((ps) => ps.length > 0) ? new Int32Array(per.length) : null)));
    for (let d = 0; d < places.length; d++) {
      const per = places[d]!;
      const sig = out[d];
      if (!sig) continue;
      for (let i = 0; i < per.length; i++) {
        const ps = per[i]!;
        let h = 0;
        for (let k = 0; k < ps.length; k++) {
          const p = ps[k]!;
          const c = (w[p.w]! >>> p.sh) & p.mask;
          h = Math.imul(h ^ (p.mod === 0 ? c : Math.floor((c >>> 0) / p.div) % p.mod), 0x9e3779b1) + 1;
        }
        sig[i] = h;
      }
    }
    return out;
  }
  private sigBuffers: (Int32Array | null)[] | undefined;

  /**
   * The words of `w` renamed by `r`; null when they are certainly greater than `bound`'s. A
   * renaming keeps the total length (it maps each set, bag and sequence onto one of the same
   * size), so the fixed words, renamed first, decide most comparisons: the runs after them
   * (sorting renamed codes) are renamed only when the fixed words tie or win.
   */
  private renameWords(w: readonly number[], r: Renaming, bound: readonly number[] | null = null): number[] | null {
    const plan = (r.plan ??= planRenaming(this.codec.slots, r));
    const fixed = this.codec.layout.fixedWords;
    const out = w.slice(0, fixed);
    let runsIn: number[][] | null = null;
    let runsOut: number[][] | null = null;
    // The steps are laid out with every fixed-word step before the first run step.
    let j = 0;
    for (; j < plan.length && plan[j]!.kind < 3; j++) {
      const st = plan[j]!;
      const table = st.table;
      if (st.kind === 0) {
        // One code: read at the source slot, renamed, written at the destination slot.
        const c = (w[st.sw]! >>> st.ssh) & st.mask;
        const x = table === null ? c : table(c);
        out[st.dw] = (out[st.dw]! & ~(st.mask << st.dsh)) | (x << st.dsh);
      } else if (st.kind === 1) {
        // A bitmask set in part of a word: each member renamed.
        let m = (w[st.sw]! >>> st.ssh) & st.mask;
        let nm = 0;
        while (m !== 0) {
          const bit = 31 - Math.clz32(m & -m);
          m &= m - 1;
          nm |= 1 << (table === null ? bit : table(bit));
        }
        out[st.dw] = (out[st.dw]! & ~(st.mask << st.dsh)) | (nm << st.dsh);
      } else if (st.kind === 2) {
        // A bitmask set in whole words.
        out.fill(0, st.dw, st.dw + st.words);
        for (let i = 0; i < st.words; i++) {
          let m = w[st.sw + i]!;
          while (m !== 0) {
            const bit = 31 - Math.clz32(m & -m);
            m &= m - 1;
            const c = table === null ? i * 32 + bit : table(i * 32 + bit);
            out[st.dw + (c >>> 5)] = out[st.dw + (c >>> 5)]! | (1 << (c & 31));
          }
        }
      }
    }
    if (bound !== null && j < plan.length) {
      for (let i = 0; i < fixed; i++) {
        if (out[i] === bound[i]) continue;
        if (out[i]! >>> 0 > bound[i]! >>> 0) return null;
        break;
      }
    }
    for (; j < plan.length; j++) {
      const st = plan[j]!;
      const table = st.table;
      // A run (a list set, a bag): its codes renamed and sorted; a sequence's, in order.
      if (runsIn === null) {
        runsIn = [];
        for (let at = fixed; at < w.length; at += 1 + w[at]!) runsIn.push(w.slice(at + 1, at + 1 + w[at]!));
        runsOut = runsIn.slice();
      }
      const renamed = runsIn[st.sw]!.map((c) => (table === null ? c : table(c)));
      runsOut![st.dw] = st.kind === 3 ? renamed.sort((x, y) => x - y) : renamed;
    }
    if (runsOut === null) for (let at = fixed; at < w.length; at++) out.push(w[at]!);
    else for (const run of runsOut) out.push(run.length, ...run);
    return out;
  }

  /** Every renaming of `s` (identity first): for tests of symmetry. */
  orbit(s: S): S[] {
    return [s, ...(this.perms ??= this.buildPerms()).map((p) => p(s))];
  }

  private buildPerms(): ((s: S) => S)[] {
    let combos: Map<DomainType, number[]>[] = [new Map()];
    for (const d of this.symmetric) {
      const next: Map<DomainType, number[]>[] = [];
      for (const c of combos) for (const p of permutationsOf(d.size)) next.push(new Map(c).set(d, p));
      combos = next;
    }
    // combos[0] is the identity.
    return combos.slice(1).map((perm) => permuter(this.type, perm));
  }
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Compiles a state schema. */
export function schema<S>(type: Type<S>): Schema<S> {
  return new Schema(type);
}

// ---------------------------------------------------------------------------------------------
// defineSpec
// ---------------------------------------------------------------------------------------------

/** What a step returns: the successor, several successors (a choice inside the action), or a falsy value when disabled. */
export type StepResult<S> = S | readonly S[] | undefined | null | false;

/** The parameters of an action: a domain, an int or enum type, a bool, or an explicit list of values. */
export type Param = DomainType | IntType | EnumType<string> | BoolType | readonly (number | string | boolean)[];

/** An action of a {@link defineSpec} table: a step with no parameters, or parameters and a step over them. */
export type ActionDef<S> =
  | ((s: S) => StepResult<S>)
  | {
      readonly params: readonly Param[];
      /** Keeps only the argument tuples it accepts (TLA's `\E q \in Proc \ {p}`); decided once, when the spec is built. */
      readonly where?: (...args: any[]) => boolean;
      readonly step: (s: S, ...args: any[]) => StepResult<S>;
    };

/** The report hooks a {@link SchemaSpecDef} may give; {@link defineSpec} passes them to the spec as they are. */
const REPORT_HOOKS = ['nodes', 'describeStep', 'describeViolation', 'propertyReads', 'timeline', 'stateTables'] as const;

/**
 * What {@link defineSpec} builds a spec from. Besides the fields below, the report hooks of a
 * {@link Spec} (swimlane nodes and steps, what a violation is about, what a property reads,
 * the lease timeline, the state explorer's tables), passed to the spec as they are.
 */
export interface SchemaSpecDef<S> extends Pick<Spec<S>, (typeof REPORT_HOOKS)[number]> {
  /** The spec's name. */
  readonly name: string;
  /** The state's type (usually a {@link record}). */
  readonly state: Type<S>;
  /** The initial state(s). */
  readonly init: S | readonly S[] | (() => readonly S[]);
  /**
   * The actions, TLA style: each a step that returns the successor for given arguments, or
   * a falsy value when it is not enabled. Order: table order, then parameters in order
   * (the first parameter outermost).
   */
  readonly actions: { readonly [name: string]: ActionDef<S> };
  /** Invariants, by name. */
  readonly invariants?: { readonly [name: string]: (s: S) => boolean };
  /** `sometimes` properties, by name. */
  readonly sometimes?: { readonly [name: string]: (s: S) => boolean };
  /** Action properties, by name. */
  readonly actionProperties?: { readonly [name: string]: (before: S, after: S, action: Action) => boolean };
  /** A state constraint (TLC's CONSTRAINT). */
  readonly constraint?: (s: S) => boolean;
  /** Use the symmetric domains' canonicaliser (default: when the schema declares one). */
  readonly symmetry?: boolean;
}

/** A {@link Spec} built by {@link defineSpec}, with its schema. */
export interface SchemaSpec<S> extends Spec<S> {
  /** The compiled schema. */
  readonly schema: Schema<S>;
  /** The changes of a step, field by field. */
  diff(before: S, after: S): Change[];
}

function paramValues(p: Param): readonly (number | string | boolean)[] {
  if (Array.isArray(p)) return p;
  if (p instanceof DomainType) return p.members;
  if (p instanceof IntType) return Array.from({ length: p.card }, (_, i) => p.min + i);
  if (p instanceof EnumType) return p.names;
  if (p instanceof BoolType) return [false, true];
  throw new RangeError('schema: an action parameter must be a domain, int, enum, bool or a list of values');
}

/** One action name with fixed arguments: its label and its step with the arguments bound. */
interface Instance<S> {
  readonly action: Action;
  readonly index: number;
  readonly run: (s: S) => StepResult<S>;
  /** The step and its arguments (for the generated `actions`). */
  readonly step: (s: S, ...args: any[]) => StepResult<S>;
  readonly args: readonly (number | string | boolean)[];
  /** The labels of the step's successors when it returns several: the arguments and the choice index. */
  readonly choices: Action[];
}

/** The index of an action's name in `actionNames`, on the labels {@link defineSpec} makes (non-enumerable: JSON and spreads never see it). */
const ACTION_INDEX: unique symbol = Symbol('schema.actionIndex');

/** A frozen action label `{name, args}` that carries its name's index. */
function label(name: string, args: readonly ActionArg[], index: number): Action {
  const a = { name, args: Object.freeze([...args]) };
  Object.defineProperty(a, ACTION_INDEX, { value: index, enumerable: false });
  return Object.freeze(a);
}

/**
 * `actions` of a {@link defineSpec} spec, generated: a loop per action calling its step
 * directly, so that every call site sees one function (a loop over closures made one call
 * site see them all, and V8 neither inlined nor specialised them).
 * Fills `acts` and `succs`; a step returning several successors goes through `many`.
 */
function compileActions<S>(
  instances: readonly Instance<S>[],
): (s: S, acts: Action[], succs: S[], many: (inst: Instance<S>, r: readonly S[], acts: Action[], succs: S[]) => void) => void {
  const g = new Gen();
  const IA = g.k(Array.isArray);
  let body = 'let r;\n';
  // One loop per action over its argument tuples: its call site sees one step, and the code
  // stays small (a call site per instance made V8 compile one large function per spec).
  for (let i = 0; i < instances.length; ) {
    const first = instances[i]!;
    let j = i + 1;
    while (j < instances.length && instances[j]!.step === first.step && instances[j]!.args.length === first.args.length) j++;
    const group = instances.slice(i, j);
    const arity = first.args.length;
    const call = (a: string): string => `${g.k(first.step)}(s${Array.from({ length: arity }, (_, k) => `, ${a}[${k}]`).join('')})`;
    const A = g.k(group.map((x) => x.args));
    const L = g.k(group.map((x) => x.action));
    const I = g.k(group);
    body += `for (let k = 0; k < ${group.length}; k++) { r = ${call(`${A}[k]`)}; if (r) { if (${IA}(r)) many(${I}[k], r, acts, succs); else { acts.push(${L}[k]); succs.push(r); } } }\n`;
    i = j;
  }
  return g.build(`return function actions(s, acts, succs, many) {\n${body}};`);
}

/**
 * Builds a regular {@link Spec} from a schema and a table of TLA-style actions: the
 * engine's `encode`, `decode`, `toJSON`, `toITF` and (with symmetric domains)
 * `canonicalize` come from the schema, so the spec runs on the existing engine, with
 * worker threads, unchanged.
 *
 * `actions(s)` runs every step once and keeps the successors; the engine's following
 * `next(s, a)` calls (same state, same action objects, in order) return them without
 * running the step again. Any other `next` call (a replayed trace) runs the step.
 */
export function defineSpec<S>(def: SchemaSpecDef<S>): SchemaSpec<S> {
  const sch = new Schema(def.state);
  const names = Object.keys(def.actions);
  const nameIndex = new Map(names.map((n, i) => [n, i]));
  const instances: Instance<S>[] = [];
  const byKey = new Map<string, Instance<S>>();
  names.forEach((name, index) => {
    const d = def.actions[name]!;
    if (typeof d === 'function') {
      const inst: Instance<S> = { action: label(name, [], index), index, step: d, args: [], run: d, choices: [] };
      instances.push(inst);
      byKey.set(name, inst);
      return;
    }
    let combos: (number | string | boolean)[][] = [[]];
    for (const p of d.params) combos = combos.flatMap((c) => paramValues(p).map((x) => [...c, x]));
    if (d.where) combos = combos.filter((args) => d.where!(...args));
    for (const args of combos) {
      const step = d.step;
      const [a0, a1, a2] = args;
      const run: (s: S) => StepResult<S> =
        args.length === 1 ? (s) => step(s, a0) : args.length === 2 ? (s) => step(s, a0, a1) : args.length === 3 ? (s) => step(s, a0, a1, a2) : (s) => step(s, ...args);
      const inst: Instance<S> = { action: label(name, args, index), index, step, args, run, choices: [] };
      instances.push(inst);
      byKey.set(`${name}(${args.map((x) => JSON.stringify(x)).join(',')})`, inst);
    }
  });
  const keyOf = (a: Action, args = a.args): string => (args.length === 0 ? a.name : `${a.name}(${args.map((x) => JSON.stringify(x)).join(',')})`);
  const init = def.init;
  const inits: () => readonly S[] =
    typeof init === 'function' ? (init as () => readonly S[]) : Array.isArray(init) ? () => init as readonly S[] : () => [init as S];

  // The last state `actions` expanded, its actions and their successors.
  let lastState: S | undefined;
  let lastActs: readonly Action[] = [];
  let lastSuccs: S[] = [];
  let cursor = 0;
  const gen = compileActions(instances);
  const many = (inst: Instance<S>, r: readonly S[], acts: Action[], succs: S[]): void => {
    const ch = inst.choices;
    for (let k = 0; k < r.length; k++) {
      if (k === ch.length) ch.push(label(inst.action.name, [...inst.action.args, k], inst.index));
      acts.push(ch[k]!);
      succs.push(r[k]!);
    }
  };

  const prop = (m: { readonly [n: string]: (s: S) => boolean } | undefined): StateProperty<S>[] =>
    Object.entries(m ?? {}).map(([name, check]) => ({ name, check }));
  const symmetric = (def.symmetry ?? true) && sch.symmetric.length > 0;

  const spec: SchemaSpec<S> = {
    name: def.name,
    schema: sch,
    actionNames: names,
    // The labels `actions` returns carry their index; any other label (a replayed trace's) by name.
    actionIndex: (a) => (a as { [ACTION_INDEX]?: number })[ACTION_INDEX] ?? nameIndex.get(a.name) ?? -1,
    initStates: () => inits(),
    actions(s) {
      const acts: Action[] = [];
      const succs: S[] = [];
      gen(s, acts, succs, many);
      lastState = s;
      lastActs = acts;
      lastSuccs = succs;
      cursor = 0;
      return acts;
    },
    next(s, a) {
      if (s === lastState) {
        if (lastActs[cursor] === a) return lastSuccs[cursor++]!;
        const j = lastActs.indexOf(a);
        if (j >= 0) return lastSuccs[j]!;
      }
      let inst = byKey.get(keyOf(a));
      let choice = -1;
      if (!inst && a.args.length > 0) {
        inst = byKey.get(keyOf(a, a.args.slice(0, -1)));
        choice = a.args[a.args.length - 1] as number;
      }
      const r = inst?.run(s);
      if (r && Array.isArray(r) && choice >= 0 && choice < r.length) return r[choice]!;
      if (r && !Array.isArray(r) && choice < 0) return r as S;
      throw new RangeError(`action ${keyOf(a)} is not enabled in this state`);
    },
    invariants: prop(def.invariants),
    sometimes: prop(def.sometimes),
    actionProperties: Object.entries(def.actionProperties ?? {}).map(([name, check]) => ({ name, check })) as ActionProperty<S>[],
    encode: sch.encode,
    decode: sch.decode,
    toJSON: (s) => sch.toJSON(s),
    toITF: (s) => sch.toITF(s),
    diff: (a, b) => sch.diff(a, b),
    ...(def.constraint ? { constraint: def.constraint } : {}),
    ...(symmetric ? { canonicalize: (s: S) => sch.canonicalize(s) } : {}),
    ...Object.fromEntries(REPORT_HOOKS.filter((k) => def[k] !== undefined).map((k) => [k, def[k]])),
  };
  return spec;
}
