import { describe, expect, it } from 'vitest';
import { check } from './explore.js';
import { checkLasso, checkLiveness, LivenessRefused, type FairnessConstraint, type TemporalProperty } from './liveness.js';
import type { Spec } from './spec.js';
import { ewd840 } from '../fixtures/ewd840.js';
import { asyncTermination } from '../fixtures/async-termination.js';

/** A small spec from a transition table: state -> [action name, args, next state][]. */
function graphSpec(name: string, table: Record<number, [string, number[], number][]>, inits = [0]): Spec<number> {
  const names = [...new Set(Object.values(table).flatMap((es) => es.map((e) => e[0])))];
  return {
    name,
    actionNames: names,
    initStates: () => inits,
    actions: (s) => (table[s] ?? []).map(([n, args]) => ({ name: n, args })),
    next: (s, a) => (table[s] ?? []).find(([n, args]) => n === a.name && args.every((x, i) => x === a.args[i]))![2],
  };
}

const wf = (action: string, perArgs = false): FairnessConstraint => ({ kind: 'WF', action, perArgs });
const sf = (action: string, perArgs = false): FairnessConstraint => ({ kind: 'SF', action, perArgs });
const ev = (p: (s: number) => boolean): TemporalProperty<number> => ({ name: 'Ev', kind: 'eventually', p });

/** Checks and, for a violation, replays the lasso with checkLasso; returns [kind, prefix, cycle]. */
function verdict<S>(spec: Spec<S>, property: TemporalProperty<S> | string, fairness: readonly (string | FairnessConstraint)[]): [string, number?, number?] {
  const r = checkLiveness(spec, { property, fairness });
  if (r.kind !== 'violation') return [r.kind];
  const v = r.violations[0]!;
  expect(v.kind).toBe('liveness');
  expect(checkLasso(spec, v.trace, property, fairness)).toEqual([]);
  return [r.kind, r.liveness.prefix, r.liveness.cycle];
}

describe('liveness: semantics on small graphs', () => {
  // 0 -Step-> 1 -Step-> 2, and 2 has nothing enabled (it stutters forever).
  const line = graphSpec('line', { 0: [['Step', [], 1]], 1: [['Step', [], 2]] });

  it('without fairness a state may stutter forever: eventually fails at the initial state', () => {
    expect(verdict(line, ev((s) => s === 2), [])).toEqual(['violation', 0, 1]);
  });

  it('weak fairness of the step makes eventually hold; a deadlocked end state stutters', () => {
    expect(verdict(line, ev((s) => s === 2), [wf('Step')])).toEqual(['ok']);
    // Nothing is enabled in 2, so stuttering there is fair: 3 can never be reached.
    expect(verdict(line, ev((s) => s === 3), [wf('Step')])).toEqual(['violation', 2, 1]);
  });

  // 0 <-> 1 by Toggle; Go leads from 1 to 2 (enabled only in 1).
  const toggle = graphSpec('toggle', { 0: [['Toggle', [], 1]], 1: [['Toggle', [], 0], ['Go', [], 2]], 2: [] });

  it('weak fairness is not enough for an action enabled on and off; strong fairness is', () => {
    expect(verdict(toggle, ev((s) => s === 2), [wf('Toggle'), wf('Go')])).toEqual(['violation', 0, 2]);
    expect(verdict(toggle, ev((s) => s === 2), [wf('Toggle'), sf('Go')])).toEqual(['ok']);
    // Strong fairness of Go alone: stuttering at 0 is fair (Go is disabled there).
    expect(verdict(toggle, ev((s) => s === 2), [sf('Go')])).toEqual(['violation', 0, 1]);
  });

  it('a self-loop is stuttering: it neither takes the action nor enables it (TLC: <<A>>_vars)', () => {
    // In 0, Spin loops to 0; WF(Spin) cannot force anything, and stuttering at 0 is fair.
    const spin = graphSpec('spin', { 0: [['Spin', [], 0], ['Go', [], 1]] });
    expect(verdict(spin, ev((s) => s === 1), [wf('Spin')])).toEqual(['violation', 0, 1]);
    expect(verdict(spin, ev((s) => s === 1), [wf('Spin'), wf('Go')])).toEqual(['ok']);
  });

  // Two bits, Flip(i) flips bit i: state = b1 + 2 * b2.
  const flips = graphSpec('flips', {
    0: [['Flip', [1], 1], ['Flip', [2], 2]],
    1: [['Flip', [1], 0], ['Flip', [2], 3]],
    2: [['Flip', [1], 3], ['Flip', [2], 0]],
    3: [['Flip', [1], 2], ['Flip', [2], 1]],
  });
  const aeBit1: TemporalProperty<number> = { name: 'Bit1', kind: 'alwaysEventually', p: (s) => (s & 1) === 1 };

  it('fairness as one action (WF_vars(A)) against per argument tuple (\\A i: WF_vars(A(i)))', () => {
    // One action: flipping bit 2 forever takes Flip infinitely often.
    expect(verdict(flips, aeBit1, [wf('Flip')])).toEqual(['violation', 0, 2]);
    expect(verdict(flips, aeBit1, [wf('Flip', true)])).toEqual(['ok']);
  });

  it('eventually always: a cycle through a state where P fails', () => {
    const ea: TemporalProperty<number> = { name: 'EA', kind: 'eventuallyAlways', p: (s) => s !== 1 };
    expect(verdict(flips, ea, [wf('Flip', true)])).toEqual(['violation', 0, 4]);
    // The line ends stuttering at 2 forever, where s === 1 fails.
    const stays: TemporalProperty<number> = { name: 'Stays', kind: 'eventuallyAlways', p: (s) => s === 1 };
    expect(verdict(line, stays, [wf('Step')])).toEqual(['violation', 2, 1]);
    expect(verdict(line, { name: 'End', kind: 'eventuallyAlways', p: (s) => s === 2 }, [wf('Step')])).toEqual(['ok']);
  });

  it('leadsTo: the prefix goes to a P state, then the cycle avoids Q', () => {
    // 0 -> 1 -> 2 -> 3 -> 2 (Loop), 3 -Exit-> 4; P = {1}, Q = {4}.
    const g = graphSpec('lt', { 0: [['A', [], 1]], 1: [['A', [], 2]], 2: [['A', [], 3]], 3: [['Loop', [], 2], ['Exit', [], 4]] });
    const lt: TemporalProperty<number> = { name: 'LT', kind: 'leadsTo', p: (s) => s === 1, q: (s) => s === 4 };
    expect(verdict(g, lt, [wf('A'), wf('Loop')])).toEqual(['violation', 2, 2]);
    // Exit is enabled in 3 only: the cycle 2 -> 3 -> 2 meets WF(Exit) (disabled in 2), not SF(Exit).
    expect(verdict(g, lt, [wf('A'), wf('Exit')])).toEqual(['violation', 2, 2]);
    expect(verdict(g, lt, [wf('A'), sf('Exit')])).toEqual(['ok']);
  });

  it('strong fairness refinement: a component failing SF keeps its fair part', () => {
    // 0 <-> 1 (A), 1 -B-> 2 (goal); 0 -C-> 0' loop: 0 <-> 3 by C. SF(B): the cycle 0 <-> 3 never enables B.
    const g = graphSpec('refine', { 0: [['A', [], 1], ['C', [], 3]], 1: [['A', [], 0], ['B', [], 2]], 3: [['C', [], 0]] });
    expect(verdict(g, ev((s) => s === 2), [wf('A'), sf('B'), wf('C')])).toEqual(['violation', 0, 2]);
    expect(verdict(g, ev((s) => s === 2), [sf('A'), sf('B')])[0]).toBe('violation');
  });

  it('checks invariants in the same pass, with the shortest trace', () => {
    const spec = { ...line, invariants: [{ name: 'Not2', check: (s: number) => s !== 2 }] };
    const r = checkLiveness(spec, { property: ev((s) => s === 2), fairness: [wf('Step')] });
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    expect(r.violations[0]!.kind).toBe('invariant');
    expect(r.violations[0]!.trace.states).toEqual([0, 1, 2]);
  });

  it('refuses symmetry and state constraints, unknown names; checkLasso rejects bad lassos', () => {
    expect(() => checkLiveness({ ...line, canonicalize: (s: number) => s }, { property: ev(() => true) })).toThrow(LivenessRefused);
    expect(() => checkLiveness({ ...line, constraint: () => true }, { property: ev(() => true) })).toThrow(/state constraint/);
    expect(() => checkLiveness(line, { property: 'Nope' })).toThrow(/unknown liveness property 'Nope'/);
    expect(() => checkLiveness(line, { property: ev(() => true), fairness: [wf('Jump')] })).toThrow(/'Jump'/);
    const stutter0 = { states: [0], actions: [], loopStart: 0 };
    expect(checkLasso(line, stutter0, ev((s) => s === 2), [])).toEqual([]);
    expect(checkLasso(line, stutter0, ev((s) => s === 2), [wf('Step')])[0]).toMatch(/WF\(Step\) fails on the cycle/);
    expect(checkLasso(line, stutter0, ev((s) => s === 0), [])[0]).toMatch(/does not fail/);
    expect(checkLasso(line, { states: [0, 2], actions: [{ name: 'Step', args: [] }], loopStart: 1 }, ev(() => false))[0]).toMatch(/not enabled/);
    expect(checkLasso(toggle, { states: [0, 1], actions: [{ name: 'Toggle', args: [] }], loopStart: 0 }, ev(() => false))[0]).toMatch(/not the loop state/);
  });

  it('is deterministic: the same lasso twice', () => {
    const a = checkLiveness(flips, { property: aeBit1, fairness: [wf('Flip')] });
    const b = checkLiveness(flips, { property: aeBit1, fairness: [wf('Flip')] });
    expect(JSON.stringify(a.kind === 'violation' && a.violations[0]!.trace)).toBe(JSON.stringify(b.kind === 'violation' && b.violations[0]!.trace));
  });
});

describe('liveness: TLA+ examples (tlaplus/Examples), TLC verdict: holds', () => {
  it("EWD840 (N=3): Liveness (terminated ~> terminationDetected) holds under WF_vars(System)", () => {
    const spec = ewd840(3);
    const r = checkLiveness(spec, { property: 'Liveness', fairness: ['WF_System'] });
    expect(r.kind).toBe('ok');
    // TLC: 302 distinct states (EWD840.cfg). Same count as the safety search here.
    expect(r.stats.distinctStates).toBe(302);
    expect(r.stats.generatedStates).toBe(check(spec).stats.generatedStates);
    expect(r.stats.generatedStates).toBe(1817);
    expect(r.stats.depth).toBe(9);
    // Without fairness the token may stop: a terminated state stutters.
    expect(verdict(spec, 'Liveness', [])).toEqual(['violation', 0, 1]);
  });

  it('AsyncTerminationDetection (N=4): Live holds under WF_vars(DetectTermination)', () => {
    const spec = asyncTermination(4);
    const r = checkLiveness(spec, { property: 'Live', fairness: ['WF_DetectTermination'] });
    expect(r.kind).toBe('ok');
    // TLC: 4,097 distinct states, depth 14 (AsyncTerminationDetection.cfg).
    expect(r.stats.distinctStates).toBe(4097);
    expect(r.stats.depth).toBe(14);
    expect(r.stats.generatedStates).toBe(45_079);
    expect(verdict(spec, 'Live', [])).toEqual(['violation', 0, 1]);
  });
});
