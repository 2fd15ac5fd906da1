/**
 * Quantitative measures: the exact maximum and minimum of numeric functions over every
 * reachable state of a spec, each with a shortest witness trace.
 *
 * {@link measure} is a breadth-first search of its own (the explorer's visited set and
 * fingerprints, {@link FingerprintSet} and {@link Fingerprinter}, and its trace rebuilding):
 * every reachable state is visited once, in order of depth, so the first state found with a
 * measure's extreme value is one of the shallowest with it, and its trace is a shortest
 * witness. A measure may be undefined in a state (`value` returns `undefined`); extremes
 * range over the states where it is defined.
 *
 * Measures over histories (say, ticks since some event) need a ghost observer: {@link withGhost}
 * pairs a spec with integer ghost variables updated on every step, and optionally restricts
 * which actions are enabled (urgency: "no time passes while X can happen") and which states
 * are kept (a state constraint over the pair). The product is an ordinary spec.
 *
 * Symmetry is not used: a measure or a ghost need not be symmetric.
 */
import { Fingerprinter } from './hash.js';
import { FingerprintSet } from './fpset.js';
import type { Action, Spec, StateEncoder, StepInfo } from './spec.js';
import { rebuildTrace, type Trace } from './trace.js';

/** A numeric function of a state; `undefined` where it is not defined. */
export interface Measure<S> {
  /** The measure's name (tables, plots). */
  readonly name: string;
  /** Its value in `state`, or undefined. */
  readonly value: (state: S) => number | undefined;
}

/** An extreme value of a measure and a shortest behaviour that reaches it. */
export interface Extreme<S> {
  readonly value: number;
  /** From an initial state to a state with `value`; no shorter behaviour reaches that value. */
  readonly trace: Trace<S>;
}

/** One measure's result. */
export interface MeasureOutcome<S> {
  readonly name: string;
  /** The maximum over the reachable states where the measure is defined (absent if none). */
  readonly max?: Extreme<S>;
  /** The minimum over the same states. */
  readonly min?: Extreme<S>;
  /** How many distinct reachable states define it. */
  readonly definedIn: number;
}

/** The result of {@link measure}. */
export interface MeasureResult<S> {
  /** `ok`: every reachable state was visited, the extremes are exact; `incomplete`: a bound stopped the search. */
  readonly kind: 'ok' | 'incomplete';
  readonly reason?: 'maxStates' | 'timeLimit';
  readonly measures: readonly MeasureOutcome<S>[];
  readonly distinctStates: number;
  readonly generatedStates: number;
  /** Depth of the search, in states (initial states: 1). */
  readonly depth: number;
  readonly seconds: number;
}

/** Bounds of {@link measure}. */
export interface MeasureOptions {
  /** Stop (incomplete) once this many distinct states are stored. */
  readonly maxStates?: number;
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeLimitMs?: number;
}

/**
 * The exact maximum and minimum of each measure over the reachable states of `spec` (the
 * spec's `constraint` applies: a state outside it is neither kept nor measured), each with a
 * shortest witness.
 */
export function measure<S, A extends Action>(spec: Spec<S, A>, measures: readonly Measure<S>[], options: MeasureOptions = {}): MeasureResult<S> {
  const t0 = Date.now();
  const fp = new Fingerprinter();
  const seen = new FingerprintSet();
  const best = measures.map(() => ({ max: -Infinity, maxId: -1, min: Infinity, minId: -1, defined: 0 }));
  let generated = 0;
  let depth = 1;
  let stopped: 'maxStates' | 'timeLimit' | undefined;
  const visit = (s: S, id: number): void => {
    for (let i = 0; i < measures.length; i++) {
      const v = measures[i]!.value(s);
      if (v === undefined) continue;
      const b = best[i]!;
      b.defined++;
      if (v > b.max) {
        b.max = v;
        b.maxId = id;
      }
      if (v < b.min) {
        b.min = v;
        b.minId = id;
      }
    }
  };
  let level: { s: S; id: number }[] = [];
  spec.initStates().forEach((s, i) => {
    generated++;
    if (spec.constraint && !spec.constraint(s)) return;
    fp.state(spec, s);
    const id = seen.put(fp.hi, fp.lo, -1, i);
    if (id < 0) return;
    visit(s, id);
    level.push({ s, id });
  });
  while (level.length > 0 && !stopped) {
    const next: { s: S; id: number }[] = [];
    for (const { s, id } of level) {
      const acts = spec.actions(s);
      for (let ai = 0; ai < acts.length; ai++) {
        const t = spec.next(s, acts[ai]!);
        generated++;
        if (spec.constraint && !spec.constraint(t)) continue;
        fp.state(spec, t);
        const tid = seen.put(fp.hi, fp.lo, id, ai);
        if (tid < 0) continue;
        visit(t, tid);
        next.push({ s: t, id: tid });
      }
      if (options.maxStates !== undefined && seen.size >= options.maxStates) stopped = 'maxStates';
      else if (options.timeLimitMs !== undefined && Date.now() - t0 > options.timeLimitMs) stopped = 'timeLimit';
      if (stopped) break;
    }
    if (next.length > 0) depth++;
    level = next;
  }
  const witness = (id: number): Trace<S> => rebuildTrace(spec, seen, seen.parent(id), seen.action(id));
  const outcomes = measures.map((m, i): MeasureOutcome<S> => {
    const b = best[i]!;
    if (b.defined === 0) return { name: m.name, definedIn: 0 };
    return {
      name: m.name,
      max: { value: b.max, trace: witness(b.maxId) },
      min: { value: b.min, trace: witness(b.minId) },
      definedIn: b.defined,
    };
  });
  return {
    kind: stopped ? 'incomplete' : 'ok',
    ...(stopped ? { reason: stopped } : {}),
    measures: outcomes,
    distinctStates: seen.size,
    generatedStates: generated,
    depth,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** A state of a spec paired with ghost variables. */
export interface GhostState<S> {
  readonly s: S;
  /** The ghost variables (integers). */
  readonly g: readonly number[];
}

/** A ghost observer: integer variables that watch a spec's steps. */
export interface Ghost<S, A extends Action> {
  /** The ghost variables' names (their number is fixed). */
  readonly names: readonly string[];
  /** Their values in an initial state. */
  init(s: S): number[];
  /** Their values after the step `before --a--> after`, from `g` before it. */
  step(before: S, a: A, after: S, g: readonly number[]): number[];
  /** Urgency: the actions the product allows in `(s, g)`, from the spec's enabled ones (default all). */
  allow?(s: S, g: readonly number[], enabled: readonly A[]): readonly A[];
  /** A state constraint over the pair (default: the spec's own constraint on `s`). */
  constraint?(s: S, g: readonly number[]): boolean;
}

/**
 * The product of `spec` with a ghost observer: an ordinary spec over {@link GhostState}s.
 * Properties and symmetry of `spec` are left out; its renderers (`describeStep`, `nodes`)
 * and JSON view (with the ghost variables added under `ghost`) carry over.
 */
export function withGhost<S, A extends Action>(spec: Spec<S, A>, ghost: Ghost<S, A>): Spec<GhostState<S>, A> {
  const n = ghost.names.length;
  const encode = spec.encode;
  const decode = spec.decode;
  const toJSON = spec.toJSON;
  const describeStep = spec.describeStep;
  return {
    name: `${spec.name}+ghost`,
    initStates: () => spec.initStates().map((s) => ({ s, g: ghost.init(s) })),
    actions: (x) => {
      const acts = spec.actions(x.s);
      return ghost.allow ? ghost.allow(x.s, x.g, acts) : acts;
    },
    next: (x, a) => {
      const t = spec.next(x.s, a);
      return { s: t, g: ghost.step(x.s, a, t, x.g) };
    },
    ...(spec.actionNames ? { actionNames: spec.actionNames } : {}),
    ...(ghost.constraint
      ? { constraint: (x: GhostState<S>) => ghost.constraint!(x.s, x.g) }
      : spec.constraint
        ? { constraint: (x: GhostState<S>) => spec.constraint!(x.s) }
        : {}),
    ...(encode
      ? {
          encode: (x: GhostState<S>, out: StateEncoder) => {
            encode(x.s, out);
            for (let i = 0; i < n; i++) out.int(x.g[i]!);
          },
        }
      : {}),
    ...(encode && decode
      ? {
          decode: (words: Int32Array, start: number, end: number) => ({
            s: decode(words, start, end - n),
            g: Array.from(words.subarray(end - n, end)),
          }),
        }
      : {}),
    ...(spec.nodes ? { nodes: spec.nodes } : {}),
    ...(describeStep ? { describeStep: (b: GhostState<S>, a: A, t: GhostState<S>): StepInfo => describeStep(b.s, a, t.s) } : {}),
    toJSON: (x) => ({
      ...((toJSON ? toJSON(x.s) : x.s) as Record<string, unknown>),
      ghost: Object.fromEntries(ghost.names.map((name, i) => [name, x.g[i]])),
    }),
  };
}
