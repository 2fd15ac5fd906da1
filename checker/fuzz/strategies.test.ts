/**
 * The fuzzer's search strategies on a fixture where a plain random walk is weak: the bug
 * needs six `Inc` in a row without a `Reset`, among twenty self-loop `Noise` actions.
 */
import { describe, expect, it } from 'vitest';
import type { Action, Spec } from '../core/spec.js';
import { fuzz, STRATEGIES, type Strategy } from './fuzz.js';

type S = { readonly n: number };
const noisy: Spec<S> = {
  name: 'Noisy',
  actionNames: ['Inc', 'Reset', 'Noise'],
  initStates: () => [{ n: 0 }],
  actions: () => [
    { name: 'Inc', args: [] },
    { name: 'Reset', args: [] },
    ...Array.from({ length: 20 }, (_, k): Action => ({ name: 'Noise', args: [k] })),
  ],
  next: (s, a) => (a.name === 'Inc' ? { n: s.n + 1 } : a.name === 'Reset' ? { n: 0 } : s),
  invariants: [{ name: 'Small', check: (s) => s.n < 6 }],
};

/** How many of seeds 1..10 find the bug with only `strategy`, 30 runs of 40 steps. */
function finds(strategy: Strategy): number {
  let n = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const r = fuzz(noisy, { runs: 30, depth: 40, seed, strategies: [strategy], shrinkBudget: 20_000 });
    if (r.result === 'violation') {
      n++;
      // Whatever found it, shrinking ends at the shortest counterexample: six increments.
      expect(r.trace!.actions.map((a) => a.name)).toEqual(['Inc', 'Inc', 'Inc', 'Inc', 'Inc', 'Inc']);
      expect(r.strategy).toBe(strategy);
    }
  }
  return n;
}

describe('search strategies', () => {
  it('swarm, pct and novelty find a bug a uniform walk almost never finds (seeds 1..10, pinned from a run)', () => {
    expect(Object.fromEntries(STRATEGIES.map((s) => [s, finds(s)]))).toEqual(PINNED_FINDS);
  });

  it('each run draws its strategy from the seed, and a failing run replays from (seed, path)', () => {
    const r = fuzz(noisy, { runs: 100, depth: 40, seed: 7, shrinkBudget: 20_000 });
    expect(r.result).toBe('violation');
    const again = fuzz(noisy, { runs: 100, depth: 40, seed: 7, path: r.path!, shrinkBudget: 20_000 });
    expect([again.result, again.traceLength, again.runs]).toEqual(['violation', r.traceLength, 1]);
    // The first find was not a uniform walk; the path points at its shrunk value, whose plan
    // fast-check may have shrunk to the simplest strategy.
    expect(r.strategy).toBe('novelty');
    expect(STRATEGIES).toContain(again.strategy);
    // Another strategy mix is another arbitrary: the same seed explores differently.
    const other = fuzz(noisy, { runs: 100, depth: 40, seed: 7, strategies: ['pct'], shrinkBudget: 20_000 });
    expect(other.strategy).toBe('pct');
  });

  it('counts steps per action and the steps and runs up to the first find', () => {
    const r = fuzz(noisy, { runs: 30, depth: 40, seed: 1, strategies: ['novelty'], shrinkBudget: 20_000 });
    expect(Object.keys(r.actionCounts)).toEqual(['Inc', 'Reset', 'Noise']);
    expect(r.actionCounts.Inc! + r.actionCounts.Reset! + r.actionCounts.Noise!).toBe(r.steps);
    expect(r.stepsToFind).toBeGreaterThanOrEqual(6);
    expect(r.stepsToFind).toBeLessThanOrEqual(r.steps);
    expect(r.runsToFind).toBeGreaterThanOrEqual(1);
  });
});

const PINNED_FINDS: Record<Strategy, number> = { uniform: 1, swarm: 10, pct: 10, novelty: 10 };
