/**
 * Scenario checks: does some behaviour of a spec pass through a sequence of milestones (state
 * predicates), in order, and what is the shortest one that does?
 *
 * Method: breadth-first search over the product of the spec with a milestone counter `k`
 * (how many milestones the behaviour has passed so far), using the ordinary explorer
 * ({@link check}) on a product spec whose one invariant is `k < milestones.length`. The
 * invariant's shortest counterexample is the shortest behaviour through every milestone;
 * when the product's whole reachable graph holds it, no behaviour does (within the spec's
 * bounds). The counter advances greedily: after each state, while the next milestone holds
 * in it, `k` grows, so one state may pass several consecutive milestones. Greedy matching is
 * exact: a behaviour passes the milestones in order (as a subsequence of its states) exactly
 * when the greedy counter reaches the end on it, so the product's shortest path to
 * `k = milestones.length` is the shortest such behaviour.
 *
 * Symmetry is not used: milestones usually name particular nodes.
 *
 * When the product is too large for that, {@link findScenarioStaged} searches one milestone
 * at a time, each from the state where the previous one was passed: it finds *a* behaviour
 * through every milestone, each stage shortest from its start, but not necessarily the
 * shortest behaviour overall (a longer first stage may allow a much shorter second one).
 */
import { check, type CheckOptions, type CheckStats } from './explore.js';
import type { Action, Spec, StateEncoder, StateProperty } from './spec.js';
import type { Trace } from './trace.js';

/** A scenario: milestones some behaviour must pass through, in order. */
export interface Scenario<S> {
  /** The scenario's name (reports). */
  readonly name: string;
  /** The milestones, in order; each is a state predicate with a name. */
  readonly milestones: readonly StateProperty<S>[];
}

/** A state of the product: the spec's state and how many milestones were passed. */
export interface ScenarioState<S> {
  /** The spec's state. */
  readonly s: S;
  /** Milestones passed so far (0 to `milestones.length`). */
  readonly k: number;
}

/** The name of the product's one invariant. */
export const SCENARIO_INVARIANT = 'ScenarioNotYetComplete';

/** How many milestones from `k` on hold in `s`, one after another (greedy advance). */
function advance<S>(milestones: readonly StateProperty<S>[], s: S, k: number): number {
  while (k < milestones.length && milestones[k]!.check(s)) k++;
  return k;
}

/**
 * The product of `spec` with the milestone counter of `scenario`: a spec that the ordinary
 * explorer checks. Its invariant {@link SCENARIO_INVARIANT} fails exactly in the states where
 * every milestone has been passed. The spec's own `constraint` applies to its state; its
 * invariants, action properties, `sometimes` properties and symmetry are left out.
 */
export function scenarioSpec<S, A extends Action>(spec: Spec<S, A>, scenario: Scenario<S>): Spec<ScenarioState<S>, A> {
  const ms = scenario.milestones;
  const inner = spec;
  const encode = inner.encode;
  const decode = inner.decode;
  const product: Spec<ScenarioState<S>, A> = {
    name: `${inner.name}/${scenario.name}`,
    initStates: () => inner.initStates().map((s) => ({ s, k: advance(ms, s, 0) })),
    actions: (x) => inner.actions(x.s),
    next: (x, a) => {
      const t = inner.next(x.s, a);
      return { s: t, k: advance(ms, t, x.k) };
    },
    ...(inner.actionNames ? { actionNames: inner.actionNames } : {}),
    ...(inner.actionIndex ? { actionIndex: (a: A) => inner.actionIndex!(a) } : {}),
    invariants: [{ name: SCENARIO_INVARIANT, check: (x) => x.k < ms.length }],
    ...(inner.constraint ? { constraint: (x: ScenarioState<S>) => inner.constraint!(x.s) } : {}),
    ...(encode
      ? {
          encode: (x: ScenarioState<S>, out: StateEncoder) => {
            encode(x.s, out);
            out.int(x.k);
          },
        }
      : {}),
    ...(encode && decode
      ? { decode: (words: Int32Array, start: number, end: number) => ({ s: decode(words, start, end - 1), k: words[end - 1]! }) }
      : {}),
  };
  return product;
}

/** The outcome of {@link findScenario}. */
export type ScenarioResult<S> =
  | {
      /** A shortest behaviour through every milestone. */
      readonly kind: 'found';
      /** The behaviour, in the spec's own states (the counter removed). */
      readonly trace: Trace<S>;
      /** For each milestone, the index in `trace.states` of the state where it was passed. */
      readonly reachedAt: readonly number[];
      readonly stats: CheckStats;
    }
  | {
      /** The whole product graph was explored: no behaviour passes every milestone. */
      readonly kind: 'none';
      /** The most milestones any behaviour passes, in order. */
      readonly mostPassed: number;
      readonly stats: CheckStats;
    }
  | { readonly kind: 'incomplete'; readonly reason: string; readonly stats: CheckStats }
  | { readonly kind: 'error'; readonly message: string; readonly stats: CheckStats };

/**
 * Finds the shortest behaviour of `spec` that passes every milestone of `scenario` in order,
 * or proves that none exists. `options` are the explorer's (bounds, events); symmetry and
 * invariant selection are fixed by the product.
 */
export function findScenario<S, A extends Action>(
  spec: Spec<S, A>,
  scenario: Scenario<S>,
  options: Omit<CheckOptions, 'invariants' | 'symmetry' | 'continueAfterViolation'> = {},
): ScenarioResult<S> {
  let most = 0;
  const product = scenarioSpec(spec, scenario);
  // Track the most milestones passed, for the "none" answer.
  const watched: Spec<ScenarioState<S>, A> = {
    ...product,
    invariants: [
      {
        name: SCENARIO_INVARIANT,
        check: (x) => {
          if (x.k > most) most = x.k;
          return x.k < scenario.milestones.length;
        },
      },
    ],
  };
  const r = check(watched, { ...options, symmetry: false });
  switch (r.kind) {
    case 'violation': {
      const t = r.violations[0]!.trace;
      const states = t.states.map((x) => x.s);
      const reachedAt: number[] = [];
      let prev = 0;
      t.states.forEach((x, i) => {
        for (; prev < x.k; prev++) reachedAt.push(i);
      });
      return { kind: 'found', trace: { states, actions: t.actions }, reachedAt, stats: r.stats };
    }
    case 'ok':
      return { kind: 'none', mostPassed: most, stats: r.stats };
    case 'incomplete':
      return { kind: 'incomplete', reason: r.reason, stats: r.stats };
    case 'deadlock':
      return { kind: 'error', message: 'unexpected deadlock report', stats: r.stats };
    default:
      return { kind: 'error', message: `${r.where}: ${r.message}`, stats: r.stats };
  }
}

/** The outcome of {@link findScenarioStaged}. */
export type StagedResult<S> =
  | {
      /** A behaviour through every milestone (each stage shortest from where the last ended). */
      readonly kind: 'found';
      readonly trace: Trace<S>;
      /** For each milestone, the index in `trace.states` of the state where it was passed. */
      readonly reachedAt: readonly number[];
      /** Distinct states explored, per stage. */
      readonly stageStates: readonly number[];
    }
  | {
      /** Stage `stage` (0-based milestone) could not be reached from where the previous one ended. */
      readonly kind: 'stuck' | 'incomplete';
      readonly stage: number;
      readonly stageStates: readonly number[];
    };

/**
 * A behaviour through every milestone of `scenario`, found one milestone at a time: stage i
 * is the shortest path from the state where milestone i - 1 was passed (the initial states
 * for the first) to a state where milestone i holds. Not necessarily the shortest behaviour
 * overall (see the module comment); `stuck` means only that no continuation exists from the
 * stage's start, not that no behaviour exists.
 */
export function findScenarioStaged<S, A extends Action>(
  spec: Spec<S, A>,
  scenario: Scenario<S>,
  options: Omit<CheckOptions, 'invariants' | 'symmetry' | 'continueAfterViolation'> = {},
): StagedResult<S> {
  const states: S[] = [];
  const actions: Action[] = [];
  const reachedAt: number[] = [];
  const stageStates: number[] = [];
  let starts: readonly S[] = spec.initStates();
  for (let i = 0; i < scenario.milestones.length; i++) {
    const m = scenario.milestones[i]!;
    const from = starts;
    const stage: Spec<S, A> = { ...spec, initStates: () => from, invariants: [{ name: SCENARIO_INVARIANT, check: (s) => !m.check(s) }] };
    delete (stage as { actionProperties?: unknown }).actionProperties;
    delete (stage as { sometimes?: unknown }).sometimes;
    delete (stage as { canonicalize?: unknown }).canonicalize;
    const r = check(stage, { ...options, symmetry: false });
    stageStates.push(r.stats.distinctStates);
    if (r.kind === 'ok') return { kind: 'stuck', stage: i, stageStates };
    if (r.kind !== 'violation') return { kind: 'incomplete', stage: i, stageStates };
    const t = r.violations[0]!.trace;
    if (states.length === 0) states.push(t.states[0]!);
    for (let j = 1; j < t.states.length; j++) {
      states.push(t.states[j]!);
      actions.push(t.actions[j - 1]!);
    }
    reachedAt.push(states.length - 1);
    starts = [states.at(-1)!];
  }
  return { kind: 'found', trace: { states, actions }, reachedAt, stageStates };
}
