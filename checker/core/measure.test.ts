import { describe, expect, it } from 'vitest';
import { dieHard, type Jugs } from '../fixtures/diehard.js';
import { check } from './explore.js';
import { measure, withGhost, type GhostState } from './measure.js';

describe('measures (DieHard)', () => {
  it('exact max and min over the reachable states, each with a shortest witness', () => {
    const r = measure(dieHard, [
      { name: 'water', value: (s: Jugs) => s.small + s.big },
      { name: 'bigWhenSmallEmpty', value: (s: Jugs) => (s.small === 0 ? s.big : undefined) },
    ]);
    expect(r.kind).toBe('ok');
    expect([r.distinctStates, r.depth]).toEqual([16, 8]);
    const c = check(dieHard, { invariants: ['TypeOK'] });
    expect([c.stats.distinctStates, c.stats.generatedStates, c.stats.depth]).toEqual([r.distinctStates, r.generatedStates, r.depth]);
    const [water, big] = r.measures;
    expect([water!.max!.value, water!.max!.trace.states.length]).toEqual([8, 3]);
    expect(water!.max!.trace.states.at(-1)).toEqual({ small: 3, big: 5 });
    expect([water!.min!.value, water!.min!.trace.states.length]).toEqual([0, 1]);
    // big with an empty small jug: 0..5, of which 4 is the puzzle's answer in 9 states; max 5 in 2.
    expect([big!.max!.value, big!.max!.trace.states.length, big!.definedIn]).toEqual([5, 2, 6]);
  });

  it('a measure defined nowhere has no extremes', () => {
    const r = measure(dieHard, [{ name: 'never', value: () => undefined }]);
    expect(r.measures[0]).toEqual({ name: 'never', definedIn: 0 });
  });

  it('a ghost counts events; urgency restricts actions; witnesses are behaviours of the product', () => {
    // Ghost: how many times the big jug was filled (capped at 3); urgency: never empty the big jug.
    const spec = withGhost(dieHard, {
      names: ['fills'],
      init: () => [0],
      step: (_b, a, _t, g) => [a.name === 'FillBigJug' ? Math.min(3, g[0]! + 1) : g[0]!],
      allow: (_s, _g, acts) => acts.filter((a) => a.name !== 'EmptyBigJug'),
    });
    const r = measure(spec, [{ name: 'fills', value: (x: GhostState<Jugs>) => x.g[0] }]);
    expect(r.kind).toBe('ok');
    const m = r.measures[0]!;
    // FillBig three times in a row: 4 states, the last (0, 5) with fills = 3.
    expect([m.max!.value, m.max!.trace.states.length]).toEqual([3, 4]);
    expect(m.max!.trace.actions.every((a) => a.name === 'FillBigJug')).toBe(true);
    expect(m.max!.trace.states.at(-1)).toEqual({ s: { small: 0, big: 5 }, g: [3] });
    expect(spec.toJSON!(m.max!.trace.states.at(-1)!)).toEqual({ small: 0, big: 5, ghost: { fills: 3 } });
  });

  it('stops at a bound and says so', () => {
    const r = measure(dieHard, [{ name: 'water', value: (s: Jugs) => s.small + s.big }], { maxStates: 5 });
    expect(r.kind).toBe('incomplete');
    expect(r.reason).toBe('maxStates');
  });
});
