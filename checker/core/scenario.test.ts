import { describe, expect, it } from 'vitest';
import { dieHard, type Jugs } from '../fixtures/diehard.js';
import { findScenario, findScenarioStaged } from './scenario.js';

const at = (name: string, f: (s: Jugs) => boolean) => ({ name, check: f });

describe('scenario checks (DieHard)', () => {
  it('one milestone is the shortest path to it: big = 4 in 7 states, as TLC finds NotSolved', () => {
    const r = findScenario(dieHard, { name: 'four', milestones: [at('Four', (s) => s.big === 4)] });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.trace.states).toHaveLength(7);
    expect(r.reachedAt).toEqual([6]);
    expect(r.trace.states[6]!.big).toBe(4);
  });

  it('milestones in order: four gallons, then both jugs empty again, in 9 states', () => {
    const r = findScenario(dieHard, {
      name: 'four-then-empty',
      milestones: [at('Four', (s) => s.big === 4), at('Empty', (s) => s.big === 0 && s.small === 0)],
    });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.trace.states).toHaveLength(9);
    expect(r.reachedAt).toEqual([6, 8]);
    // The trace is a real behaviour of the spec: each step is an enabled action.
    for (let i = 0; i < r.trace.actions.length; i++) {
      expect(dieHard.next(r.trace.states[i]!, r.trace.actions[i]!)).toEqual(r.trace.states[i + 1]);
    }
  });

  it('one state may pass consecutive milestones', () => {
    const big5 = at('BigFull', (s) => s.big === 5);
    const r = findScenario(dieHard, { name: 'twice', milestones: [big5, big5] });
    expect(r.kind === 'found' && [r.trace.states.length, ...r.reachedAt]).toEqual([2, 1, 1]);
  });

  it('proves that no behaviour passes an unreachable milestone, and says how far they get', () => {
    const r = findScenario(dieHard, {
      name: 'never',
      milestones: [at('Four', (s) => s.big === 4), at('Seven', (s) => s.small + s.big === 9)],
    });
    expect(r.kind).toBe('none');
    if (r.kind !== 'none') return;
    expect(r.mostPassed).toBe(1);
    // The product: the 14 jug states without 4 gallons in the big jug, counter 0 (the
    // two with 4, (0,4) and (3,4), pass the first milestone), and all 16 with counter 1.
    expect(r.stats.distinctStates).toBe(30);
  });
});

describe('staged scenario search (one milestone at a time)', () => {
  it('finds a behaviour through every milestone, here longer than the shortest', () => {
    // Greedy stages: the shortest way to a full small jug (FillSmall: 2 states) leads away
    // from the shortest way to 4 gallons (FillBig first), which also fills the small jug.
    const milestones = [at('SmallFull', (s: Jugs) => s.small === 3), at('Four', (s: Jugs) => s.big === 4)];
    const staged = findScenarioStaged(dieHard, { name: 'x', milestones });
    const exact = findScenario(dieHard, { name: 'x', milestones });
    expect(staged.kind).toBe('found');
    expect(exact.kind).toBe('found');
    if (staged.kind !== 'found' || exact.kind !== 'found') return;
    expect([staged.trace.states.length, ...staged.reachedAt]).toEqual([9, 1, 8]);
    expect([exact.trace.states.length, ...exact.reachedAt]).toEqual([7, 2, 6]);
    for (let i = 0; i < staged.trace.actions.length; i++) {
      expect(dieHard.next(staged.trace.states[i]!, staged.trace.actions[i]!)).toEqual(staged.trace.states[i + 1]);
    }
    expect(milestones[1]!.check(staged.trace.states.at(-1)!)).toBe(true);
  });

  it('is stuck when a stage cannot be reached from where the previous one ended', () => {
    const r = findScenarioStaged(dieHard, { name: 'x', milestones: [at('Nine', (s: Jugs) => s.small + s.big === 9)] });
    expect(r.kind).toBe('stuck');
  });
});
