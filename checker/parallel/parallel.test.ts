/**
 * Parallel checking on worker threads gives exactly the counts and depth of one worker,
 * and a counterexample of the same (shortest) length.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../core/explore.js';
import { checkParallel, WorkerPool, type SpecRef } from './index.js';
import { grid } from '../fixtures/grid.js';
import { twoPhase } from '../fixtures/twophase.js';
import { rows } from '../fixtures/rows.js';
import { twoPhasePlain, twoPhasePlainNeverCommitted } from '../fixtures/examples/twophase-plain.js';
import { replaySteps } from '../core/trace.js';
import type { Spec } from '../core/spec.js';

const gridRef = (dims: number, size: number): SpecRef => ({
  module: new URL('../fixtures/grid.ts', import.meta.url).href,
  export: 'grid',
  args: [dims, size],
});

describe('checkParallel', () => {
  it('explores the same states, levels and depth as one worker, with 2 and 3 workers', async () => {
    const one = check(grid(3, 12));
    for (const w of [2, 3]) {
      const r = await checkParallel(gridRef(3, 12), grid(3, 12), w, { soloBelow: 0 });
      expect(r.kind).toBe('ok');
      expect(r.stats.distinctStates).toBe(1728);
      expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
      expect(r.stats.levels).toEqual(one.stats.levels);
      expect(r.stats.depth).toBe(one.stats.depth);
      expect(r.stats.sometimes).toEqual(one.stats.sometimes);
      // Which action is credited with a new state depends on arrival order; firings do not.
      const fired = (c: Record<string, { fired: number }>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.fired]));
      expect(fired(r.stats.coverage)).toEqual(fired(one.stats.coverage));
    }
  });

  it('grows the shared table mid-level and while seeding, with the same counts as one worker', async () => {
    // Per worker: one chunk of parent ids and actions (6 B x 65,536) and the 128 KB recent cache.
    const tableSlots = (bytes: number, workers: number): number => (bytes - workers * (6 * 65_536 + 131_072)) / 8;
    // 8,000 states: the table starts at 16 slots and grows ten times during the run, to 16,384.
    const one = check(grid(3, 20));
    for (const w of [2, 3]) {
      const r = await checkParallel(gridRef(3, 20), grid(3, 20), w, { soloBelow: 0 });
      expect(r.stats.distinctStates).toBe(8000);
      expect(r.stats.levels).toEqual(one.stats.levels);
      expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
      expect(tableSlots(r.stats.visitedBytes, w)).toBe(16_384);
    }
    // 10,000 initial states: the first worker grows the table while it seeds alone.
    const ref: SpecRef = { module: new URL('../fixtures/rows.ts', import.meta.url).href, export: 'rows', args: [10_000, 3] };
    const r = await checkParallel(ref, rows(10_000, 3), 2, { soloBelow: 0 });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(30_000);
    expect(r.stats.levels).toEqual([10_000, 10_000, 10_000]);
    expect(tableSlots(r.stats.visitedBytes, 2)).toBe(65_536);
    expect(r.stats.generatedStates).toBe(check(rows(10_000, 3)).stats.generatedStates);
  });

  it('starts with the first worker alone while levels are small, then shares them', async () => {
    const one = check(grid(3, 20));
    // Levels of grid(3, 20) hold 1, 3, 6, 10, ... states: with soloBelow 100 the others join
    // at depth 14 (105 states). Both workers then hold states: the visited bytes count two
    // parent stores and two caches next to the shared table (16,384 slots, as above).
    const joined = await checkParallel(gridRef(3, 20), grid(3, 20), 2, { soloBelow: 100 });
    expect(joined.stats.distinctStates).toBe(8000);
    expect(joined.stats.levels).toEqual(one.stats.levels);
    expect(joined.stats.generatedStates).toBe(one.stats.generatedStates);
    expect(joined.stats.depth).toBe(one.stats.depth);
    expect(joined.stats.visitedBytes).toBe(16_384 * 8 + 2 * (6 * 65_536 + 131_072));
    // With the default (levels under 4,096 states) the whole run is the first worker's.
    const alone = await checkParallel(gridRef(3, 20), grid(3, 20), 2);
    expect(alone.stats.distinctStates).toBe(8000);
    expect(alone.stats.levels).toEqual(one.stats.levels);
    expect(alone.stats.visitedBytes).toBe(16_384 * 8 + 1 * (6 * 65_536 + 131_072));
  });

  it('reports a shortest counterexample that replays, and stops at bounds, alone or shared', async () => {
    // In a grid of size 5 the state (4, 4) is first reached after 8 increments: 9 states.
    const spec = { ...grid(2, 5), invariants: [{ name: 'NotCorner', check: (s: readonly number[]) => !(s[0] === 4 && s[1] === 4) }] };
    const ref: SpecRef = { module: new URL('../fixtures/grid-corner.ts', import.meta.url).href, export: 'spec', args: [] };
    for (const soloBelow of [0, 4, undefined]) {
      const r = await checkParallel(ref, spec, 2, soloBelow === undefined ? {} : { soloBelow });
      expect(r.kind).toBe('violation');
      if (r.kind !== 'violation') return;
      const t = r.violations[0]!.trace;
      expect(t.states).toHaveLength(9);
      for (let i = 0; i + 1 < t.states.length; i++) expect(spec.next(t.states[i]!, t.actions[i]!)).toEqual(t.states[i + 1]);
      const inc = await checkParallel(gridRef(3, 12), grid(3, 12), 2, { maxDepth: 4, ...(soloBelow === undefined ? {} : { soloBelow }) });
      expect(inc.kind).toBe('incomplete');
      expect(inc.stats.levels).toEqual([1, 3, 6, 10]);
      if (inc.kind === 'incomplete') expect(inc.reason).toBe('maxDepth');
    }
  });

  it('reuses a pool\'s threads across runs, with the same results as fresh threads', async () => {
    const pool = new WorkerPool();
    try {
      const one = check(grid(3, 20));
      // A thread started but never joined (levels reach 1000 / 8, never 1000): the next run on
      // the same thread must not take the late answer to this run's `load` for its own.
      const solo = await checkParallel(gridRef(3, 20), grid(3, 20), 2, { soloBelow: 1000, pool });
      expect(solo.stats.distinctStates).toBe(8000);
      const ids = pool.threadIds;
      expect(ids).toHaveLength(1);
      for (let run = 0; run < 2; run++) {
        const r = await checkParallel(gridRef(3, 20), grid(3, 20), 2, { soloBelow: 0, pool });
        expect(r.stats.distinctStates).toBe(8000);
        expect(r.stats.levels).toEqual(one.stats.levels);
        expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
      }
      // A violation's trace is gathered from the pooled thread too: shortest, and it replays.
      const spec = { ...grid(2, 5), invariants: [{ name: 'NotCorner', check: (s: readonly number[]) => !(s[0] === 4 && s[1] === 4) }] };
      const ref: SpecRef = { module: new URL('../fixtures/grid-corner.ts', import.meta.url).href, export: 'spec', args: [] };
      const v = await checkParallel(ref, spec, 2, { soloBelow: 0, pool });
      expect(v.kind).toBe('violation');
      if (v.kind === 'violation') expect(v.violations[0]!.trace.states).toHaveLength(9);
      expect(pool.threadIds).toEqual(ids);
    } finally {
      await pool.close();
    }
    expect(pool.threadIds).toEqual([]);
  });

  it('replaces a pool\'s thread that failed', async () => {
    const pool = new WorkerPool();
    try {
      // The thread cannot build this spec: its run fails with the thread's error.
      const bad: SpecRef = { ...gridRef(3, 12), export: 'noSuchExport' };
      await expect(checkParallel(bad, grid(3, 12), 2, { soloBelow: 0, pool })).rejects.toThrow(/has no export 'noSuchExport'/);
      // The failed thread no longer counts as up; the next run gets a new one that works.
      expect(pool.threadIds).toEqual([]);
      const r = await checkParallel(gridRef(3, 12), grid(3, 12), 2, { soloBelow: 0, pool });
      expect(r.stats.distinctStates).toBe(1728);
      expect(pool.threadIds).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('runs a plain-object spec (no encode/decode) on two workers with one worker\'s exact counts', async () => {
    const ref = (rms: number): SpecRef => ({ module: new URL('../fixtures/examples/twophase-plain.ts', import.meta.url).href, export: 'twoPhasePlain', args: [rms] });
    // Every worker from the first level: states cross threads at every level.
    const one3 = check(twoPhasePlain(3));
    const r3 = await checkParallel(ref(3), twoPhasePlain(3), 2, { soloBelow: 0 });
    expect(r3.kind).toBe('ok');
    expect(r3.stats.distinctStates).toBe(288);
    expect(r3.stats.depth).toBe(11);
    expect(r3.stats.levels).toEqual(one3.stats.levels);
    expect(r3.stats.generatedStates).toBe(one3.stats.generatedStates);
    expect(r3.stats.workers).toBe(2);
    // TLC's 6-RM count, with the default solo start (the second worker joins at 4,096 states).
    const r6 = await checkParallel(ref(6), twoPhasePlain(6), 2);
    expect([r6.kind, r6.stats.distinctStates, r6.stats.depth, r6.stats.workers]).toEqual(['ok', 50_816, 20, 2]);
    expect(r6.stats.workersNote).toBeUndefined();
    // The hand-encoded-free TwoPhase of the engine fixtures (Sets of shared message objects) too.
    const tp = await checkParallel({ module: new URL('../fixtures/twophase.ts', import.meta.url).href, export: 'twoPhase', args: [3] }, twoPhase(3), 2, { soloBelow: 0 });
    expect(tp.stats.distinctStates).toBe(288);
  });

  it('reports a counterexample of a plain-object spec on two workers that replays, as long as one worker\'s', async () => {
    const ref: SpecRef = { module: new URL('../fixtures/examples/twophase-plain.ts', import.meta.url).href, export: 'twoPhasePlainNeverCommitted', args: [4] };
    const one = check(twoPhasePlainNeverCommitted(4));
    const r = await checkParallel(ref, twoPhasePlainNeverCommitted(4), 2, { soloBelow: 0 });
    expect(one.kind).toBe('violation');
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation' || one.kind !== 'violation') return;
    expect(r.violations[0]!.trace.states.length).toBe(10);
    expect(one.violations[0]!.trace.states.length).toBe(10);
    const t = r.violations[0]!.trace;
    const again = replaySteps(twoPhasePlainNeverCommitted(4), t.actions.map((a) => ({ action: a.name, args: a.args })));
    expect(again.states.at(-1)!.tmState).toBe('committed');
  });

  it('says so, and runs on one worker, when the states cannot cross threads', async () => {
    class Counter {
      constructor(readonly n: number) {}
    }
    const spec: Spec<{ c: Counter }> = {
      name: 'ClassStates',
      initStates: () => [{ c: new Counter(0) }],
      actions: (s) => (s.c.n < 3 ? [{ name: 'Inc', args: [] }] : []),
      next: (s) => ({ c: new Counter(s.c.n + 1) }),
    };
    const r = await checkParallel(gridRef(1, 1), spec, 2);
    expect([r.kind, r.stats.distinctStates, r.stats.workers]).toEqual(['ok', 4, 1]);
    expect(r.stats.workersNote).toMatch(/^ran on 1 worker, not 2: a state holds an instance of Counter; worker threads need states of plain values/);
  });
});

describe('bounds with any number of workers', () => {
  // What a bound makes deterministic: the result's kind and reason, and the counts of stored states.
  const outcome = (r: { kind: string; stats: { distinctStates: number; levels: readonly number[]; depth: number; queue: number } }) => ({
    kind: r.kind,
    reason: r.kind === 'incomplete' ? (r as unknown as { reason: string }).reason : undefined,
    distinct: r.stats.distinctStates,
    levels: r.stats.levels,
    depth: r.stats.depth,
    queue: r.stats.queue,
  });

  it('maxStates: exactly that many states, the same levels, depth and queue as one worker', async () => {
    const pool = new WorkerPool();
    try {
      // grid(3, 40): levels of up to 1,200 states, many blocks each, so both workers store
      // states of the level where the bound falls and race for its last ticket (before tickets,
      // two workers stored 20,001 states under a bound of 20,000 here).
      for (const maxStates of [1, 20_000, 30_001, 45_000]) {
        const one = outcome(check(grid(3, 40), { maxStates }));
        for (const w of [1, 2]) {
          const r = await checkParallel(gridRef(3, 40), grid(3, 40), w, { maxStates, soloBelow: 0, pool });
          expect([maxStates, w, outcome(r)]).toEqual([maxStates, w, one]);
        }
      }
      // A bound at the size of the space (8,000 states), and just above it.
      for (const maxStates of [8000, 8001]) {
        const one = outcome(check(grid(3, 20), { maxStates }));
        const r = await checkParallel(gridRef(3, 20), grid(3, 20), 2, { maxStates, soloBelow: 0, pool });
        expect([maxStates, outcome(r)]).toEqual([maxStates, one]);
      }
    } finally {
      await pool.close();
    }
    // What one worker gives, pinned.
    expect(outcome(check(grid(3, 20), { maxStates: 4000 }))).toEqual({
      kind: 'incomplete',
      reason: 'maxStates',
      distinct: 4000,
      levels: [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78, 91, 105, 120, 136, 153, 171, 190, 210, 228, 244, 258, 270, 280, 288, 294, 298, 300],
      depth: 29,
      queue: 598,
    });
    expect(outcome(check(grid(3, 20), { maxStates: 8000 }))).toMatchObject({ kind: 'incomplete', reason: 'maxStates', distinct: 8000 });
    expect(outcome(check(grid(3, 20), { maxStates: 8001 }))).toMatchObject({ kind: 'ok', distinct: 8000 });
  });

  it('maxDepth: incomplete only when a successor at the bound is new, as with one worker', async () => {
    // grid(3, 12) has depth 34: at a bound of 34 no successor is new (complete), below it some are.
    const pool = new WorkerPool();
    try {
      for (const maxDepth of [1, 4, 33, 34, 35]) {
        const one = check(grid(3, 12), { maxDepth });
        for (const w of [1, 2]) {
          const r = await checkParallel(gridRef(3, 12), grid(3, 12), w, { maxDepth, soloBelow: 0, pool });
          expect([maxDepth, w, outcome(r)]).toEqual([maxDepth, w, outcome(one)]);
          // Every level up to the bound is expanded whole: the successors generated are the same too.
          expect(r.stats.generatedStates).toBe(one.stats.generatedStates);
        }
      }
    } finally {
      await pool.close();
    }
    expect(outcome(check(grid(3, 12), { maxDepth: 33 }))).toMatchObject({ kind: 'incomplete', reason: 'maxDepth', depth: 33 });
    expect(outcome(check(grid(3, 12), { maxDepth: 34 }))).toMatchObject({ kind: 'ok', distinct: 1728, depth: 34, queue: 0 });
  });
});
