/**
 * Random simulation with shrinking, on fast-check: a behaviour is a sequence of choices,
 * each picking one of the actions enabled in the current state (so every generated
 * behaviour is a real one, and a shorter or smaller choice sequence is still a behaviour).
 * Invariants are checked after every step. A failing behaviour is shrunk by fast-check,
 * then minimised by dropping steps while the rest still replays and still violates the
 * same invariant, which brings it close to the shortest counterexample.
 *
 * Deterministic for a given seed (and `path`, fast-check's pointer to one run and its
 * shrinks). The result is data; the CLI renders it.
 */
import fc from 'fast-check';
import { selectInvariants } from '../core/explore.js';
import { Fingerprinter } from '../core/hash.js';
import { FingerprintSet } from '../core/fpset.js';
import type { Action, Spec, StateProperty } from '../core/spec.js';
import { replaySteps, StepNotEnabledError, type StepLabel, type Trace } from '../core/trace.js';

/** Options of a fuzzing campaign. */
export interface FuzzOptions {
  /** Behaviours to generate (fast-check's numRuns). */
  readonly runs: number;
  /** Steps per behaviour at most. */
  readonly depth: number;
  /** fast-check's seed. */
  readonly seed: number;
  /** fast-check's path: replays one failing run and its shrinks directly. */
  readonly path?: string;
  /** Invariants to check (default all). */
  readonly invariants?: readonly string[];
}

/** What a campaign found. */
export interface FuzzResult<S> {
  readonly result: 'ok' | 'violation';
  /** The violated invariant, or null. */
  readonly invariant: string | null;
  readonly seed: number;
  /** fast-check's path of the failing run (replay it with `--path`), or null. */
  readonly path: string | null;
  /** Behaviours generated (before shrinking). */
  readonly runs: number;
  /** Steps taken over all behaviours (shrinking included). */
  readonly steps: number;
  /** Length in states of the minimised counterexample, or null. */
  readonly traceLength: number | null;
  /** Length in states of the first failing behaviour, up to its violation, or null. */
  readonly originalLength: number | null;
  /** Distinct states visited over the campaign (by fingerprint). */
  readonly distinctStates: number;
  /** Action names the spec declares that no behaviour took. */
  readonly neverTaken: readonly string[];
  /** The minimised counterexample. */
  readonly trace: Trace<S> | null;
}

/** Runs a walk of choices; returns the trace up to the first violation (or the whole walk). */
function walk<S, A extends Action>(
  spec: Spec<S, A>,
  invariants: readonly StateProperty<S>[],
  choices: readonly number[],
  visit: (s: S, a: A | null) => void,
): { trace: Trace<S>; violated: string | null } {
  const inits = spec.initStates();
  let s = inits[0]! as S;
  const states: S[] = [s];
  const actions: Action[] = [];
  visit(s, null);
  const bad = (x: S): string | null => invariants.find((p) => !p.check(x))?.name ?? null;
  let violated = bad(s);
  for (const c of choices) {
    if (violated) break;
    const acts = spec.actions(s);
    if (acts.length === 0) break;
    const a = acts[c % acts.length]!;
    s = spec.next(s, a);
    states.push(s);
    actions.push(a);
    visit(s, a);
    violated = bad(s);
  }
  return { trace: { states, actions }, violated };
}

/** Drops steps while the rest replays and still ends in a violation of `invariant`. */
export function minimise<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, invariant: StateProperty<S>): Trace<S> {
  let steps: StepLabel[] = trace.actions.map((a) => ({ action: a.name, args: [...a.args] }));
  const violates = (ss: StepLabel[]): Trace<S> | null => {
    try {
      const t = replaySteps(spec, ss);
      // Stop at the first violating state: a shorter prefix may already violate.
      const k = t.states.findIndex((x) => !invariant.check(x));
      return k < 0 ? null : { states: t.states.slice(0, k + 1), actions: t.actions.slice(0, k) };
    } catch (e) {
      if (e instanceof StepNotEnabledError) return null;
      throw e;
    }
  };
  let best = violates(steps) ?? trace;
  steps = steps.slice(0, best.actions.length);
  /** Keeps the first candidate (a set of step indices to drop) that still violates. */
  const tryDrop = (candidates: Iterable<ReadonlySet<number>>): boolean => {
    for (const drop of candidates) {
      const candidate = steps.filter((_, k) => !drop.has(k));
      const t = violates(candidate);
      if (t) {
        best = t;
        steps = candidate.slice(0, t.actions.length);
        return true;
      }
    }
    return false;
  };
  // Drop one step at a time; when that is stuck, two at a time (a tick often needs a
  // partner: the skew bound can make one tick the condition of another); then a whole
  // "round" of one step per distinct label of the same action name (say one Tick of every
  // node), since clocks can only advance together.
  function* ones(): Generator<Set<number>> {
    for (let i = steps.length - 1; i >= 0; i--) yield new Set([i]);
  }
  function* pairs(): Generator<Set<number>> {
    for (let i = steps.length - 1; i >= 0; i--) for (let j = i - 1; j >= 0; j--) yield new Set([i, j]);
  }
  function* rounds(): Generator<Set<number>> {
    for (let i = steps.length - 1; i >= 0; i--) {
      const picked = new Map<string, number>();
      for (let j = i; j >= 0; j--) {
        const key = JSON.stringify(steps[j]!.args);
        if (steps[j]!.action === steps[i]!.action && !picked.has(key)) picked.set(key, j);
      }
      if (picked.size >= 3) yield new Set(picked.values());
    }
  }
  const dropOne = (): boolean => tryDrop(ones());
  const dropTwo = (): boolean => tryDrop(pairs());
  const dropRound = (): boolean => tryDrop(rounds());
  while (dropOne() || dropTwo() || dropRound()) {
    // keep going until nothing more can be removed
  }
  return best;
}

/** Runs a fuzzing campaign over a spec. Throws only for a bad option (an unknown invariant). */
export function fuzz<S, A extends Action>(spec: Spec<S, A>, o: FuzzOptions): FuzzResult<S> {
  const invariants = selectInvariants(spec, o.invariants);
  const fp = new Fingerprinter();
  const seen = new FingerprintSet();
  const taken = new Set<string>();
  let steps = 0;
  const visit = (s: S, a: A | null): void => {
    fp.state(spec, s);
    seen.put(fp.hi, fp.lo, 0, 0);
    if (a) {
      steps++;
      taken.add(a.name);
    }
  };
  let first: { trace: Trace<S>; violated: string } | null = null;
  // Long behaviours: fast-check's default sizes would keep arrays short.
  const choices = fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: o.depth, size: 'max' });
  const details = fc.check(
    fc.property(choices, (cs) => {
      const r = walk(spec, invariants, cs, visit);
      if (r.violated && first === null) first = { trace: r.trace, violated: r.violated };
      return r.violated === null;
    }),
    { seed: o.seed, numRuns: o.runs, ...(o.path !== undefined ? { path: o.path } : {}), endOnFailure: false },
  );
  const runs = details.numRuns;
  const neverTaken = (spec.actionNames ?? []).filter((n) => !taken.has(n));
  if (!details.failed || details.counterexample === null) {
    return { result: 'ok', invariant: null, seed: o.seed, path: null, runs, steps, traceLength: null, originalLength: null, distinctStates: seen.size, neverTaken, trace: null };
  }
  const [shrunk] = details.counterexample as [number[]];
  const r = walk(spec, invariants, shrunk, () => {});
  const inv = invariants.find((p) => p.name === r.violated)!;
  const minimal = minimise(spec, r.trace, inv);
  return {
    result: 'violation',
    invariant: inv.name,
    seed: o.seed,
    path: details.counterexamplePath,
    runs,
    steps,
    traceLength: minimal.states.length,
    originalLength: (first as { trace: Trace<S> } | null)?.trace.states.length ?? r.trace.states.length,
    distinctStates: seen.size,
    neverTaken,
    trace: minimal,
  };
}
