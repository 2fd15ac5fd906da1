import { describe, expect, it } from 'vitest';
import { check } from './explore.js';
import type { Action, Spec } from './spec.js';
import { twoPhase } from '../fixtures/twophase.js';
import { reordered } from './verify.js';
import { checkParallel } from '../parallel/index.js';
import { setOrder, type SetOrderState } from '../fixtures/set-order.js';

const setOrderSpec = setOrder();

type C = { n: number; log: number[] };
/** A counter whose `next` pushes onto its input's array (a mutation that changes the input's value). */
const mutating: Spec<C> = {
  name: 'Mutating',
  initStates: () => [{ n: 0, log: [] }],
  actions: (s) => (s.n < 4 ? [{ name: 'Inc', args: [1] }, { name: 'Inc', args: [2] }] : []),
  next(s, a) {
    s.log.push(a.args[0] as number);
    return { n: s.n + (a.args[0] as number), log: [...s.log] };
  },
  invariants: [{ name: 'Small', check: (s) => s.n < 100 }],
};

/** A spec whose action order changes from call to call (a hidden counter stands in for Math.random). */
function flaky(): Spec<{ n: number }> {
  let calls = 0;
  return {
    name: 'Flaky',
    initStates: () => [{ n: 0 }],
    actions: (s) => {
      calls++;
      const acts: Action[] = s.n < 6 ? [{ name: 'Add', args: [1] }, { name: 'Add', args: [2] }] : [];
      return calls % 2 === 0 ? acts.reverse() : acts;
    },
    next: (s, a) => ({ n: s.n + (a.args[0] as number) }),
    invariants: [{ name: 'NotFive', check: (s) => s.n !== 5 }],
  };
}

const undefinedNext: Spec<{ n: number }> = {
  name: 'UndefinedNext',
  initStates: () => [{ n: 0 }],
  actions: (s) => (s.n < 3 ? [{ name: 'Step', args: [] }] : []),
  next: (s) => (s.n === 1 ? (undefined as unknown as { n: number }) : { n: s.n + 1 }),
  invariants: [{ name: 'Positive', check: (s) => s.n >= 0 }],
};

describe('counterexamples are always real', () => {
  it('SetOrder: an error naming the cause, never a violation whose trace does not violate', () => {
    const r = check(setOrderSpec);
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.where).toBe('actions');
    expect(r.message).toMatch(/^actions\(\) listed different actions for equal states/);
    expect(r.message).toMatch(/depend only on the state's value/);
    expect(r.trace).toBeDefined();
  });

  it('SetOrder with strict: the same cause, found while exploring', () => {
    const r = check(setOrderSpec, { strict: true });
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/^actions\(\) listed different actions for equal states/);
  });

  it('SetOrder with 2 workers: the same error', async () => {
    const ref = { module: new URL('../fixtures/set-order.ts', import.meta.url).href, export: 'setOrder', args: [] };
    const r = await checkParallel(ref, setOrder(), 2, { soloBelow: 0 });
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/^actions\(\) listed different actions for equal states/);
  });

  it('a sorted SetOrder is a real violation, replayed on the states the explorer saw', () => {
    const r = check(setOrder(true));
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    const t = r.violations[0]!.trace;
    expect(t.states.length).toBe(5);
    expect((t.states.at(-1) as SetOrderState).picked).toBe(0);
    expect(t.actions.at(-1)).toEqual({ name: 'Pick', args: [0] });
  });
});

type R = { x: number; hist: readonly number[] };
/**
 * A counter with an action enabled in one state only (x = 7), whose `next` writes into the
 * array its input shares with its successors; `Inc` is enabled while `hist[0]` is 0. Pure, it
 * has 75 states; with the write, the states past 7 that share the array lose `Inc`: a run that
 * missed the write would report 10.
 */
function rare(writes: boolean): Spec<R> {
  return {
    name: 'Rare',
    initStates: () => [{ x: 0, hist: [0, 0] }],
    actions: (s) => [...(s.x < 40 && s.hist[0] === 0 ? [{ name: 'Inc', args: [] }] : []), ...(s.x === 7 ? [{ name: 'Rare', args: [] }] : [])],
    next(s, a) {
      if (a.name === 'Inc') return { x: s.x + 1, hist: s.hist };
      if (writes) (s.hist as number[])[0] = 1;
      return { x: s.x, hist: [s.hist[0]!, 1] };
    },
  };
}

describe('guards against spec mistakes', () => {
  it('a next() that changes its input in an action enabled in one state is an error, not a count', () => {
    expect(check(rare(false)).stats.distinctStates).toBe(75);
    // The state x = 7 is the 8th expanded: not one of the sampled (every 16th from the first).
    const r = check(rare(true));
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.where).toBe('next');
    expect(r.message).toMatch(/^next\(\) changed the state it was given, in Rare/);
  });

  it('a next() that changes its input is an error, not a count', () => {
    const r = check(mutating);
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.where).toBe('next');
    expect(r.message).toMatch(/^next\(\) changed the state it was given, in Inc\(1\)/);
  });

  it('a mutating TwoPhase is caught (it gave 175 states instead of 288)', () => {
    const tp = twoPhase(3);
    const bad: typeof tp = {
      ...tp,
      next(s, a) {
        const t = tp.next(s, a);
        // The classic mistake: update a nested value in place, then spread.
        if (a.name === 'RMPrepare') (s.rmState as string[])[a.args[0] as number] = 'prepared';
        return t;
      },
    };
    expect(check(tp).stats.distinctStates).toBe(288);
    const r = check(bad);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/changed the state it was given/);
  });

  it('nondeterministic actions(): strict names it; the default never reports a wrong trace', () => {
    const strict = check(flaky(), { strict: true });
    expect(strict.kind).toBe('error');
    if (strict.kind === 'error') expect(strict.message).toMatch(/^actions\(\) listed different actions when called twice/);
    // Without strict too: the first states are checked in full.
    const plain = check(flaky());
    expect(plain.kind).toBe('error');
    if (plain.kind === 'error') expect(plain.message).toMatch(/^actions\(\) listed different actions when called twice/);
  });

  it('actions() that leave an action out now and then are an error without strict, not a smaller count', () => {
    let calls = 0;
    const sometimes: Spec<{ n: number }> = {
      name: 'Sometimes',
      initStates: () => [{ n: 0 }],
      // Stands in for Math.random: every third call forgets Add(2).
      actions: (s) => (s.n < 20 ? [{ name: 'Add', args: [1] }, ...(++calls % 3 === 0 ? [] : [{ name: 'Add', args: [2] }])] : []),
      next: (s, a) => ({ n: s.n + (a.args[0] as number) }),
    };
    const r = check(sometimes);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/^actions\(\) listed different actions when called twice/);
  });

  it('next() returning undefined is blamed on next, with the action', () => {
    const r = check(undefinedNext);
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.where).toBe('next');
    expect(r.message).toBe('next() returned undefined for Step: it must return the successor state');
    expect(r.trace?.states.length).toBe(2);
  });

  it('strict on a correct spec changes no count', () => {
    const a = check(twoPhase(3));
    const b = check(twoPhase(3), { strict: true });
    expect(b.kind).toBe('ok');
    expect(b.stats.distinctStates).toBe(a.stats.distinctStates);
    expect(b.stats.generatedStates).toBe(a.stats.generatedStates);
  });

  it('a plain spec whose actions follow a Set\'s insertion order: a violation by default, an error with strict', () => {
    const plain: Spec<SetOrderState> = { ...setOrderSpec, name: 'SetOrderPlain' };
    delete (plain as { encode?: unknown }).encode;
    delete (plain as { decode?: unknown }).decode;
    const r = check(plain);
    expect(r.kind).toBe('violation');
    if (r.kind === 'violation') expect((r.violations[0]!.trace.states.at(-1) as SetOrderState).picked).toBe(0);
    const s = check(plain, { strict: true });
    expect(s.kind).toBe('error');
    if (s.kind === 'error') expect(s.message).toMatch(/^actions\(\) listed different actions for equal states/);
  });

  it('reordered() builds an equal value in another order', () => {
    const v = { a: 1, b: new Set([1, 2]), c: new Map([[1, 'x'], [2, 'y']]), d: [3, 4] };
    const r = reordered(v);
    expect(Object.keys(r)).toEqual(['d', 'c', 'b', 'a']);
    expect([...r.b]).toEqual([2, 1]);
    expect([...r.c.keys()]).toEqual([2, 1]);
    expect(r.d).toEqual([3, 4]);
  });
});
