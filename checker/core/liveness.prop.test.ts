/**
 * Liveness on random small graphs against a naive reference: a fair lasso exists exactly when
 * some reachable set of states S, strongly connected by its inner edges (or one state, which
 * stutters), meets every fairness constraint with all of its inner edges taken, and fits the
 * property. The reference enumerates every such S (no components, no refinement), so it checks
 * the component search, the strong-fairness refinement and the reachability independently; every
 * lasso found must also pass checkLasso. Seeded; override with FC_SEED and FC_NUM_RUNS.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkLasso, checkLiveness, type FairnessConstraint, type TemporalKind, type TemporalProperty } from './liveness.js';
import type { Spec } from './spec.js';

const seed = process.env.FC_SEED === undefined ? 20261201 : Number(process.env.FC_SEED);
const numRuns = process.env.FC_NUM_RUNS === undefined ? 300 : Number(process.env.FC_NUM_RUNS);

const NAMES = ['A', 'B', 'C'];
type Edge = { name: string; arg: number; to: number };
type Case = { n: number; inits: number[]; out: Edge[][]; fairness: FairnessConstraint[]; kind: TemporalKind; p: boolean[]; q: boolean[] };

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    inits: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 2 }),
    // Per state, a set of labels (name, arg), each with a target: the spec is deterministic per label.
    out: fc.array(
      fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), arg: fc.integer({ min: 0, max: 1 }), to: fc.integer({ min: 0, max: n - 1 }) }), {
        maxLength: 4,
        selector: (e) => `${e.name}${e.arg}`,
      }),
      { minLength: n, maxLength: n },
    ),
    fairness: fc.uniqueArray(
      fc.record({ kind: fc.constantFrom('WF' as const, 'SF' as const), action: fc.constantFrom(...NAMES), perArgs: fc.boolean() }),
      { maxLength: 3, selector: (c) => `${c.action}${c.perArgs}` },
    ),
    kind: fc.constantFrom<TemporalKind>('eventually', 'leadsTo', 'alwaysEventually', 'eventuallyAlways'),
    p: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    q: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  }),
);

const specOf = (c: Case): Spec<number> => ({
  name: 'RandomLive',
  actionNames: NAMES,
  initStates: () => c.inits,
  actions: (s) => c.out[s]!.map((e) => ({ name: e.name, args: [e.arg] })),
  next: (s, a) => c.out[s]!.find((e) => e.name === a.name && e.arg === a.args[0])!.to,
});

const propOf = (c: Case): TemporalProperty<number> => ({ name: 'P', kind: c.kind, p: (s) => c.p[s]!, ...(c.kind === 'leadsTo' ? { q: (s: number) => c.q[s]! } : {}) });

/** The naive reference: true when a fair counterexample exists. */
function naiveViolated(c: Case): boolean {
  const reach = (from: number[], allowed: (s: number) => boolean): Set<number> => {
    const seen = new Set(from.filter(allowed));
    const q = [...seen];
    while (q.length) for (const e of c.out[q.pop()!]!) if (e.to !== undefined && allowed(e.to) && !seen.has(e.to)) (seen.add(e.to), q.push(e.to));
    return seen;
  };
  const reachable = reach(c.inits, () => true);
  const instOf = (f: FairnessConstraint, e: Edge): string | null => (f.action === e.name ? (f.perArgs ? `${e.arg}` : '*') : null);
  const enabled = (s: number, f: FairnessConstraint, key: string): boolean => c.out[s]!.some((e) => e.to !== s && instOf(f, e) === key);
  const fairSet = (S: number[]): boolean => {
    const inS = new Set(S);
    const inner = S.flatMap((s) => c.out[s]!.filter((e) => e.to !== s && inS.has(e.to)));
    if (S.length > 1) {
      // Strongly connected by inner edges.
      for (const s of S) {
        const r = new Set([s]);
        const q = [s];
        while (q.length) for (const e of c.out[q.pop()!]!) if (e.to !== undefined && inS.has(e.to) && !r.has(e.to)) (r.add(e.to), q.push(e.to));
        if (r.size !== S.length) return false;
      }
    }
    for (const f of c.fairness) {
      const keys = new Set(S.flatMap((s) => c.out[s]!.filter((e) => e.to !== s).map((e) => instOf(f, e)).filter((k): k is string => k !== null)));
      for (const key of keys) {
        if (inner.some((e) => instOf(f, e) === key)) continue;
        const en = S.filter((s) => enabled(s, f, key)).length;
        if (f.kind === 'SF' ? en > 0 : en === S.length) return false;
      }
    }
    return true;
  };
  const states = [...reachable];
  const P = (s: number): boolean => c.p[s]!;
  const Q = (s: number): boolean => c.q[s]!;
  let entry: Set<number>;
  let within: (s: number) => boolean;
  switch (c.kind) {
    case 'eventually':
      within = (s) => !P(s);
      entry = reach(c.inits, within);
      break;
    case 'alwaysEventually':
      within = (s) => !P(s);
      entry = new Set(states.filter(within));
      break;
    case 'leadsTo':
      within = (s) => !Q(s);
      entry = reach(states.filter((s) => P(s) && !Q(s)), within);
      break;
    case 'eventuallyAlways':
      within = () => true;
      entry = new Set(states);
      break;
  }
  const cand = states.filter(within);
  for (let mask = 1; mask < 1 << cand.length; mask++) {
    const S = cand.filter((_, i) => (mask >> i) & 1);
    if (c.kind === 'eventuallyAlways' && !S.some((s) => !P(s))) continue;
    // Reachable from an entry state through the subgraph (entry is closed under that).
    if (!S.some((s) => entry.has(s))) continue;
    if (fairSet(S)) return true;
  }
  return false;
}

describe('liveness on random graphs (reference: every strongly connected state set)', () => {
  test.prop([caseArb], { seed, numRuns })('the verdict agrees with the reference, and every lasso passes checkLasso', (c) => {
    const spec = specOf(c);
    const prop = propOf(c);
    const r = checkLiveness(spec, { property: prop, fairness: c.fairness });
    expect(r.kind === 'violation').toBe(naiveViolated(c));
    if (r.kind === 'violation') expect(checkLasso(spec, r.violations[0]!.trace, prop, c.fairness)).toEqual([]);
  });
});
