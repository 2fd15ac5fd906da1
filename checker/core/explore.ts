/**
 * Breadth-first exploration of a {@link Spec}: exact distinct-state counts, shortest
 * counterexamples, coverage and progress events. The engine never prints; it returns
 * data ({@link check}) or throws ({@link assert}), and emits {@link CheckEvent}s for
 * whoever listens (the CLI's progress line, JSON writers).
 *
 * Counting follows TLC: a distinct state is a stored fingerprint; depth is counted in
 * states, the initial states at depth 1; a trace's length is its number of states.
 */
import { Fingerprinter, collisionProbability } from './hash.js';
import { FingerprintSet } from './fpset.js';
import type { Action, Spec, StateProperty } from './spec.js';
import { ObjectLevel, WordLevel, type Level } from './level.js';
import { rebuildTrace, type Trace } from './trace.js';

/** Options of a run. Every bound ends the run as `incomplete`, never as a crash. */
export interface CheckOptions {
  /** Check only these invariants (by name); default: all the spec's invariants. */
  readonly invariants?: readonly string[];
  /** Keep exploring after a violation and report each violated property once. */
  readonly continueAfterViolation?: boolean;
  /** Report a state with no enabled action as a deadlock. Default false. */
  readonly checkDeadlock?: boolean;
  /** Stop (incomplete) once this many distinct states are stored. */
  readonly maxStates?: number;
  /** Do not expand states at this depth (in states, initial = 1); incomplete if any had successors. */
  readonly maxDepth?: number;
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Use the spec's `canonicalize` (symmetry reduction). Default true when the spec has one. */
  readonly symmetry?: boolean;
  /** Receives progress and lifecycle events. */
  readonly onEvent?: (event: CheckEvent) => void;
  /** How often `progress` events are emitted, in milliseconds. Default 1000. */
  readonly progressIntervalMs?: number;
}

/** Counters of one action name. */
export interface ActionCoverage {
  /** How many times the action fired (successors generated). */
  fired: number;
  /** How many of those successors were new distinct states. */
  newStates: number;
}

/** Statistics of a run, whatever its outcome. */
export interface CheckStats {
  /** Distinct states stored (TLC's "distinct states found"). */
  readonly distinctStates: number;
  /** Successor states generated, initial states included (TLC's "states generated"). */
  readonly generatedStates: number;
  /** Depth reached, in states (TLC's "depth of the complete state graph search"). */
  readonly depth: number;
  /** New distinct states at each depth: `levels[0]` is the number of initial states. */
  readonly levels: readonly number[];
  /** States still waiting to be expanded when the run ended. */
  readonly queue: number;
  /** Per action name, in the order the names were first seen. */
  readonly coverage: Readonly<Record<string, ActionCoverage>>;
  /** Action names the spec declared (`actionNames`) that never fired. */
  readonly neverFired: readonly string[];
  /** For each `sometimes` property, the depth where it first held, or null if never. */
  readonly sometimes: Readonly<Record<string, number | null>>;
  /** TLC's optimistic fingerprint-collision probability estimate. */
  readonly collisionProbability: number;
  /** Bytes held by the visited set (fingerprints, parent pointers, hash table). */
  readonly visitedBytes: number;
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** Distinct states per second. */
  readonly statesPerSecond: number;
}

/** A violated property with its shortest counterexample. */
export interface Violation<S> {
  /** The property's name. */
  readonly property: string;
  /** `invariant` (an always property) or `action` (an action property, violated by the trace's last step). */
  readonly kind: 'invariant' | 'action';
  /** The counterexample, from an initial state to the violating state. */
  readonly trace: Trace<S>;
}

/** The outcome of {@link check}: a discriminated union on `kind`. */
export type CheckResult<S> =
  | { readonly kind: 'ok'; readonly stats: CheckStats }
  | { readonly kind: 'violation'; readonly violations: readonly Violation<S>[]; readonly stats: CheckStats }
  | { readonly kind: 'deadlock'; readonly trace: Trace<S>; readonly stats: CheckStats }
  | {
      readonly kind: 'incomplete';
      readonly reason: 'maxStates' | 'maxDepth' | 'timeLimit';
      readonly violations: readonly Violation<S>[];
      readonly stats: CheckStats;
    }
  | {
      readonly kind: 'error';
      readonly message: string;
      /** The property or spec function that threw. */
      readonly where: string;
      /** The trace to the state where it threw, when one could be rebuilt. */
      readonly trace?: Trace<S>;
      readonly stats: CheckStats;
    };

/** Events the engine emits while it runs. */
export type CheckEvent =
  | { readonly type: 'start'; readonly spec: string }
  | {
      readonly type: 'progress';
      readonly distinct: number;
      readonly generated: number;
      readonly queue: number;
      readonly depth: number;
      readonly statesPerSecond: number;
      readonly seconds: number;
    }
  | { readonly type: 'level'; readonly depth: number; readonly newStates: number }
  | { readonly type: 'violation'; readonly property: string; readonly length: number }
  | { readonly type: 'done'; readonly kind: CheckResult<unknown>['kind'] };

class SpecError extends Error {
  constructor(
    readonly where: string,
    override readonly cause: unknown,
    readonly parentId: number,
    readonly hi: number,
    readonly lo: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function selectInvariants<S, A extends Action>(spec: Spec<S, A>, names: readonly string[] | undefined): StateProperty<S>[] {
  const all = spec.invariants ?? [];
  if (!names) return [...all];
  return names.map((n) => {
    const p = all.find((q) => q.name === n);
    if (!p) {
      throw new RangeError(
        `unknown invariant '${n}'; the spec '${spec.name}' has: ${all.map((q) => q.name).join(', ') || '(none)'}`,
      );
    }
    return p;
  });
}

/**
 * Explores every state reachable from the spec's initial states, breadth first.
 *
 * Deterministic: the same spec and options give the same counts and the same first
 * counterexample. Throws only for a bad option (an unknown invariant name); everything
 * that goes wrong inside the spec's functions is an `error` result.
 */
export function check<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions = {}): CheckResult<S> {
  const invariants = selectInvariants(spec, options.invariants);
  const sometimes = spec.sometimes ?? [];
  const actionProps = spec.actionProperties ?? [];
  const canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
  const constraint = spec.constraint?.bind(spec);
  const emit = options.onEvent;
  const progressMs = options.progressIntervalMs ?? 1000;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeLimitMs === undefined ? Infinity : Date.now() + options.timeLimitMs;
  const continueAfter = options.continueAfterViolation ?? false;

  const fp = new Fingerprinter();
  const encode = spec.encode ? (s: S) => spec.encode!(s, fp) : (s: S) => fp.value(s);
  const seen = new FingerprintSet();
  const coverage = new Map<string, ActionCoverage>((spec.actionNames ?? []).map((n) => [n, { fired: 0, newStates: 0 }]));
  const sometimesAt = new Map<string, number | null>(sometimes.map((p) => [p.name, null]));
  let sometimesLeft = sometimes.length;
  const violations: Violation<S>[] = [];
  const violated = new Set<string>();
  // Per-property "already reported" flags, by index: no string hashing in the hot loop.
  const invariantDone = invariants.map(() => false);
  const actionPropDone = actionProps.map(() => false);
  const levels: number[] = [];
  const start = Date.now();
  let generated = 0;
  let depth = 0;
  let queueLeft = 0;
  let nextProgress = start + progressMs;

  const fingerprint = (s: S): void => {
    fp.reset();
    encode(s);
    fp.finish();
  };

  const stats = (): CheckStats => {
    const seconds = (Date.now() - start) / 1000;
    const cov: Record<string, ActionCoverage> = {};
    for (const [k, v] of coverage) cov[k] = { ...v };
    return {
      distinctStates: seen.size,
      generatedStates: generated,
      depth,
      levels: [...levels],
      queue: queueLeft,
      coverage: cov,
      neverFired: [...coverage].filter(([, v]) => v.fired === 0).map(([k]) => k),
      sometimes: Object.fromEntries(sometimesAt),
      collisionProbability: collisionProbability(seen.size, generated),
      visitedBytes: seen.bytes,
      seconds,
      statesPerSecond: seconds > 0 ? seen.size / seconds : seen.size,
    };
  };

  const trace = (parentId: number, hi: number, lo: number): Trace<S> =>
    rebuildTrace(spec, seen, parentId, hi, lo, canon);

  /** Records a violation; returns true when the run must stop. */
  const violation = (property: string, kind: Violation<S>['kind'], parentId: number, hi: number, lo: number): boolean => {
    if (violated.has(property)) return false;
    violated.add(property);
    const t = trace(parentId, hi, lo);
    violations.push({ property, kind, trace: t });
    emit?.({ type: 'violation', property, length: t.states.length });
    return !continueAfter;
  };

  const guard = <T>(where: string, parentId: number, hi: number, lo: number, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new SpecError(where, e, parentId, hi, lo);
    }
  };

  /** Checks the invariants of a state; returns true when the run must stop. */
  const checkState = (s: S, parentId: number, hi: number, lo: number): boolean => {
    for (let k = 0; k < invariants.length; k++) {
      if (invariantDone[k]) continue;
      const inv = invariants[k]!;
      ctxWhere = inv.name;
      if (!inv.check(s)) {
        invariantDone[k] = true;
        if (violation(inv.name, 'invariant', parentId, hi, lo)) return true;
      }
    }
    return false;
  };

  const noteSometimes = (s: S, parentId: number, hi: number, lo: number): void => {
    if (sometimesLeft === 0) return;
    for (const p of sometimes) {
      if (sometimesAt.get(p.name) !== null) continue;
      ctxWhere = p.name;
      if (p.check(s)) {
        sometimesAt.set(p.name, depth);
        sometimesLeft--;
      }
    }
  };

  const finish = (result: CheckResult<S>): CheckResult<S> => {
    emit?.({ type: 'done', kind: result.kind });
    return result;
  };

  const violationResult = (): CheckResult<S> => ({ kind: 'violation', violations: [...violations], stats: stats() });

  emit?.({ type: 'start', spec: spec.name });
  const newLevel = (): Level<S> =>
    spec.decode && spec.encode ? new WordLevel<S>(spec.encode.bind(spec), spec.decode.bind(spec)) : new ObjectLevel<S>();
  let current = newLevel();
  let nextLevel = newLevel();
  let levelStart = 0;
  let ctxWhere = 'initStates';
  let ctxParent = -1;
  let ctxHi = 0;
  let ctxLo = 0;
  try {
    // Initial states: depth 1.
    depth = 1;
    const inits = guard('initStates', -1, 0, 0, () => spec.initStates());
    for (const s0 of inits) {
      generated++;
      const s = canon ? guard('canonicalize', -1, 0, 0, () => canon(s0)) : s0;
      fingerprint(s);
      const { hi, lo } = fp;
      const inModel = !constraint || guard('constraint', -1, hi, lo, () => constraint(s));
      if (inModel) {
        if (seen.put(hi, lo, -1) < 0) continue;
        current.push(s);
        noteSometimes(s, -1, hi, lo);
      }
      if (checkState(s, -1, hi, lo)) return finish(violationResult());
    }
    levels.push(current.length);
    emit?.({ type: 'level', depth: 1, newStates: current.length });

    while (current.length > 0) {
      if (depth >= maxDepth) {
        // Expand nothing at the bound; the run is complete only if no state at the bound
        // has a successor that is not already stored.
        let cut = false;
        for (let i = 0; i < current.length && !cut; i++) {
          const s = current.take();
          for (const a of guard('actions', levelStart + i, 0, 0, () => spec.actions(s))) {
            const t = guard('next', levelStart + i, 0, 0, () => spec.next(s, a));
            const c = canon ? canon(t) : t;
            fingerprint(c);
            if ((!constraint || constraint(c)) && !seen.has(fp.hi, fp.lo)) {
              cut = true;
              break;
            }
          }
        }
        if (cut) {
          queueLeft = current.length;
          return finish({ kind: 'incomplete', reason: 'maxDepth', violations: [...violations], stats: stats() });
        }
        break;
      }
      const nextStart = seen.size;
      depth++;
      for (let i = 0; i < current.length; i++) {
        const s = current.take();
        const id = levelStart + i;
        // The hot loop sets a context instead of allocating a closure per call: a throw
        // from the spec is turned into an `error` result naming where it happened.
        const sParent = seen.parent(id);
        const sHi = seen.hi(id);
        const sLo = seen.lo(id);
        ctxParent = sParent;
        ctxHi = sHi;
        ctxLo = sLo;
        ctxWhere = 'actions';
        const acts = spec.actions(s);
        if (acts.length === 0 && options.checkDeadlock) {
          queueLeft = current.length - i;
          return finish({ kind: 'deadlock', trace: trace(ctxParent, ctxHi, ctxLo), stats: stats() });
        }
        for (let k = 0; k < acts.length; k++) {
          const a = acts[k]!;
          generated++;
          ctxParent = sParent;
          ctxHi = sHi;
          ctxLo = sLo;
          ctxWhere = 'next';
          const t = spec.next(s, a);
          let cov = coverage.get(a.name);
          if (cov === undefined) coverage.set(a.name, (cov = { fired: 0, newStates: 0 }));
          cov.fired++;
          ctxWhere = 'canonicalize';
          const c = canon ? canon(t) : t;
          ctxWhere = 'encode';
          fingerprint(c);
          const hi = fp.hi;
          const lo = fp.lo;
          ctxParent = id;
          ctxHi = hi;
          ctxLo = lo;
          for (let j = 0; j < actionProps.length; j++) {
            if (actionPropDone[j]) continue;
            const p = actionProps[j]!;
            ctxWhere = p.name;
            if (!p.check(s, t, a)) {
              actionPropDone[j] = true;
              if (violation(p.name, 'action', id, hi, lo)) return finish(violationResult());
            }
          }
          ctxWhere = 'constraint';
          if (!constraint || constraint(c)) {
            if (seen.put(hi, lo, id) < 0) continue;
            cov.newStates++;
            nextLevel.push(c);
            noteSometimes(c, id, hi, lo);
          }
          if (checkState(c, id, hi, lo)) {
            queueLeft = current.length - i - 1 + nextLevel.length;
            return finish(violationResult());
          }
          if (seen.size >= maxStates) {
            queueLeft = current.length - i - 1 + nextLevel.length;
            return finish({ kind: 'incomplete', reason: 'maxStates', violations: [...violations], stats: stats() });
          }
          if ((generated & 1023) === 0) {
            const now = Date.now();
            if (now >= nextProgress && emit) {
              nextProgress = now + progressMs;
              const sec = (now - start) / 1000;
              emit({
                type: 'progress',
                distinct: seen.size,
                generated,
                queue: current.length - i - 1 + nextLevel.length,
                depth,
                statesPerSecond: sec > 0 ? seen.size / sec : 0,
                seconds: sec,
              });
            }
            if (now >= deadline) {
              queueLeft = current.length - i - 1 + nextLevel.length;
              return finish({ kind: 'incomplete', reason: 'timeLimit', violations: [...violations], stats: stats() });
            }
          }
        }
      }
      if (nextLevel.length === 0) {
        depth--;
        break;
      }
      levels.push(nextLevel.length);
      emit?.({ type: 'level', depth, newStates: nextLevel.length });
      const done = current;
      done.clear();
      current = nextLevel;
      nextLevel = done;
      levelStart = nextStart;
    }
  } catch (e0) {
    const e = e0 instanceof SpecError ? e0 : new SpecError(ctxWhere, e0, ctxParent, ctxHi, ctxLo);
    {
      let t: Trace<S> | undefined;
      try {
        t = e.hi === 0 && e.lo === 0 ? undefined : trace(e.parentId, e.hi, e.lo);
      } catch {
        t = undefined;
      }
      return finish({ kind: 'error', message: e.message, where: e.where, ...(t ? { trace: t } : {}), stats: stats() });
    }
  }
  queueLeft = 0;
  if (violations.length > 0) return finish(violationResult());
  return finish({ kind: 'ok', stats: stats() });
}

/** Thrown by {@link assert} when a run does not end `ok` with every `sometimes` property reached. */
export class CheckFailure<S> extends Error {
  constructor(readonly result: CheckResult<S>) {
    super(describeFailure(result));
    this.name = 'CheckFailure';
  }
}

function describeFailure<S>(r: CheckResult<S>): string {
  switch (r.kind) {
    case 'ok': {
      const missed = Object.entries(r.stats.sometimes).filter(([, d]) => d === null).map(([k]) => k);
      return `sometimes properties never held: ${missed.join(', ')}`;
    }
    case 'violation':
      return `violated: ${r.violations.map((v) => `${v.property} (trace of ${v.trace.states.length} states)`).join(', ')}`;
    case 'deadlock':
      return `deadlock after ${r.trace.states.length} states`;
    case 'incomplete':
      return `incomplete: ${r.reason} after ${r.stats.distinctStates} distinct states`;
    case 'error':
      return `error in ${r.where}: ${r.message}`;
  }
}

/**
 * Like {@link check}, but throws a {@link CheckFailure} unless the run is `ok` and every
 * `sometimes` property held somewhere. For tests.
 */
export function assert<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions = {}): CheckStats {
  const r = check(spec, options);
  if (r.kind !== 'ok' || Object.values(r.stats.sometimes).some((d) => d === null)) throw new CheckFailure(r);
  return r.stats;
}
