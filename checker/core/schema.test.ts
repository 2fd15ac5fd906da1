/**
 * The state schema: encoding round trips, declared bounds, packing, JSON/ITF/diffs, symmetry,
 * `defineSpec` on the engine (one worker and worker threads), on small fixtures.
 */
import { describe, expect, it } from 'vitest';
import { check } from './explore.js';
import { checkParallel, type SpecRef } from '../parallel/index.js';
import { Fingerprinter } from './hash.js';
import {
  append,
  arrayOf,
  bagOf,
  bool,
  defineSpec,
  domain,
  enumOf,
  except,
  int,
  optional,
  record,
  schema,
  SchemaBoundError,
  seq,
  setOf,
  tail,
  tuple,
  union,
  type Infer,
} from './schema.js';
import type { Action, Spec } from './spec.js';
import { twoPhaseSchema } from '../fixtures/examples/twophase-schema.js';
import { lamportMutexSchema } from '../fixtures/examples/lamport-mutex-schema.js';
import { paxosCommitSchema } from '../fixtures/examples/paxos-commit-schema.js';
import { twoPhase } from '../fixtures/twophase.js';

/** Every reachable state of a small spec (no symmetry, no constraint), by plain BFS over the spec's own functions. */
function reachable<S>(spec: Spec<S>, limit = 100_000): S[] {
  const fp = new Fingerprinter();
  const seen = new Set<string>();
  const out: S[] = [];
  let frontier = [...spec.initStates()];
  const key = (s: S): string => {
    fp.state(spec, s);
    return `${fp.hi}:${fp.lo}`;
  };
  for (const s of frontier) seen.add(key(s));
  out.push(...frontier);
  while (frontier.length > 0 && out.length < limit) {
    const next: S[] = [];
    for (const s of frontier) {
      for (const a of spec.actions(s)) {
        const t = spec.next(s, a);
        if (spec.constraint && !spec.constraint(t)) continue;
        const k = key(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      }
    }
    out.push(...next);
    frontier = next;
  }
  return out;
}

const words = <S>(spec: Spec<S>, s: S): number[] => {
  const w: number[] = [];
  spec.encode!(s, { int: (x) => w.push(x | 0), ints: (xs) => Array.from(xs, (x) => w.push(x | 0)) });
  return w;
};

describe('schema encoding', () => {
  it('round-trips every reachable state of the three ports (small configurations)', () => {
    const specs: Spec<any>[] = [twoPhaseSchema(3), lamportMutexSchema(2, 4, 3), paxosCommitSchema(1, 3, 1)];
    for (const spec of specs) {
      const states = reachable(spec, 6000);
      expect(states.length).toBeGreaterThan(50);
      const seen = new Set<string>();
      for (const s of states) {
        const w = words(spec, s);
        const d = spec.decode!(Int32Array.from(w), 0, w.length);
        expect(spec.toJSON!(d)).toEqual(spec.toJSON!(s));
        expect(words(spec, d)).toEqual(w);
        // Distinct states have distinct encodings (equal states, equal words).
        seen.add(w.join(','));
      }
      expect(seen.size).toBe(states.length);
    }
  });

  it('packs several fields into a word: TwoPhase with 6 RMs is one 32-bit word', () => {
    const sp = twoPhaseSchema(6);
    expect(sp.schema.layout.fixedWords).toBe(1);
    expect(sp.schema.layout.usedBits).toBe(28);
    expect(sp.schema.layout.fields).toContain('tmPrepared: setOf(RM (0..5)) in word 0, bits 14..19');
    // PaxosCommit: rmState (16 values, 4 bits) and two rows of three acceptor records
    // (18^3 values, 13 bits each) in one word; the 144 possible messages in five.
    expect(paxosCommitSchema().schema.layout.fixedWords).toBe(6);
    expect(paxosCommitSchema().schema.layout.fields).toContain('aState[1]: arrayOf(Acceptor, record({mbal: int(0, 1), bal: int(-1, 1), val: enumOf("prepared", "aborted", "none")})) in word 0, bits 17..29');
  });

  it('rejects a value outside its declared bound, naming the field and the bound', () => {
    const P = domain('P', 2);
    const S = schema(record({ x: int(0, 3), ps: arrayOf(P, record({ on: bool(), k: enumOf('a', 'b') })), q: seq(int(1, 2), 2), m: setOf(P) }));
    const ok = { x: 3, ps: [{ on: true, k: 'a' as const }, { on: false, k: 'b' as const }], q: [1, 2], m: setOf(P).empty() };
    const sink = { int: () => {}, ints: () => {} };
    expect(() => S.encode(ok, sink)).not.toThrow();
    const err = (v: unknown): SchemaBoundError => {
      try {
        S.encode(v as typeof ok, sink);
      } catch (e) {
        return e as SchemaBoundError;
      }
      throw new Error('no error');
    };
    expect(err({ ...ok, x: 4 }).message).toBe('schema: x is 4, outside its declared bound int(0, 3)');
    expect(err({ ...ok, x: 1.5 })).toBeInstanceOf(SchemaBoundError);
    expect(err({ ...ok, ps: [ok.ps[0], { on: false, k: 'c' }] }).message).toBe(
      'schema: ps[1].k is "c", outside its declared bound enumOf("a", "b")',
    );
    expect(err({ ...ok, q: [1, 2, 1] }).path).toBe('q (its length)');
    expect(err({ ...ok, q: [1, 3] }).message).toContain('q[1] is 3, outside its declared bound int(1, 2)');
    expect(err({ ...ok, ps: [ok.ps[0]] }).message).toContain('an array of length 2');
    expect(err({ ...ok, m: new Set([0]) }).message).toContain('m is');
    // A set element is checked when it is added.
    expect(() => setOf(P).empty().add(2)).toThrow('set element is 2, outside its declared bound P (0..1)');
  });

  it('encodes optional values, tuples, list sets and bags, and decodes them back', () => {
    const N = domain('N', 3);
    const Big = record({ a: int(0, 99), b: int(0, 99) }); // 10,000 values: a list-encoded set
    const T = record({
      o: optional(N),
      t: tuple(N, bool()),
      big: setOf(Big),
      bag: bagOf(union('kind', { Ping: { to: N }, Pong: {} })),
    });
    const S = schema(T);
    const v: Infer<typeof T> = {
      o: null,
      t: [2, true],
      big: T.fields.big.of({ a: 5, b: 7 }, { a: 1, b: 99 }, { a: 5, b: 7 }),
      bag: T.fields.bag.of({ kind: 'Ping', to: 1 }, { kind: 'Pong' }, { kind: 'Ping', to: 1 }),
    };
    expect(T.fields.big.encoding).toBe('list');
    expect(S.layout.runs).toBe(2);
    const w = S.words(v);
    const d = S.decode(w, 0, w.length);
    expect(S.toJSON(d)).toEqual({ o: null, t: [2, true], big: [{ a: 5, b: 7 }, { a: 1, b: 99 }], bag: [{ kind: 'Ping', to: 1 }, { kind: 'Ping', to: 1 }, { kind: 'Pong' }] });
    expect(d.bag.count({ kind: 'Ping', to: 1 })).toBe(2);
    expect(d.bag.remove({ kind: 'Ping', to: 1 }).count({ kind: 'Ping', to: 1 })).toBe(1);
    expect(d.big.has({ a: 1, b: 99 })).toBe(true);
    expect(d.big.size).toBe(2);
    expect(S.toITF({ ...v, o: 1 })).toEqual({
      o: { tag: 'Some', value: 1 },
      t: { '#tup': [2, true] },
      big: { '#set': [{ a: 5, b: 7 }, { a: 1, b: 99 }] },
      bag: { '#map': [[{ kind: 'Ping', to: 1 }, 2], [{ kind: 'Pong' }, 1]] },
    });
    expect(S.toITF(v).o).toEqual({ tag: 'None', value: { '#tup': [] } });
  });
});

describe('schema views', () => {
  it('gives TLC-style ITF (#map for per-domain arrays, #set for sets) and per-step diffs', () => {
    const sp = paxosCommitSchema();
    const s0 = sp.initStates()[0]!;
    const acts = sp.actions(s0);
    const a = acts.find((x) => x.name === 'RMPrepare' && x.args[0] === 1)!;
    const s1 = sp.next(s0, a);
    const itf = sp.toITF!(s1);
    expect(itf.rmState).toEqual({ '#map': [[0, 'working'], [1, 'prepared']] });
    expect(itf.msgs).toEqual({ '#set': [{ type: 'phase2a', ins: 1, bal: 0, val: 'prepared' }] });
    expect(sp.diff(s0, s1)).toEqual([
      { path: 'rmState[1]', before: 'working', after: 'prepared' },
      {
        path: 'msgs',
        before: [],
        after: [{ type: 'phase2a', ins: 1, bal: 0, val: 'prepared' }],
        added: [{ type: 'phase2a', ins: 1, bal: 0, val: 'prepared' }],
        removed: [],
      },
    ]);
    // A field of a record inside a per-node array.
    const p1a = sp.next(s1, sp.actions(s1).find((x) => x.name === 'Phase1a' && x.args[1] === 0)!);
    const p1b = sp.actions(p1a).find((x) => x.name === 'Phase1b' && x.args[0] === 2)!;
    expect(sp.diff(p1a, sp.next(p1a, p1b)).map((c) => c.path)).toEqual(['aState[0][2]', 'msgs']);
  });

  it('answers next() for a replayed action (not the objects actions() returned), choices included', () => {
    const sp = paxosCommitSchema();
    const states = reachable(sp, 3000);
    let replayed = 0;
    for (const s of states.slice(0, 200)) {
      const acts = sp.actions(s);
      const succs = acts.map((a) => sp.next(s, a));
      // Fresh action objects (as a trace file gives them), after another state's actions().
      sp.actions(states[0]!);
      acts.forEach((a, k) => {
        const copy: Action = JSON.parse(JSON.stringify(a));
        expect(words(sp, sp.next(s, copy))).toEqual(words(sp, succs[k]!));
        replayed++;
      });
    }
    expect(replayed).toBeGreaterThan(500);
    const s0 = sp.initStates()[0]!;
    expect(() => sp.next(s0, { name: 'RMRcvCommitMsg', args: [0] })).toThrow('action RMRcvCommitMsg(0) is not enabled in this state');
  });
});

describe('schema symmetry', () => {
  it('canonicalises to one renaming per orbit: TwoPhase(3) with interchangeable RMs has one state per orbit', () => {
    const sym = twoPhaseSchema(3, { symmetric: true });
    expect(sym.schema.symmetrySize).toBe(6);
    // Every state, without reduction (this BFS never canonicalises).
    const states = reachable(sym);
    expect(states.length).toBe(288);
    // Orbits by brute force: the least encoding over the six renamings of each state.
    const orbitKey = (s: (typeof states)[number]): string =>
      sym.schema
        .orbit(s)
        .map((t) => sym.schema.words(t).join(','))
        .sort()[0]!;
    const orbits = new Set(states.map(orbitKey));
    const r = check(sym);
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(orbits.size);
    expect(orbits.size).toBe(80);
    for (const s of states) {
      const c = sym.canonicalize!(s);
      // A real renaming of s, idempotent, and the same for every member of the orbit.
      expect(sym.schema.orbit(s).some((t) => sym.schema.words(t).join() === sym.schema.words(c).join())).toBe(true);
      expect(sym.schema.words(sym.canonicalize!(c))).toEqual(sym.schema.words(c));
      for (const t of sym.schema.orbit(s)) expect(sym.schema.words(sym.canonicalize!(t))).toEqual(sym.schema.words(c));
    }
  });

  it('tries only the renamings that order members by their signatures, and stays exact (TwoPhase(4))', () => {
    const sym = twoPhaseSchema(4, { symmetric: true });
    const states = reachable(sym);
    const orbitKey = (s: (typeof states)[number]): string =>
      sym.schema
        .orbit(s)
        .map((t) => sym.schema.words(t).join(','))
        .sort()[0]!;
    const orbits = new Set(states.map(orbitKey)).size;
    expect(check(sym).stats.distinctStates).toBe(orbits);
    for (const s of states.slice(0, 300)) {
      const c = sym.schema.words(sym.canonicalize!(s)).join();
      for (const t of sym.schema.orbit(s)) expect(sym.schema.words(sym.canonicalize!(t)).join()).toBe(c);
    }
    // RMs in three different states (two alike): two orders of them, so at most two of the
    // 23 other renamings are encoded (the identity needs none).
    const proto = Object.getPrototypeOf(sym.schema) as { renameWords: (...a: unknown[]) => unknown };
    const rename = proto.renameWords;
    let renamed = 0;
    proto.renameWords = function (this: unknown, ...a: unknown[]) {
      renamed++;
      return rename.apply(this, a);
    };
    try {
      const three = states.find((s) => new Set(s.rmState).size === 3);
      expect(three).toBeDefined();
      sym.canonicalize!(three!);
      expect(renamed).toBeGreaterThan(0);
      expect(renamed).toBeLessThanOrEqual(2);
    } finally {
      proto.renameWords = rename;
    }
  });

  it('permutes two symmetric domains at once (RMs and acceptors of PaxosCommit)', () => {
    const sp = paxosCommitSchema(2, 3, 1, { symmetric: true });
    expect(sp.schema.symmetrySize).toBe(12);
    const states = reachable(sp, 400);
    for (const s of states) {
      const c = sp.canonicalize!(s);
      for (const t of sp.schema.orbit(s)) expect(sp.schema.words(sp.canonicalize!(t))).toEqual(sp.schema.words(c));
    }
  });
});

describe('defineSpec on the engine', () => {
  it('gives TLC counts on small configurations, as the plain-object TwoPhase does', () => {
    const r = check(twoPhaseSchema(3));
    expect(r.kind).toBe('ok');
    expect([r.stats.distinctStates, r.stats.generatedStates, r.stats.depth]).toEqual([288, 1146, 11]);
    const plain = check(twoPhase(3));
    expect(plain.stats.distinctStates).toBe(288);
    // All three committed: 3 prepares, 3 receipts, TMCommit, 3 commits: 10 steps, 11 states.
    expect(r.stats.sometimes).toEqual({ Committed: 11, Aborted: 4 });
    expect(r.stats.neverFired).toEqual([]);
  });

  it('pins small LamportMutex and PaxosCommit configurations (counts of these ports; TLC counts in the deep check)', () => {
    // N=2, Nat 0..4, maxClock 3: a run of this port; the full MCLamportMutex configuration
    // (724,274 / 61, TLC's) is in ports-deep.ts.
    const lm = check(lamportMutexSchema(2, 4, 3));
    expect(lm.kind).toBe('ok');
    expect([lm.stats.distinctStates, lm.stats.depth]).toEqual([191, 22]);
    const pc = check(paxosCommitSchema(1, 3, 1));
    expect(pc.kind).toBe('ok');
    expect([pc.stats.distinctStates, pc.stats.generatedStates, pc.stats.depth]).toEqual([1461, 9936, 15]);
  });

  it('reports a violated invariant with a shortest trace, and a bound error as an error result', () => {
    const P = domain('P', 2);
    const State = record({ n: int(0, 3), done: setOf(P) });
    type S = Infer<typeof State>;
    const sp = defineSpec<S>({
      name: 'Counter',
      state: State,
      init: { n: 0, done: State.fields.done.empty() },
      actions: {
        Inc: (s) => s.n < 5 && { ...s, n: s.n + 1 },
        Done: { params: [P], step: (s, p: number) => !s.done.has(p) && { ...s, done: s.done.add(p) } },
      },
      invariants: { Small: (s) => s.n < 3 },
    });
    const r = check(sp);
    expect(r.kind).toBe('violation');
    if (r.kind === 'violation') expect(r.violations[0]!.trace.states.length).toBe(4);
    const e = check(sp, { invariants: [] });
    expect(e.kind).toBe('error');
    if (e.kind === 'error') {
      expect(e.where).toBe('encode');
      expect(e.message).toBe('schema: n is 4, outside its declared bound int(0, 3)');
    }
  });

  it('runs on worker threads with the counts of one worker', async () => {
    const ref: SpecRef = { module: new URL('../fixtures/examples/twophase-schema.ts', import.meta.url).href, export: 'twoPhaseSchema', args: [4] };
    const one = check(twoPhaseSchema(4));
    const r = await checkParallel(ref, twoPhaseSchema(4), 2, { soloBelow: 0 });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(one.stats.distinctStates);
    expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
    expect(r.stats.levels).toEqual(one.stats.levels);
  });
});

describe('the encoder against the state last decoded', () => {
  it('encodes successors that share the decoded parent\'s values as it encodes copies that share nothing', () => {
    const a = lamportMutexSchema(3, 7, 2);
    // Arrays and records copied (sets are values, shared): no place is the decoded value itself.
    const copy = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(copy) : v !== null && typeof v === 'object' && v.constructor === Object ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v;
    let n = 0;
    for (const s of reachable(a, 3000)) {
      const w = words(a, s);
      const parent = a.decode!(Int32Array.from(w), 0, w.length);
      for (const act of a.actions(parent)) {
        const t = a.next(parent, act);
        expect(words(a, t)).toEqual(words(a, copy(t) as typeof t));
        n++;
      }
      // The decoded state itself is coded afresh.
      expect(words(a, parent)).toEqual(w);
    }
    expect(n).toBeGreaterThan(300);
  });

  it('copies a container shared with the state decoded last from its words, and only from that state', () => {
    const a = lamportMutexSchema(3, 7, 2);
    const ws = reachable(a, 400).map((s) => words(a, s));
    let n = 0;
    for (let k = 0; k + 1 < ws.length; k++) {
      if (ws[k]!.join() === ws[k + 1]!.join()) continue;
      const A = a.decode!(Int32Array.from(ws[k]!), 0, ws[k]!.length);
      // A's containers (req, network, the network's rows) shared while A is the state decoded last...
      expect(words(a, { ...A })).toEqual(ws[k]);
      expect(words(a, { ...A, network: [...A.network] })).toEqual(ws[k]);
      // ...and after another state was decoded: then they are coded afresh, not copied from
      // the words of the state decoded last.
      a.decode!(Int32Array.from(ws[k + 1]!), 0, ws[k + 1]!.length);
      expect(words(a, { ...A })).toEqual(ws[k]);
      expect(words(a, { ...A, network: [...A.network], req: [...A.req] })).toEqual(ws[k]);
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  it('copies shared records, tuples and arrays nested in the state, and encodes a list set inside one', () => {
    const D = domain('D', 5);
    const Big = arrayOf(D, int(0, 7)); // 8^5 values: laid out element by element, not one code
    const State = record({
      inner: record({ xs: Big, flag: bool() }),
      pair: tuple(Big, int(0, 3)),
      withRun: record({ ys: Big, s: setOf(int(0, 40), { encoding: 'list' }) }), // a list set: a run, always encoded
      n: int(0, 9),
    });
    const S = schema(State);
    const v0 = {
      inner: { xs: [1, 2, 3, 4, 5], flag: true },
      pair: [[7, 6, 5, 4, 3], 2] as const,
      withRun: { ys: [0, 1, 0, 1, 0], s: State.fields.withRun.fields.s.of(3, 33) },
      n: 4,
    };
    const w0 = S.words(v0 as never);
    const d = S.decode(Int32Array.from(w0), 0, w0.length) as typeof v0;
    const copy = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(copy) : v !== null && typeof v === 'object' && v.constructor === Object ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v;
    const variants = [
      { ...d, n: 5 },
      { ...d, inner: { ...d.inner, flag: false } },
      { ...d, inner: { ...d.inner, xs: except(d.inner.xs, 2, 0) } },
      { ...d, pair: [d.pair[0], 3] },
      { ...d, pair: [except(d.pair[0], 0, 0), d.pair[1]] },
      { ...d, withRun: { ...d.withRun, s: d.withRun.s.add(40) } },
      { ...d, withRun: { ...d.withRun, ys: except(d.withRun.ys, 4, 7) } },
    ];
    for (const t of variants) expect(S.words(t as never)).toEqual(S.words(copy(t) as never));
    expect(S.words({ ...d } as never)).toEqual(w0);
  });

  it('still lets the engine catch a step that writes into an array of the state it was given', () => {
    const D = domain('D', 2);
    const State = record({ xs: arrayOf(D, int(0, 3)), n: int(0, 3) });
    type S = Infer<typeof State>;
    const spec = defineSpec<S>({
      name: 'Mutates',
      state: State,
      init: { xs: [0, 0], n: 0 },
      actions: {
        Bump: (s) => {
          if (s.n >= 3) return undefined;
          (s.xs as number[])[1] = s.n + 1; // the contract breach: an in-place write
          return { ...s, n: s.n + 1 };
        },
      },
    });
    const r = check(spec);
    expect(r.kind).toBe('error');
    // The guard sees the change; the trace check that follows finds the intern table written
    // into (the shared array of the decoded state), and says so.
    if (r.kind === 'error') expect(r.message).toMatch(/changed the state it was given|encode and decode disagree/);
  });
});

describe('schema helpers', () => {
  it("with replaces a record's named fields, keeps the others (the same values), and refuses a key that is not a field", () => {
    const Node = domain('Node', 2);
    const State = record({ n: int(0, 3), up: arrayOf(Node, bool()), tag: enumOf('a', 'b') });
    const sch = schema(State);
    const words: number[] = [];
    sch.encode({ n: 1, up: [true, false], tag: 'a' }, { int: (x) => void words.push(x), ints: (w) => void words.push(...Array.from(w)) });
    const s = sch.decode(words, 0, words.length);
    const t = State.with(s, { n: 2, tag: 'b' });
    expect(t).toEqual({ n: 2, up: [true, false], tag: 'b' });
    expect(t.up).toBe(s.up);
    expect(s).toEqual({ n: 1, up: [true, false], tag: 'a' });
    // The decoder's field order (it makes records with the same function: one object shape).
    expect(Object.keys(t)).toEqual(Object.keys(s));
    expect(Object.keys(State.with({ tag: 'a', up: [false, false], n: 0 }, {}))).toEqual(['n', 'up', 'tag']);
    expect(() => State.with(s, { m: 1 } as never)).toThrow("schema: with: 'm' is not a field of record({n: int(0, 3), up: arrayOf(Node, bool), tag: enumOf(\"a\", \"b\")})");
  });

  it('except copies a per-node array with one entry replaced', () => {
    const a = [1, 2, 3] as const;
    expect(except(a, 1, 9 as 1 | 2 | 3 | 9)).toEqual([1, 9, 3]);
    expect(a).toEqual([1, 2, 3]);
  });

  it('append and tail are TLA\'s Append and Tail, copies at every length', () => {
    for (let n = 0; n <= 7; n++) {
      const a = Array.from({ length: n }, (_, i) => i * 10);
      const before = [...a];
      expect(append(a, 99)).toEqual([...a, 99]);
      if (n > 0) expect(tail(a)).toEqual(a.slice(1));
      else expect(() => tail(a)).toThrow(/Tail of the empty sequence/);
      expect(a).toEqual(before);
      expect(append(a, 99)).not.toBe(a);
    }
  });

  it('iterates a variant of a union set from its code range', () => {
    const N = domain('N', 40); // 40 + 1 + 40 values: the set spans three words
    const M = union('t', { A: { n: N }, B: {}, C: { n: N } });
    const S = setOf(M);
    const s = S.of({ t: 'C', n: 39 }, { t: 'A', n: 3 }, { t: 'B' }, { t: 'A', n: 31 }, { t: 'C', n: 0 });
    expect(s.variant('A')).toEqual([{ t: 'A', n: 3 }, { t: 'A', n: 31 }]);
    expect(s.variant('C')).toEqual([{ t: 'C', n: 0 }, { t: 'C', n: 39 }]);
    expect(s.variant('B')).toEqual([{ t: 'B' }]);
    expect(s.size).toBe(5);
    expect(s.delete({ t: 'B' }).variant('B')).toEqual([]);
    // Asked again (names in another order), the same elements: the set keeps what it decoded.
    expect(s.variant('C')).toBe(s.variant('C'));
    expect(s.variant('A')).toEqual([{ t: 'A', n: 3 }, { t: 'A', n: 31 }]);
    expect(S.of({ t: 'A', n: 1 }).variant('C')).toEqual([]);
    expect(() => s.variant('D')).toThrow(/has no variant 'D'/);
    // A set holding one variant only: the others are answered as empty, in any order asked.
    const c = S.of({ t: 'C', n: 7 });
    expect([c.variant('B'), c.variant('C'), c.variant('A')]).toEqual([[], [{ t: 'C', n: 7 }], []]);
    expect(c.add({ t: 'B' }).variant('B')).toEqual([{ t: 'B' }]);
    // A union of more variants than a bitmask of them holds (32): found from the code ranges.
    const many = union('t', Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`V${i}`, {}])));
    const m = setOf(many).of({ t: 'V31' }, { t: 'V0' });
    expect([m.variant('V31'), m.variant('V1'), m.variant('V0')]).toEqual([[{ t: 'V31' }], [], [{ t: 'V0' }]]);
    // The same on a set stored as a list of codes.
    const L = setOf(M, { encoding: 'list' });
    const l = L.of({ t: 'C', n: 39 }, { t: 'A', n: 3 }, { t: 'B' });
    expect(l.variant('A')).toEqual([{ t: 'A', n: 3 }]);
    expect(l.variant('C')).toEqual([{ t: 'C', n: 39 }]);
    expect(l.delete({ t: 'B' }).variant('B')).toEqual([]);
    expect(() => l.variant('D')).toThrow(/has no variant 'D'/);
  });

  it("hands out a domain's members as a plain array (V8 has no fast path for frozen ones)", () => {
    const N = domain('N', 3);
    expect(N.members).toEqual([0, 1, 2]);
    expect(Object.isFrozen(N.members)).toBe(false);
    expect(N.members).toBe(N.members);
  });

  it('lets a set over a small domain be a field of a set element (a message carrying a set of nodes), and maps sets', () => {
    const CS = domain('CS', 3, { symmetric: true });
    const Ts = int(0, 3);
    const Msg = union('type', { WriteReq: { to: CS, secs: setOf(CS) }, Grant: { to: CS, exp: Ts } });
    const State = record({ msgs: setOf(Msg), up: arrayOf(CS, bool()) });
    const S = schema(State);
    const secs = setOf(CS).of(1, 2);
    const v = { msgs: State.fields.msgs.of({ type: 'WriteReq', to: 0, secs }, { type: 'Grant', to: 1, exp: 3 }), up: [true, false, true] };
    const w = S.words(v);
    const d = S.decode(w, 0, w.length);
    expect(S.toJSON(d)).toEqual({ msgs: [{ type: 'WriteReq', to: 0, secs: [1, 2] }, { type: 'Grant', to: 1, exp: 3 }], up: [true, false, true] });
    expect(d.msgs.has({ type: 'WriteReq', to: 0, secs: setOf(CS).of(2, 1) })).toBe(true);
    // Clock normalisation style: every Grant's exp shifted down.
    const shifted = d.msgs.map((m) => (m.type === 'Grant' ? { ...m, exp: Math.max(0, m.exp - 1) } : m));
    expect(shifted.variant('Grant')).toEqual([{ type: 'Grant', to: 1, exp: 2 }]);
    expect(Ts.equals(2, 2)).toBe(true);
    expect(Msg.equals({ type: 'Grant', to: 1, exp: 2 }, shifted.variant('Grant')[0]!)).toBe(true);
    // Renaming chunkservers renames the set inside the message too.
    const renamed = S.orbit(d).map((t) => JSON.stringify(S.toJSON(t)));
    expect(renamed).toContain(JSON.stringify({ msgs: [{ type: 'WriteReq', to: 1, secs: [0, 2] }, { type: 'Grant', to: 0, exp: 3 }], up: [false, true, true] }));
  });

  it('orders codes lexicographically by field when asked (first field most significant), records and union variants alike', () => {
    const A = int(0, 2);
    const B = int(0, 3);
    const little = record({ a: A, b: B });
    const lex = record({ a: A, b: B }, { lexicographic: true });
    expect(little.code({ a: 1, b: 0 })).toBe(1);
    expect(lex.code({ a: 1, b: 0 })).toBe(4);
    expect(lex.code({ a: 0, b: 3 })).toBe(3);
    // Every code decodes to the value that codes to it, with the fields in declaration order.
    for (let c = 0; c < lex.card; c++) {
      expect(lex.code(lex.value(c))).toBe(c);
      expect(Object.keys(lex.value(c))).toEqual(['a', 'b']);
    }
    const M = union('type', { X: { to: A, v: B }, Y: { c: A } }, { lexicographic: true });
    const set = setOf(M).of({ type: 'X', to: 0, v: 3 }, { type: 'Y', c: 0 }, { type: 'X', to: 1, v: 0 }, { type: 'X', to: 0, v: 1 });
    expect(set.toArray()).toEqual([
      { type: 'X', to: 0, v: 1 },
      { type: 'X', to: 0, v: 3 },
      { type: 'X', to: 1, v: 0 },
      { type: 'Y', c: 0 },
    ]);
    const S = schema(record({ msgs: setOf(M), r: lex }));
    const v = { msgs: set, r: { a: 2, b: 1 } };
    const w = S.words(v);
    expect(S.toJSON(S.decode(w, 0, w.length))).toEqual(S.toJSON(v));
  });

  it('decodes an optional small record (its values are the inner record type\'s interned values)', () => {
    const Lease = optional(record({ holder: domain('CS', 2), exp: int(0, 3) }));
    const S = schema(record({ mLease: Lease }));
    for (const v of [null, { holder: 1, exp: 2 }]) {
      const w = S.words({ mLease: v });
      expect(S.decode(w, 0, w.length)).toEqual({ mLease: v });
    }
    expect(Lease.code(Lease.value(3))).toBe(3);
  });

  it('lays a long sequence out as a run after the fixed words, in order, and renames it in order', () => {
    const N = domain('N', 2, { symmetric: true });
    const E = record({ n: N, x: int(0, 3) });
    const Log = seq(E, 100);
    const Short = seq(E, 3);
    const State = record({ logs: arrayOf(N, Log), short: Short });
    expect(Log.encoding).toBe('run');
    expect(Short.encoding).toBe('slots');
    expect(() => seq(E, 100, { encoding: 'slots' })).toThrow(/at most 64 elements/);
    const S = schema(State);
    const long = Array.from({ length: 70 }, (_, i) => ({ n: i % 2, x: i % 4 }));
    const v = { logs: [long, [{ n: 1, x: 2 }]], short: [{ n: 0, x: 1 }] };
    const w = S.words(v);
    expect(S.toJSON(S.decode(w, 0, w.length))).toEqual(S.toJSON(v));
    expect(() => S.words({ ...v, logs: [Array.from({ length: 101 }, () => ({ n: 0, x: 0 })), []] })).toThrow(/logs\[0\] \(its length\)/);
    // Renaming N swaps the two logs and renames their elements, keeping each log's order.
    const renamed = S.orbit(v)[1]!;
    const c = S.canonicalize(v);
    expect([JSON.stringify(S.toJSON(v)), JSON.stringify(S.toJSON(renamed))]).toContain(JSON.stringify(S.toJSON(c)));
    expect(renamed.logs[1]![0]).toEqual({ n: 1, x: 0 });
    expect(S.words(S.canonicalize(renamed))).toEqual(S.words(c));
  });
});
