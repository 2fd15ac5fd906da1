/**
 * Counterexample traces, rebuilt by replay as TLC's `TLCTrace` does: the visited set keeps
 * only (parent id, action index) per state, so a trace is the chain of action indices from
 * an initial state to the target, and its states and actions are recomputed by re-running
 * the spec. Under symmetry the chain runs over canonical states and the reported trace is
 * the matching real behaviour (see {@link replayActions}).
 */
import { Fingerprinter } from './hash.js';
import type { VisitedSet } from './fpset.js';
import type { Action, Spec } from './spec.js';

/** A behaviour: `states[0]` is initial and `actions[i]` leads from `states[i]` to `states[i + 1]`. */
export interface Trace<S> {
  /** The states, initial first; the length of a trace is `states.length` (TLC counts states). */
  readonly states: readonly S[];
  /** The actions, one fewer than the states. */
  readonly actions: readonly Action[];
  /**
   * A lasso (a liveness counterexample): the index of the state where the loop starts. When
   * it is below the last index, the last state equals `states[loopStart]` (the last step
   * closes the loop); when it is the last index, the behaviour stutters there forever.
   */
  readonly loopStart?: number;
}

/** Thrown when a fingerprint chain cannot be replayed: the spec is not deterministic or not pure. */
export class ReplayError extends Error {}

/** A stored state's parent id and the index of the action that led to it. */
export type ParentLookup = (id: number) => readonly [parent: number, action: number];

/**
 * The action indices from an initial state to a target: the first is the initial state's
 * index, each next one the position, among the enabled actions of the (canonical) state
 * before it, of the action taken. The target's parent is stored state `parentId` (-1 when
 * the target is initial) and `action` is the target's own index.
 */
export function actionChain(lookup: ParentLookup, parentId: number, action: number): number[] {
  const chain = [action];
  for (let id = parentId; id >= 0; ) {
    const [parent, a] = lookup(id);
    chain.push(a);
    id = parent;
  }
  return chain.reverse();
}

/** Rebuilds the trace to the state reached by `action` from stored state `parentId`. */
export function rebuildTrace<S, A extends Action>(
  spec: Spec<S, A>,
  seen: VisitedSet,
  parentId: number,
  action: number,
  canonicalize?: (s: S) => S,
  view?: (s: S) => S,
): Trace<S> {
  return replayActions(spec, actionChain((id) => [seen.parent(id), seen.action(id)], parentId, action), canonicalize, view);
}

/**
 * Replays an action chain exactly as the explorer took it. The explorer numbers a state's
 * actions on the state it expanded: the canonical form under symmetry, and for a spec with
 * `decode` the state rebuilt from its words (`view`, see `explorerView` in verify.ts), so the
 * replay numbers them on the same states.
 *
 * Without symmetry the chain is the behaviour: each reported state is what `next` returned.
 * With it, the chain runs over canonical states, and the real behaviour follows beside it: at
 * each step, the first enabled action of the real state (in the spec's order) whose successor
 * has the same canonical form. So a trace is always a real behaviour of the spec from one of
 * its initial states, whatever the reduction.
 */
export function replayActions<S, A extends Action>(
  spec: Spec<S, A>,
  chain: readonly number[],
  canonicalize?: (s: S) => S,
  view?: (s: S) => S,
): Trace<S> {
  const fp = new Fingerprinter();
  const key = (s: S): string => {
    fp.state(spec, s);
    return `${fp.hi}:${fp.lo}`;
  };
  const inits = spec.initStates();
  if (!(chain[0]! >= 0 && chain[0]! < inits.length)) throw new ReplayError(`no initial state #${chain[0]}`);
  let real = inits[chain[0]!] as S;
  // The state the explorer expanded at this step.
  const expanded = (c: S): S => (view ? view(c) : c);
  let cur = expanded(canonicalize ? canonicalize(real) : real);
  const states: S[] = [real];
  const actions: Action[] = [];
  for (let i = 1; i < chain.length; i++) {
    const a = spec.actions(cur)[chain[i]!];
    if (a === undefined) throw new ReplayError(`step ${i} of the trace cannot be replayed: no action #${chain[i]} is enabled`);
    const t = spec.next(cur, a);
    if (!canonicalize) {
      real = t;
      cur = expanded(t);
      states.push(real);
      actions.push(a);
      continue;
    }
    const c = canonicalize(t);
    const want = key(c);
    const b = spec.actions(real).find((x) => key(canonicalize(spec.next(real, x))) === want);
    if (b === undefined) throw new ReplayError(`step ${i} of the trace has no counterpart from the real state`);
    real = spec.next(real, b);
    cur = expanded(c);
    states.push(real);
    actions.push(b);
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
