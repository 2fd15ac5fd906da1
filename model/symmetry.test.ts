/**
 * Symmetry reduction: the canonical form is a function of the orbit, the reduced count is
 * the number of orbits (checked against a brute-force count), and every mutant is still
 * caught with symmetry on, by a counterexample that replays as a real behaviour.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { check, replaySteps } from '../checker/core/index.js';
import { enabledActions, gfsSpec, nextState } from './spec.js';
import { BASE_CONSTANTS, initialState, toParams, type Constants, type GfsState, type Mutant } from './state.js';
import { GfsSymmetry, permutations } from './symmetry.js';

const seed = process.env.FC_SEED === undefined ? 777 : Number(process.env.FC_SEED);
const numRuns = process.env.FC_NUM_RUNS === undefined ? 100 : Number(process.env.FC_NUM_RUNS);
fc.configureGlobal({ seed, numRuns });

const cfg = (over: Partial<Constants> = {}, mutants: Mutant[] = []) => ({ ...BASE_CONSTANTS, ...over, mutants });

describe('permutations', () => {
  it('lists n! permutations with the identity first', () => {
    expect(permutations(3)).toHaveLength(6);
    expect(permutations(3)[0]).toEqual([0, 1, 2, 3]);
    expect(new Set(permutations(4).map((x) => x.join())).size).toBe(24);
  });
});

describe('canonical form', () => {
  const configs = fc.constantFrom<Partial<Constants>>({}, { N: 3, C: 2, MaxCrashes: 1 }, { C: 2, W: 2, MaxRetries: 1 }, { N: 3, MaxLoss: 1, MaxGrants: 2 });
  test.prop([configs, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), fc.nat()])(
    'is the same for every permutation of a reachable state, and a member of its orbit',
    (over, choices, k) => {
      const p = toParams(cfg(over));
      const sym = new GfsSymmetry(p);
      let s: GfsState = initialState(p);
      for (const c of choices) {
        const acts = enabledActions(s, p);
        if (acts.length === 0) break;
        s = nextState(s, acts[c % acts.length]!, p);
        const canon = sym.canonicalize(s);
        const moved = sym.apply(s, k % sym.size);
        expect(sym.canonicalize(moved)).toEqual(canon);
        expect(sym.canonicalize(canon)).toEqual(canon);
        // The canonical form is one of the permuted states.
        expect(Array.from({ length: sym.size }, (_, i) => sym.apply(s, i)).some((t) => t.join() === canon.join())).toBe(true);
      }
    },
  );
});

describe('reduced counts', () => {
  it('equal the number of orbits of the reachable states (brute force on the base configuration)', () => {
    const p = toParams(cfg());
    const sym = new GfsSymmetry(p);
    const seen = new Set<string>();
    const orbits = new Set<string>();
    let frontier: GfsState[] = [initialState(p)];
    seen.add(frontier[0]!.join());
    while (frontier.length > 0) {
      const next: GfsState[] = [];
      for (const s of frontier) {
        orbits.add(sym.canonicalize(s).join());
        for (const a of enabledActions(s, p)) {
          const t = nextState(s, a, p);
          const key = t.join();
          if (!seen.has(key)) {
            seen.add(key);
            next.push(t);
          }
        }
      }
      frontier = next;
    }
    expect(seen.size).toBe(69_057);
    expect(orbits.size).toBe(34_533);
    const r = check(gfsSpec(cfg()), { symmetry: true });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(34_533);
    expect(r.stats.depth).toBe(38);
  });

  it('N=3: 228,019 orbits of 1,264,479 states (5.5x), the same depth', () => {
    const r = check(gfsSpec(cfg({ N: 3 })), { symmetry: true });
    expect([r.kind, r.stats.distinctStates, r.stats.depth]).toEqual(['ok', 228_019, 45]);
  });
});

describe('mutants with symmetry on', () => {
  const cases: [Mutant, Partial<Constants>, string, number][] = [
    ['noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, 'LeaseAgreement', 7],
    ['ignoreSkew', { MaxGrants: 2 }, 'LeaseAgreement', 9],
    ['expiryFromReceipt', { MaxGrants: 2 }, 'LeaseAgreement', 9],
    ['grantWhileLeased', { MaxGrants: 2 }, 'LeaseAgreement', 5],
    ['arrivalOrder', { W: 2 }, 'MutationOrder', 20],
    ['ackBeforeReplicas', {}, 'AckedDurable', 12],
    ['noVersionBump', { MaxCrashes: 1 }, 'AckedDurable', 12],
  ];
  for (const [mutant, over, invariant, length] of cases) {
    it(`${mutant}: caught by ${invariant} in ${length} states, with a trace that replays without symmetry`, () => {
      const spec = gfsSpec(cfg(over, [mutant]));
      const r = check(spec, { symmetry: true });
      expect(r.kind).toBe('violation');
      if (r.kind !== 'violation') return;
      const v = r.violations[0]!;
      expect([v.property, v.trace.states.length]).toEqual([invariant, length]);
      const again = replaySteps(spec, v.trace.actions.map((a) => ({ action: a.name, args: [...a.args] })));
      expect(again.states).toEqual(v.trace.states);
      expect(spec.invariants!.find((i) => i.name === invariant)!.check(again.states.at(-1)!)).toBe(false);
    });
  }
});
