import { describe, expect, it } from 'vitest';
import { assert, check, checkAsync, CheckFailure, formatAction, type Action, type CheckEvent, type Spec } from './index.js';
import { dieHard } from '../fixtures/diehard.js';
import { twoPhase } from '../fixtures/twophase.js';
import { grid } from '../fixtures/grid.js';

describe('DieHard (TLC: 16 distinct states, 97 generated; NotSolved violated in 7 states)', () => {
  it('explores the whole space with TypeOK only', () => {
    const r = check(dieHard, { invariants: ['TypeOK'] });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(16);
    expect(r.stats.generatedStates).toBe(97);
    expect(r.stats.depth).toBe(8);
    expect(r.stats.levels.reduce((a, b) => a + b, 0)).toBe(16);
    expect(r.stats.sometimes).toEqual({ BigFull: 2 });
  });

  it('finds the shortest solution of the puzzle as a violation of NotSolved', () => {
    const r = check(dieHard);
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.property).toBe('NotSolved');
    expect(v.trace.states).toHaveLength(7);
    expect(v.trace.actions).toHaveLength(6);
    expect(v.trace.states[0]).toEqual({ small: 0, big: 0 });
    expect(v.trace.states[6]!.big).toBe(4);
    // Every step replays: the labelled action leads from each state to the next.
    for (let i = 0; i < 6; i++) expect(dieHard.next(v.trace.states[i]!, v.trace.actions[i]!)).toEqual(v.trace.states[i + 1]);
    expect(v.trace.actions.map(formatAction)).toEqual([
      'FillBigJug',
      'BigToSmall',
      'EmptySmallJug',
      'BigToSmall',
      'FillBigJug',
      'BigToSmall',
    ]);
  });

  it('assert throws a CheckFailure carrying the result', () => {
    expect(() => assert(dieHard)).toThrow(CheckFailure);
    expect(assert(dieHard, { invariants: ['TypeOK'] }).distinctStates).toBe(16);
  });

  it('rejects an unknown invariant name, listing the valid ones', () => {
    expect(() => check(dieHard, { invariants: ['Nope'] })).toThrow(/unknown invariant 'Nope'.*TypeOK, NotSolved/);
  });
});

describe('TwoPhase with 3 resource managers (TLC: 288 distinct states, diameter 11)', () => {
  it('holds TPTypeOK and TCConsistent over 288 states at depth 11', () => {
    const stats = assert(twoPhase(3));
    expect(stats.distinctStates).toBe(288);
    expect(stats.depth).toBe(11);
    expect(stats.neverFired).toEqual([]);
  });

  it('reports coverage per action', () => {
    const r = check(twoPhase(3));
    const total = Object.values(r.stats.coverage).reduce((a, c) => a + c.fired, 0);
    expect(total + 1).toBe(r.stats.generatedStates);
    const found = Object.values(r.stats.coverage).reduce((a, c) => a + c.newStates, 0);
    expect(found + 1).toBe(288);
  });

  it('counts coverage the same by actionIndex as by name, and falls back to names for an index out of range', () => {
    const plain = twoPhase(3);
    const names = plain.actionNames!;
    const byIndex = { ...plain, actionIndex: (a: Action) => names.indexOf(a.name) };
    // An index past the names: the engine looks the name up instead.
    const outOfRange = { ...plain, actionIndex: () => names.length };
    const want = check(plain).stats.coverage;
    expect(Object.values(want).some((c) => c.fired > 0 && c.newStates > 0)).toBe(true);
    expect(check(byIndex).stats.coverage).toEqual(want);
    expect(check(outOfRange).stats.coverage).toEqual(want);
  });
});

describe('bounds end a run as incomplete, with statistics', () => {
  it('maxStates', () => {
    const r = check(grid(3, 10), { maxStates: 100 });
    expect(r.kind).toBe('incomplete');
    if (r.kind === 'incomplete') expect(r.reason).toBe('maxStates');
    expect(r.stats.distinctStates).toBe(100);
  });
  it('maxDepth', () => {
    const r = check(dieHard, { invariants: ['TypeOK'], maxDepth: 3 });
    expect(r.kind).toBe('incomplete');
    if (r.kind === 'incomplete') expect(r.reason).toBe('maxDepth');
    expect(r.stats.depth).toBe(3);
    // A bound at or beyond the diameter cuts nothing off.
    expect(check(dieHard, { invariants: ['TypeOK'], maxDepth: 8 }).kind).toBe('ok');
  });
  it('time limit', () => {
    const r = check(grid(4, 30), { timeLimitMs: 1 });
    expect(r.kind).toBe('incomplete');
    if (r.kind === 'incomplete') expect(r.reason).toBe('timeLimit');
  });
});

type Counter = { readonly n: number };
const counter = (over: Partial<Spec<Counter>> = {}): Spec<Counter> => ({
  name: 'Counter',
  initStates: () => [{ n: 0 }],
  actions: (s) => (s.n < 5 ? [{ name: 'Inc', args: [] }] : []),
  next: (s) => ({ n: s.n + 1 }),
  ...over,
});

describe('errors, deadlocks, constraints, action properties', () => {
  it('an invariant that throws is an error result naming it, with a trace', () => {
    const r = check(
      counter({
        invariants: [
          {
            name: 'Boom',
            check: (s) => {
              if (s.n === 2) throw new Error('kaboom');
              return true;
            },
          },
        ],
      }),
    );
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.where).toBe('Boom');
    expect(r.message).toBe('kaboom');
    expect(r.trace?.states).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('a next() that throws is an error result', () => {
    const r = check(
      counter({
        next: (s) => {
          if (s.n === 3) throw new Error('bad step');
          return { n: s.n + 1 };
        },
      }),
    );
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.where).toBe('next');
      expect(r.trace?.states.at(-1)).toEqual({ n: 3 });
    }
  });

  it('handles the successors of a state in action order: an earlier violation wins over a later throw', () => {
    // A adds 1 and B adds 3. From n = 1, A reaches n = 2 (violates Small) and B throws. The explorer
    // computes all successors of a state before storing them, yet reports as if in turn.
    const spec = counter({
      actions: (s) => (s.n < 5 ? [{ name: 'A', args: [] }, { name: 'B', args: [] }] : []),
      next: (s, a) => {
        if (a.name === 'B' && s.n === 1) throw new Error('B fails');
        return { n: s.n + (a.name === 'A' ? 1 : 3) };
      },
      invariants: [{ name: 'Small', check: (s) => s.n !== 2 }],
    });
    const r = check(spec);
    expect(r.kind).toBe('violation');
    if (r.kind === 'violation') expect(r.violations[0]!.trace.states).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    // Without the invariant, the throw is reported, blaming the state it was expanding.
    const e = check({ ...spec, invariants: [] });
    expect(e.kind).toBe('error');
    if (e.kind === 'error') {
      expect(e.where).toBe('next');
      expect(e.trace?.states.at(-1)).toEqual({ n: 1 });
      // 0, then 1 and 3, then A's successor 2, stored before B threw.
      expect(e.stats.distinctStates).toBe(4);
    }
  });

  it('deadlock checking reports a state with no enabled action', () => {
    expect(check(counter()).kind).toBe('ok');
    const r = check(counter(), { checkDeadlock: true });
    expect(r.kind).toBe('deadlock');
    if (r.kind === 'deadlock') expect(r.trace.states).toHaveLength(6);
  });

  it('constraint: states outside are neither stored nor expanded, but their invariants are checked (as TLC)', () => {
    const ok = check(counter({ constraint: (s) => s.n <= 3 }));
    expect(ok.stats.distinctStates).toBe(4); // 0..3; 4 is generated but not stored
    expect(ok.stats.generatedStates).toBe(5);
    const bad = check(counter({ constraint: (s) => s.n <= 3, invariants: [{ name: 'Small', check: (s) => s.n < 4 }] }));
    expect(bad.kind).toBe('violation');
    if (bad.kind === 'violation') expect(bad.violations[0]!.trace.states.at(-1)).toEqual({ n: 4 });
  });

  it('action properties are checked on every step, with the step as the trace end', () => {
    const r = check(counter({ actionProperties: [{ name: 'SmallSteps', check: (a, b) => b.n !== 3 }] }));
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    expect(r.violations[0]).toMatchObject({ property: 'SmallSteps', kind: 'action' });
    expect(r.violations[0]!.trace.states).toHaveLength(4);
  });

  it('continue mode reports every violated invariant once, each with its own shortest trace', () => {
    const spec = counter({
      invariants: [
        { name: 'Below4', check: (s) => s.n < 4 },
        { name: 'Below2', check: (s) => s.n < 2 },
      ],
    });
    const first = check(spec);
    expect(first.kind === 'violation' && first.violations.map((v) => v.property)).toEqual(['Below2']);
    const all = check(spec, { continueAfterViolation: true });
    expect(all.kind).toBe('violation');
    if (all.kind !== 'violation') return;
    expect(all.violations.map((v) => [v.property, v.trace.states.length])).toEqual([
      ['Below2', 3],
      ['Below4', 5],
    ]);
    expect(all.stats.distinctStates).toBe(6);
  });

  it('sometimes properties: assert fails when one never holds', () => {
    const spec = counter({ sometimes: [{ name: 'Ten', check: (s) => s.n === 10 }] });
    const r = check(spec);
    expect(r.kind).toBe('ok');
    expect(r.stats.sometimes).toEqual({ Ten: null });
    expect(() => assert(spec)).toThrow(/sometimes properties never held: Ten/);
  });
});

describe('symmetry', () => {
  // Two interchangeable counters; the canonical form sorts them.
  type Pair = readonly [number, number];
  const pair: Spec<Pair> = {
    name: 'Pair',
    initStates: () => [[0, 0]],
    actions: (s) => [0, 1].filter((i) => s[i]! < 3).map((i) => ({ name: 'Inc', args: [i] })),
    next: (s, a) => (a.args[0] === 0 ? [s[0] + 1, s[1]] : [s[0], s[1] + 1]),
    canonicalize: (s) => (s[0] <= s[1] ? s : [s[1], s[0]]),
    invariants: [{ name: 'NotBothThreeAndOne', check: (s) => !(Math.max(...s) === 3 && Math.min(...s) === 1) }],
  };
  it('reduces the orbit count and still reports a real behaviour', () => {
    expect(check(pair, { symmetry: false, invariants: [] }).stats.distinctStates).toBe(16);
    expect(check(pair, { invariants: [] }).stats.distinctStates).toBe(10);
    const r = check(pair);
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    const t = r.violations[0]!.trace;
    expect(t.states).toHaveLength(5);
    for (let i = 0; i + 1 < t.states.length; i++) expect(pair.next(t.states[i]!, t.actions[i]!)).toEqual(t.states[i + 1]);
  });
});

describe('events and determinism', () => {
  it('emits start, level and done events and never prints', () => {
    const events: CheckEvent[] = [];
    check(twoPhase(3), { onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({ type: 'start', spec: 'TwoPhase(3)' });
    expect(events.filter((e) => e.type === 'level')).toHaveLength(11);
    expect(events.at(-1)).toEqual({ type: 'done', kind: 'ok' });
  });

  it('gives the same counts and the same first counterexample on every run', () => {
    const a = check(dieHard);
    const b = check(dieHard);
    expect(JSON.stringify(a.kind === 'violation' && a.violations)).toBe(
      JSON.stringify(b.kind === 'violation' && b.violations),
    );
    expect(check(twoPhase(3)).stats.levels).toEqual(check(twoPhase(3)).stats.levels);
  });

  it('reports the collision probability and visited-set bytes', () => {
    const r = check(grid(3, 20));
    expect(r.stats.distinctStates).toBe(8000);
    expect(r.stats.collisionProbability).toBeGreaterThan(0);
    expect(r.stats.collisionProbability).toBeLessThan(1e-9);
    expect(r.stats.visitedBytes).toBeGreaterThan(0);
  });

  it('formats actions with their arguments', () => {
    const a: Action = { name: 'Tick', args: [2, 'M', true] };
    expect(formatAction(a)).toBe('Tick(2, M, true)');
  });
});

describe('checkAsync', () => {
  it('lets the event loop run during a long check, with the same counts, levels and first counterexample as check', async () => {
    const spec = grid(3, 40);
    const one = check(spec);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const r = await checkAsync(spec, { yieldEveryMs: 1 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(r.kind).toBe(one.kind);
    expect(r.stats.distinctStates).toBe(one.stats.distinctStates);
    expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
    expect(r.stats.levels).toEqual(one.stats.levels);
    const d = dieHard;
    const a = check(d);
    const b = await checkAsync(d, { yieldEveryMs: 0 });
    expect(b).toMatchObject({ kind: a.kind });
    if (a.kind === 'violation' && b.kind === 'violation') expect(b.violations[0]!.trace).toEqual(a.violations[0]!.trace);
  });
});
