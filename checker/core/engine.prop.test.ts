/**
 * Property-based tests of the engine on random finite graphs, against a naive reference
 * search. Seeded and bounded for CI; override with FC_SEED and FC_NUM_RUNS.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { check, FingerprintSet, type Spec } from './index.js';

const seed = process.env.FC_SEED === undefined ? 20261127 : Number(process.env.FC_SEED);
const numRuns = process.env.FC_NUM_RUNS === undefined ? 200 : Number(process.env.FC_NUM_RUNS);
fc.configureGlobal({ seed, numRuns });

/** A random directed graph: node count, initial nodes, adjacency lists. */
const graphArb = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      inits: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 3 }),
      edges: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
      target: fc.integer({ min: 0, max: n - 1 }),
    }),
  );

type G = { n: number; inits: number[]; edges: number[][]; target: number };

/** States are objects (exercising structural fingerprints); edges are labelled by index. */
const graphSpec = (g: G, bad?: number): Spec<{ node: number }> => ({
  name: 'RandomGraph',
  initStates: () => g.inits.map((node) => ({ node })),
  actions: (s) => g.edges[s.node]!.map((_, i) => ({ name: 'Edge', args: [i] })),
  next: (s, a) => ({ node: g.edges[s.node]![a.args[0] as number]! }),
  invariants: bad === undefined ? [] : [{ name: 'AvoidTarget', check: (s) => s.node !== bad }],
});

/** Reference: BFS distances (in states, initial = 1) with a plain Map. */
function reference(g: G): Map<number, number> {
  const dist = new Map<number, number>();
  let frontier: number[] = [];
  for (const i of g.inits) if (!dist.has(i)) (dist.set(i, 1), frontier.push(i));
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const u of frontier) for (const v of g.edges[u]!) if (!dist.has(v)) (dist.set(v, dist.get(u)! + 1), next.push(v));
    frontier = next;
  }
  return dist;
}

describe('explorer against a reference search', () => {
  test.prop([graphArb])('finds exactly the reachable set, level by level', (g) => {
    const ref = reference(g);
    const r = check(graphSpec(g));
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(ref.size);
    expect(r.stats.depth).toBe(Math.max(...ref.values()));
    const levels: number[] = [];
    for (const d of ref.values()) levels[d - 1] = (levels[d - 1] ?? 0) + 1;
    expect(r.stats.levels).toEqual(levels);
  });

  test.prop([graphArb])('reports a planted violation with a shortest path that replays', (g) => {
    const ref = reference(g);
    const r = check(graphSpec(g, g.target));
    if (!ref.has(g.target)) {
      expect(r.kind).toBe('ok');
      return;
    }
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    const t = r.violations[0]!.trace;
    expect(t.states).toHaveLength(ref.get(g.target)!);
    expect(g.inits).toContain(t.states[0]!.node);
    expect(t.states.at(-1)!.node).toBe(g.target);
    const spec = graphSpec(g);
    for (let i = 0; i + 1 < t.states.length; i++) expect(spec.next(t.states[i]!, t.actions[i]!)).toEqual(t.states[i + 1]);
  });
});

describe('FingerprintSet', () => {
  const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 }));
  test.prop([fc.array(op, { maxLength: 3000 })], { numRuns: Math.max(1, Math.floor(numRuns / 4)) })(
    'behaves as a set under random inserts and lookups, across growth',
    (ops) => {
      // Tiny initial table so that growth happens often; keys share low or high words on purpose.
      const set = new FingerprintSet(16);
      const ref = new Map<string, number>();
      for (const [insert, a, b] of ops) {
        const hi = (a * 0x9e3779b1) | 0;
        // Includes the fingerprint (0, 0), which the table keeps outside its slots.
        const lo = b === 0 ? a : (a << 7) ^ b;
        const key = `${hi >>> 0}:${lo >>> 0}`;
        if (insert) {
          const id = set.put(hi, lo, ref.size - 1, ref.size % 65536);
          if (ref.has(key)) expect(id).toBe(-1);
          else {
            expect(id).toBe(ref.size);
            ref.set(key, id);
          }
        } else {
          expect(set.has(hi, lo)).toBe(ref.has(key));
        }
      }
      expect(set.size).toBe(ref.size);
      for (const [key, id] of ref) {
        const [hi, lo] = key.split(':').map(Number) as [number, number];
        expect(set.has(hi, lo)).toBe(true);
        expect([set.parent(id), set.action(id)]).toEqual([id - 1, id % 65536]);
      }
    },
  );
});
