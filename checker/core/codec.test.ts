/**
 * Structural fingerprints (order-independent records, Sets and Maps; the identity cache and
 * its bypass; duplicates in a Set) and the derived word encoding that carries plain-object
 * states between worker threads.
 */
import { describe, expect, it } from 'vitest';
import { Fingerprinter, FingerprintError } from './hash.js';
import { CodecError, decodePlain, encodePlain, withDerivedCodec } from './codec.js';
import { check } from './explore.js';
import { WordBuffer } from './words.js';
import { derivedCodecProblem } from '../parallel/index.js';
import type { Spec } from './spec.js';

const fpOf = (v: unknown, noCache = false): string => {
  const f = new Fingerprinter();
  f.reset();
  f.value(v, { noCache });
  f.finish();
  return `${f.hi}:${f.lo}`;
};

const roundTrip = (v: unknown): unknown => {
  const w = new WordBuffer();
  encodePlain(v, w);
  return decodePlain(w.data, 0, w.used);
};

describe('structural fingerprints', () => {
  it('ignore the key order of records and the iteration order of Sets and Maps', () => {
    expect(fpOf({ a: 1, b: 'x' })).toBe(fpOf({ b: 'x', a: 1 }));
    expect(fpOf(new Set([{ t: 1 }, { t: 2 }]))).toBe(fpOf(new Set([{ t: 2 }, { t: 1 }])));
    expect(fpOf(new Map([[1, 'a'], [2, 'b']]))).toBe(fpOf(new Map([[2, 'b'], [1, 'a']])));
  });

  it('tell apart values that differ in one place, in kind, or in where a value sits', () => {
    const vs: unknown[] = [
      { a: 1, b: 2 }, { a: 2, b: 1 }, { a: 1 }, [1, 2], [2, 1], [[1], 2], [1, [2]], new Set([1, 2]), new Map([[1, 2]]),
      1, '1', 1.5, true, false, null, undefined, 1n, [], {}, new Set(), new Map(), [undefined], { a: undefined },
      new Set([{ a: 1 }]), new Set([{ a: 2 }]), new Set([new Set([1]), new Set([2])]), new Set([new Set([1, 2])]),
      // A Set's hash is a sum over its elements: equal sums of integers must not collide.
      new Set([1, 4]), new Set([2, 3]), new Set([0, 5]), new Set([-1, 6]), new Set([5]), new Set([[1], [4]]), new Set([[2], [3]]),
    ];
    expect(new Set(vs.map((v) => fpOf(v))).size).toBe(vs.length);
  });

  it('give a cached sub-value the hash it had, and re-walk everything with noCache', () => {
    const shared = { msgs: new Set([{ type: 'a', n: 1 }]) };
    const s1 = { x: 1, shared };
    const before = fpOf(s1);
    // A spec that breaks the contract by mutating a sub-object: the cache keeps the old hash,
    // a walk with noCache sees the change.
    (shared.msgs as Set<unknown>).add({ type: 'b', n: 2 });
    expect(fpOf(s1)).toBe(before);
    expect(fpOf(s1, true)).not.toBe(before);
    expect(fpOf({ x: 1, shared: { msgs: new Set([{ type: 'a', n: 1 }, { type: 'b', n: 2 }]) } })).toBe(fpOf(s1, true));
  });

  it('give every value the hash a fresh walk gives it, over many walks sharing parts (the records ring wraps)', () => {
    // Each value shares most of its parts with the previous one, at the same places or moved,
    // as successors do; records are reused only for the very object they were made for.
    let v: { a: readonly number[]; s: ReadonlySet<{ k: number }>; m: ReadonlyMap<string, number[]>; r: { x: number; y: number[] } } = {
      a: [1, 2, 3],
      s: new Set([{ k: 0 }]),
      m: new Map([['p', [1]]]),
      r: { x: 0, y: [0] },
    };
    for (let i = 1; i <= 3000; i++) {
      const els = [...v.s];
      switch (i % 5) {
        case 0:
          v = { ...v, a: [...v.a.slice(1), i] };
          break;
        case 1:
          v = { ...v, s: new Set([...els.slice(-20), { k: i }]) };
          break;
        case 2:
          v = { ...v, s: new Set([...els].reverse()) };
          break;
        case 3:
          v = { r: { ...v.r, x: i }, m: new Map([...v.m].slice(-3).concat([[`q${i}`, v.r.y]])), a: v.a, s: v.s };
          break;
        default:
          v = { ...v, r: { x: v.r.x, y: v.a.slice() } };
      }
      expect(fpOf(v)).toBe(fpOf(v, true));
    }
  });

  it('give a successor of the anchor the hash a fresh walk gives it, whatever it shares with the anchor', () => {
    // The explorer anchors each state it expands and fingerprints its successors against it
    // (found in place there, recording nothing). Successors here share the anchor's parts at
    // the same places or moved, replace them, are the anchor itself or no successor at all;
    // some come after enough other walks that the anchor's records were overwritten.
    type V = { a: readonly number[]; s: ReadonlySet<{ k: number; t?: string[] }>; r: { x: number; y: readonly number[] }; m: ReadonlyMap<string, number> };
    const spec: Spec<V> = { name: 'Values', initStates: () => [], actions: () => [], next: (v) => v };
    const f = new Fingerprinter();
    const successorFp = (t: V): string => {
      f.successor(spec, t);
      return `${f.hi}:${f.lo}`;
    };
    const stateFp = (t: V, noCache = false): string => {
      f.state(spec, t, { noCache });
      return `${f.hi}:${f.lo}`;
    };
    let v: V = { a: [1, 2], s: new Set([{ k: 0 }, { k: 1, t: ['x'] }]), r: { x: 0, y: [0] }, m: new Map([['p', 1]]) };
    let other = v;
    for (let i = 1; i <= 600; i++) {
      const els = [...v.s];
      const succs: V[] = [
        v,
        { ...v },
        { ...v, a: [...v.a.slice(-3), i] },
        { ...v, s: new Set([...els.slice(-12), { k: i }]) },
        { ...v, s: new Set([...els].reverse()) },
        { ...v, s: new Set([{ k: -i }, ...els]) },
        { r: { ...v.r, x: i }, s: v.s, a: v.a, m: v.m },
        { ...v, r: { x: v.r.x, y: v.a }, a: v.r.y },
        { ...v, m: new Map([...v.m, [`q${i % 7}`, i]]) },
        { ...v, s: new Set([...els, { k: 1000 + i, t: els[0]?.t ?? [] }]) },
        other,
      ];
      f.anchor(spec, v);
      if (i % 50 === 0) {
        // Enough walks in between that the ring of records wraps over the anchor's.
        for (let j = 0; j < 400; j++) stateFp({ a: [j], s: new Set([{ k: j }]), r: { x: j, y: [j] }, m: new Map() });
      }
      for (const t of succs) expect(successorFp(t)).toBe(stateFp(t, true));
      // A duplicate by value added to a Set that extends the anchor's is still an error.
      if (els.length > 0) {
        const dup = { ...els[els.length - 1]! };
        expect(() => f.successor(spec, { ...v, s: new Set([...els, dup]) })).toThrow(FingerprintError);
      }
      other = v;
      v = succs[2 + (i % 8)]!;
    }
  });

  it('leave the fingerprint of a spec with its own encode to that encode, anchored or not', () => {
    const spec: Spec<{ n: number }> = {
      name: 'Encoded',
      initStates: () => [],
      actions: () => [],
      next: (v) => v,
      encode: (v, out) => out.int(v.n),
    };
    const f = new Fingerprinter();
    f.state(spec, { n: 7 });
    const want = `${f.hi}:${f.lo}`;
    f.anchor(spec, { n: 1 });
    expect(`${f.hi}:${f.lo}`).toBe(want);
    f.successor(spec, { n: 7 });
    expect(`${f.hi}:${f.lo}`).toBe(want);
  });

  it('give a record the same hash whatever strings came before it (strings predicted by context)', () => {
    // Keys in several orders, more values per key than a context keeps, more keys than are
    // predicted: a wrong prediction would give a record another string's hash.
    const keys = ['type', 'ins', 'bal', 'mbal', 'val', 'acc'];
    const vals = ['phase1a', 'phase1b', 'phase2a', 'phase2b', 'Commit', 'Abort', 'none', 'prepared'];
    const make = (i: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let j = 0; j < 1 + (i % keys.length); j++) {
        const k = keys[(i * 7 + j * 3) % keys.length]!;
        o[k] = j % 2 === 0 ? vals[(i + j) % vals.length]! : [vals[(i * 3 + j) % vals.length]!, i % 4];
      }
      o[`k${i % 5000}`] = vals[i % vals.length];
      return o;
    };
    const values = Array.from({ length: 6000 }, (_, i) => make(i));
    const first = values.map((v) => fpOf(v));
    const again = values.map((_, i) => values.length - 1 - i).map((i) => [i, fpOf(values[i])] as const);
    for (const [i, fp] of again) expect(fp).toBe(first[i]);
    // And equal records built with other key orders.
    for (let i = 0; i < 200; i++) {
      const v = values[i]!;
      const reordered = Object.fromEntries(Object.entries(v).reverse());
      expect(fpOf(reordered)).toBe(first[i]);
    }
    expect(new Set(first).size).toBe(new Set(values.map((v) => JSON.stringify(Object.entries(v).sort()))).size);
  });

  it('reject a Set holding two elements equal by value, with a message that says so', () => {
    expect(() => fpOf({ msgs: new Set([{ type: 'Commit' }, { type: 'Commit' }]) })).toThrow(FingerprintError);
    expect(() => fpOf(new Set([{ a: 1, b: 2 }, { b: 2, a: 1 }]))).toThrow(/a Set holds two elements equal by value: Sets of records must not contain duplicates/);
    // Also when the Set extends the one at the same place in the previous walk.
    const s1 = new Set([{ type: 'a' }, { type: 'b' }]);
    fpOf({ msgs: s1 });
    expect(fpOf({ msgs: new Set([...s1, { type: 'c' }]) })).toBe(fpOf({ msgs: new Set([{ type: 'c' }, { type: 'b' }, { type: 'a' }]) }, true));
    fpOf({ msgs: s1 });
    expect(() => fpOf({ msgs: new Set([...s1, { type: 'a' }]) })).toThrow(FingerprintError);
    // And when the value at the same place in the previous walk held the same two objects but
    // was no Set (an array may hold values equal by value): its parts were never checked.
    const [x, y] = [{ type: 'a' }, { type: 'a' }];
    fpOf({ msgs: [x, y] });
    expect(() => fpOf({ msgs: new Set([x, y]) })).toThrow(FingerprintError);
  });

  it('make a duplicate in a Set an error result of the run', () => {
    const spec: Spec<{ s: ReadonlySet<{ k: number }> }> = {
      name: 'Dups',
      initStates: () => [{ s: new Set() }],
      actions: (st) => (st.s.size < 3 ? [{ name: 'Add', args: [] }] : []),
      next: (st) => ({ s: new Set([...st.s, { k: 0 }]) }),
    };
    const r = check(spec);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/a Set holds two elements equal by value/);
  });
});

describe('the derived word encoding', () => {
  it('round-trips plain values, keeping key order and Set and Map iteration order', () => {
    const v = {
      z: [1, -2, 2 ** 27 - 1, 2 ** 27, -(2 ** 27), -(2 ** 27) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.5, -0, NaN, 'héllo', '', 'odd', true, false, null, undefined, 12345678901234567890n],
      a: new Set([{ type: 'phase1b', ins: 1 }, { type: 'phase1a', ins: 0 }]),
      m: new Map<unknown, unknown>([['k', [1]], [{ r: 1 }, new Set([3, 1, 2])]]),
      n: Object.assign(Object.create(null) as object, { q: 'q' }),
    };
    const back = roundTrip(v) as typeof v;
    expect(back).toEqual(v);
    expect(Object.keys(back)).toEqual(['z', 'a', 'm', 'n']);
    expect([...back.a].map((x) => x.type)).toEqual(['phase1b', 'phase1a']);
    expect([...(back.m.get([...back.m.keys()][1]) as Set<number>)]).toEqual([3, 1, 2]);
    expect(Object.is(back.z[10], -0)).toBe(true);
    expect(fpOf(back)).toBe(fpOf(v));
  });

  it('names what it cannot carry', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(() => roundTrip({ p: new Point(1) })).toThrow(CodecError);
    expect(() => roundTrip({ p: new Point(1) })).toThrow(/an instance of Point/);
    expect(() => roundTrip({ f: () => 1 })).toThrow(/a function/);
    const spec: Spec<{ p: Point }> = { name: 'P', initStates: () => [{ p: new Point(1) }], actions: () => [], next: (s) => s };
    expect(derivedCodecProblem(spec)).toMatch(/an instance of Point.*worker threads need states of plain values/);
    expect(derivedCodecProblem({ ...spec, initStates: () => [{ p: { x: 1 } as unknown as Point }] })).toBeNull();
  });

  it('is marked as derived, so that fingerprints stay structural', () => {
    const spec: Spec<{ n: number }> = { name: 'N', initStates: () => [{ n: 1 }], actions: () => [], next: (s) => s };
    const d = withDerivedCodec(spec);
    const f = new Fingerprinter();
    f.state(spec, { n: 1 });
    const plain = `${f.hi}:${f.lo}`;
    f.state(d, { n: 1 });
    expect(`${f.hi}:${f.lo}`).toBe(plain);
    expect(d.name).toBe('N');
    // A spec with its own encode but no decode keeps fingerprinting by its encode.
    const own: Spec<{ n: number }> = { ...spec, encode: (s, out) => out.int(s.n % 2) };
    f.state(own, { n: 3 });
    const byOwn = `${f.hi}:${f.lo}`;
    f.state(withDerivedCodec(own), { n: 1 });
    expect(`${f.hi}:${f.lo}`).toBe(byOwn);
  });
});
