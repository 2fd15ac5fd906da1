/**
 * The GFS lease model against the facts TLC reports for the design page, and each
 * mutant against the invariant the page's table names.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/core/index.js';
import { checkParallel } from '../checker/parallel/index.js';
import { gfsSpec } from './spec.js';
import { BASE_CONSTANTS, type Config, type Constants, type Mutant } from './state.js';

const cfg = (over: Partial<Constants> = {}, mutants: Mutant[] = []): Config => ({ ...BASE_CONSTANTS, ...over, mutants });

describe('state counts equal TLC on the design page (symmetry off)', () => {
  it('base configuration: 69,057 distinct states (397,825 generated), diameter 38, every property holds', () => {
    const r = check(gfsSpec(cfg()), { symmetry: false });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(69_057);
    expect(r.stats.generatedStates).toBe(397_825);
    expect(r.stats.depth).toBe(38);
  });

  it('MaxGrants=2: 1,020,777 distinct states (6,481,193 generated), diameter 50, every property holds', () => {
    const r = check(gfsSpec(cfg({ MaxGrants: 2 })), { symmetry: false });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(1_020_777);
    expect(r.stats.generatedStates).toBe(6_481_193);
    expect(r.stats.depth).toBe(50);
  });
});

/** Mutant, configuration, first invariant with all checked and its trace length, named invariant alone and its length. */
const MUTANT_CASES: [Mutant, Partial<Constants>, string, number, string, number][] = [
  ['noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, 'LeaseAgreement', 7, 'SinglePrimary', 9],
  ['ignoreSkew', { MaxGrants: 2 }, 'LeaseAgreement', 9, 'SinglePrimary', 11],
  ['expiryFromReceipt', { MaxGrants: 2 }, 'LeaseAgreement', 9, 'SinglePrimary', 11],
  ['grantWhileLeased', { MaxGrants: 2 }, 'LeaseAgreement', 5, 'SinglePrimary', 7],
  ['arrivalOrder', { W: 2 }, 'MutationOrder', 20, 'MutationOrder', 20],
  ['ackBeforeReplicas', {}, 'AckedDurable', 12, 'AckedDurable', 12],
  ['noVersionBump', { MaxCrashes: 1 }, 'AckedDurable', 12, 'AckedDurable', 12],
];

describe('each mutant breaks the invariant the design page names', () => {
  for (const [mutant, over, first, firstLen, named, namedLen] of MUTANT_CASES) {
    it(`${mutant} on ${JSON.stringify(over)}: ${first} in ${firstLen} states; ${named} alone in ${namedLen}`, () => {
      const spec = gfsSpec(cfg(over, [mutant]));
      const all = check(spec, { symmetry: false });
      expect(all.kind).toBe('violation');
      if (all.kind !== 'violation') return;
      expect(all.violations[0]!.property).toBe(first);
      expect(all.violations[0]!.trace.states).toHaveLength(firstLen);
      const alone = check(spec, { invariants: [named], symmetry: false });
      expect(alone.kind).toBe('violation');
      if (alone.kind !== 'violation') return;
      expect(alone.violations[0]!.property).toBe(named);
      expect(alone.violations[0]!.trace.states).toHaveLength(namedLen);
    });
  }

});

describe('parallel checking (worker threads) gives the same facts', () => {
  const ref = (over: Partial<Constants>, mutant: Mutant | null) => ({
    module: new URL('../specs/catalog.ts', import.meta.url).href,
    export: 'buildSpec',
    args: ['gfs-lease', { ...BASE_CONSTANTS, ...over }, mutant, []],
  });
  it('base configuration with 2 workers: 69,057 states (397,825 generated), depth 38; 34,533 with symmetry', async () => {
    const r = await checkParallel(ref({}, null), gfsSpec(cfg()), 2, { symmetry: false });
    expect([r.kind, r.stats.distinctStates, r.stats.generatedStates, r.stats.depth]).toEqual(['ok', 69_057, 397_825, 38]);
    const s = await checkParallel(ref({}, null), gfsSpec(cfg()), 2, { symmetry: true });
    expect([s.kind, s.stats.distinctStates, s.stats.depth]).toEqual(['ok', 34_533, 38]);
  });
  it('each mutant with 2 workers: the same invariant and counterexample length, found alone or shared', async () => {
    // soloBelow 0: both workers from the first level; by default the first worker finds most
    // of these violations alone, before the levels grow large.
    for (const soloBelow of [0, undefined]) {
      for (const [mutant, over, first, firstLen] of MUTANT_CASES) {
        const options = { symmetry: false, ...(soloBelow === undefined ? {} : { soloBelow }) };
        const r = await checkParallel(ref(over, mutant), gfsSpec(cfg(over, [mutant])), 2, options);
        expect(r.kind).toBe('violation');
        if (r.kind !== 'violation') continue;
        expect([r.violations[0]!.property, r.violations[0]!.trace.states.length]).toEqual([first, firstLen]);
      }
    }
  });
});
