/**
 * Counterexample traces, rebuilt by replay as TLC's `TLCTrace` does: the visited set keeps
 * only (parent id, fingerprint) per state, so a trace is the chain of fingerprints from an
 * initial state to the target, and its states and actions are recomputed by re-running the
 * spec and choosing, at each step, the first enabled action (in the spec's order) whose
 * successor has the next fingerprint.
 *
 * Under symmetry the stored fingerprints are those of canonical states; replay follows
 * the real, un-canonicalised states, matching each successor by its canonical
 * fingerprint. So a trace is always a real behaviour of the spec from one of its initial
 * states, whatever the reduction.
 */
import { Fingerprinter } from './hash.js';
import type { FingerprintSet } from './fpset.js';
import type { Action, Spec } from './spec.js';

/** A behaviour: `states[0]` is initial and `actions[i]` leads from `states[i]` to `states[i + 1]`. */
export interface Trace<S> {
  /** The states, initial first; the length of a trace is `states.length` (TLC counts states). */
  readonly states: readonly S[];
  /** The actions, one fewer than the states. */
  readonly actions: readonly Action[];
}

/** Thrown when a fingerprint chain cannot be replayed: the spec is not deterministic or not pure. */
export class ReplayError extends Error {}

/** Where a stored state's fingerprint and parent are: one explorer's set, or several workers'. */
export type ParentLookup = (id: number) => readonly [hi: number, lo: number, parent: number];

/** The fingerprint chain from an initial state to `(hi, lo)`, whose parent is stored state `parentId`. */
export function fingerprintChain(lookup: ParentLookup, parentId: number, hi: number, lo: number): [number, number][] {
  const fps: [number, number][] = [[hi >>> 0, lo >>> 0]];
  for (let id = parentId; id >= 0; ) {
    const [h, l, parent] = lookup(id);
    fps.push([h >>> 0, l >>> 0]);
    id = parent;
  }
  return fps.reverse();
}

/**
 * Rebuilds the trace ending in the state with fingerprint `(hi, lo)` whose parent is the
 * stored state `parentId` (-1 when the target is itself initial).
 */
export function rebuildTrace<S, A extends Action>(
  spec: Spec<S, A>,
  seen: FingerprintSet,
  parentId: number,
  hi: number,
  lo: number,
  canonicalize?: (s: S) => S,
): Trace<S> {
  const lookup: ParentLookup = (id) => [seen.hi(id), seen.lo(id), seen.parent(id)];
  return replayFingerprints(spec, fingerprintChain(lookup, parentId, hi, lo), canonicalize);
}

/**
 * Replays a fingerprint chain: from the initial state with the first fingerprint, each
 * step takes the first enabled action whose (canonical) successor has the next one.
 */
export function replayFingerprints<S, A extends Action>(
  spec: Spec<S, A>,
  fps: readonly (readonly [number, number])[],
  canonicalize?: (s: S) => S,
): Trace<S> {
  const fp = new Fingerprinter();
  const matches = (s: S, [h, l]: readonly [number, number]): boolean => {
    const c = canonicalize ? canonicalize(s) : s;
    fp.reset();
    if (spec.encode) spec.encode(c, fp);
    else fp.value(c);
    fp.finish();
    return fp.hi === h && fp.lo === l;
  };
  const inits = spec.initStates();
  const firstIdx = inits.findIndex((s) => matches(s, fps[0]!));
  if (firstIdx < 0) throw new ReplayError('no initial state has the fingerprint of the trace start');
  const first = inits[firstIdx] as S;
  const states: S[] = [first];
  const actions: Action[] = [];
  let cur = first;
  for (let i = 1; i < fps.length; i++) {
    let found = false;
    for (const a of spec.actions(cur)) {
      const t = spec.next(cur, a);
      if (matches(t, fps[i]!)) {
        states.push(t);
        actions.push(a);
        cur = t;
        found = true;
        break;
      }
    }
    if (!found) throw new ReplayError(`step ${i} of the trace cannot be replayed: no enabled action reaches it`);
  }
  return { states, actions };
}

/** A step as trace files record it: the action's name and arguments. */
export interface StepLabel {
  readonly action: string;
  readonly args: readonly unknown[];
}

/** Thrown by {@link replaySteps} when a step is not enabled; `step` is 1-based. */
export class StepNotEnabledError extends ReplayError {
  constructor(
    readonly step: number,
    readonly label: StepLabel,
    readonly enabled: readonly Action[],
  ) {
    super(
      `step ${step} (${label.action}(${label.args.map(String).join(', ')})) is not enabled; enabled there: ${
        enabled.map((a) => (a.args.length ? `${a.name}(${a.args.map(String).join(', ')})` : a.name)).join(', ') || '(nothing)'
      }`,
    );
  }
}

const sameArgs = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Re-executes labelled steps from the initial state `initIndex` of the spec: at each step,
 * the enabled action with the same name and arguments. Throws {@link StepNotEnabledError}
 * at the first step that is not enabled.
 */
export function replaySteps<S, A extends Action>(spec: Spec<S, A>, steps: readonly StepLabel[], initIndex = 0): Trace<S> {
  const inits = spec.initStates();
  if (initIndex < 0 || initIndex >= inits.length) throw new ReplayError(`the spec has no initial state #${initIndex}`);
  let cur = inits[initIndex] as S;
  const states: S[] = [cur];
  const actions: Action[] = [];
  steps.forEach((step, i) => {
    const enabled = spec.actions(cur);
    const a = enabled.find((x) => x.name === step.action && sameArgs(x.args, step.args));
    if (!a) throw new StepNotEnabledError(i + 1, step, enabled);
    cur = spec.next(cur, a);
    states.push(cur);
    actions.push(a);
  });
  return { states, actions };
}
