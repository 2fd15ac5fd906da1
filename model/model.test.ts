/**
 * The GFS lease model against the facts TLC reports for the design page, and each
 * mutant against the invariant the page's table names.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/core/index.js';
import { checkParallel } from '../checker/parallel/index.js';
import { gfsSpec } from './spec.js';
import { BASE_CONSTANTS, type Config, type Constants, type Mutant } from './state.js';
import { CAUGHT, HOLDS, type CaughtCheck } from '../specs/facts.js';

const cfg = (over: Partial<Constants> = {}, mutants: Mutant[] = []): Config => ({ ...BASE_CONSTANTS, ...over, mutants });
const fmt = (n: number): string => n.toLocaleString('en-US');
/** The pinned invariant and counterexample length of a mutant check (specs/facts.ts). */
const caught = (name: CaughtCheck): [string, number] => [CAUGHT[name].invariant, CAUGHT[name].length];

describe('state counts equal TLC on the design page (symmetry off)', () => {
  it(`base configuration: ${fmt(HOLDS.lease.distinct)} distinct states (${fmt(HOLDS.lease.generated)} generated), diameter ${HOLDS.lease.depth}, every property holds`, () => {
    const r = check(gfsSpec(cfg()), { symmetry: false });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(HOLDS.lease.distinct);
    expect(r.stats.generatedStates).toBe(HOLDS.lease.generated);
    expect(r.stats.depth).toBe(HOLDS.lease.depth);
  });

  it(`MaxGrants=2: ${fmt(HOLDS['lease-grants2'].distinct)} distinct states (${fmt(HOLDS['lease-grants2'].generated)} generated), diameter ${HOLDS['lease-grants2'].depth}, every property holds`, () => {
    const r = check(gfsSpec(cfg({ MaxGrants: 2 })), { symmetry: false });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(HOLDS['lease-grants2'].distinct);
    expect(r.stats.generatedStates).toBe(HOLDS['lease-grants2'].generated);
    expect(r.stats.depth).toBe(HOLDS['lease-grants2'].depth);
  });
});

/** Mutant, configuration, first invariant with all checked and its trace length, named invariant alone and its length. */
const MUTANT_CASES: [Mutant, Partial<Constants>, string, number, string, number][] = [
  ['noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, ...caught('mutant-noGraceAfterRestart'), ...caught('mutant-noGraceAfterRestart-alone')],
  ['ignoreSkew', { MaxGrants: 2 }, ...caught('mutant-ignoreSkew'), ...caught('mutant-ignoreSkew-alone')],
  ['expiryFromReceipt', { MaxGrants: 2 }, ...caught('mutant-expiryFromReceipt'), ...caught('mutant-expiryFromReceipt-alone')],
  ['grantWhileLeased', { MaxGrants: 2 }, ...caught('mutant-grantWhileLeased'), ...caught('mutant-grantWhileLeased-alone')],
  ['arrivalOrder', { W: 2 }, ...caught('mutant-arrivalOrder'), ...caught('mutant-arrivalOrder')],
  ['ackBeforeReplicas', {}, ...caught('mutant-ackBeforeReplicas'), ...caught('mutant-ackBeforeReplicas')],
  ['noVersionBump', { MaxCrashes: 1 }, ...caught('mutant-noVersionBump'), ...caught('mutant-noVersionBump')],
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
  const base = HOLDS.lease;
  it(`base configuration with 2 workers: ${fmt(base.distinct)} states (${fmt(base.generated)} generated), depth ${base.depth}; ${fmt(base.symmetric)} with symmetry`, async () => {
    const r = await checkParallel(ref({}, null), gfsSpec(cfg()), 2, { symmetry: false });
    expect([r.kind, r.stats.distinctStates, r.stats.generatedStates, r.stats.depth]).toEqual(['ok', base.distinct, base.generated, base.depth]);
    const s = await checkParallel(ref({}, null), gfsSpec(cfg()), 2, { symmetry: true });
    expect([s.kind, s.stats.distinctStates, s.stats.depth]).toEqual(['ok', base.symmetric, base.depth]);
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
