/**
 * Guards against the classic spec mistakes, and the check that every reported
 * counterexample is real.
 *
 * The engine's determinism rests on the spec contract (`actions` and `next` are pure, and
 * `actions` depends only on the state's value). A spec that breaks it does not crash: it
 * gives wrong counts or a trace that does not show what it claims. So the engine checks:
 *
 * - along every counterexample before it is reported ({@link verifyTrace}): each step is
 *   re-run twice, nothing changes its input, the actions are the same on the state the
 *   explorer expanded (for a spec with `decode`, the state rebuilt from its words), and the
 *   last state really violates the property. This is cheap (once per trace) and always on.
 * - at every expanded state, with the `strict` option ({@link checkStateContract}): the
 *   same checks, so a mistake is caught where it first happens rather than only where it
 *   corrupts a counterexample; for a spec without `decode`, also on a reordered copy of the
 *   state ({@link reordered}). A plain spec whose actions follow a Set's insertion order is
 *   harmless in one thread (the replay builds the very states the explorer built), so only
 *   `strict` reports it.
 *
 * A broken contract becomes a {@link ContractError}: an `error` result naming the cause and
 * the action, with a trace to the state where it was seen. Never a count or a violation.
 */
import { Fingerprinter } from './hash.js';
import { formatAction, type Action, type Spec } from './spec.js';

/** A breach of the spec contract, found by a guard; `where` is the spec function at fault. */
export class ContractError extends Error {
  constructor(
    readonly where: 'actions' | 'next' | 'initStates' | 'property',
    message: string,
    /** How many states of the trace being checked lead to the state where it was seen (1: the first). */
    readonly atState?: number,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/**
 * The explorer's finding that an expansion changed the state it was given, when it cannot
 * tell whether `actions` or `next` did it, or in which action: a replay of the state names
 * them ({@link explainError}). Any other contract error is reported as it was found.
 */
export class ChangedInputError extends ContractError {}

/** What a counterexample claims about its last state (or last step). */
export type TraceClaim =
  | { readonly kind: 'invariant'; readonly property: string }
  | { readonly kind: 'action'; readonly property: string }
  | { readonly kind: 'deadlock' };

/**
 * A copy of `v` equal by value but built in another order: every `Set` and `Map` with its
 * elements inserted in reverse, every object with its keys in reverse. Arrays keep their
 * order (it is part of their value). A spec whose `actions` or `next` gives something else
 * on this copy depends on how a state was built, not on what it is.
 */
export function reordered<T>(v: T): T {
  return reorder(v) as T;
}

function reorder(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reorder);
  if (v instanceof Set) return new Set([...v].reverse().map(reorder));
  if (v instanceof Map) return new Map([...v].reverse().map(([k, x]) => [reorder(k), reorder(x)] as const));
  const proto = Object.getPrototypeOf(v);
  // Class instances (and typed arrays) are left as they are: their construction is theirs.
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) out[k] = reorder((v as Record<string, unknown>)[k]);
  return out;
}

const labels = (acts: readonly Action[]): string[] => acts.map(formatAction);

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDifference(a: readonly string[], b: readonly string[]): string {
  const shown = (xs: readonly string[]): string => (xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, ...` : xs.join(', ')) || '(nothing)';
  return `[${shown(a)}] and [${shown(b)}]`;
}

/**
 * The view of a state that the explorer expands: for a spec with `encode` and `decode`, the
 * state rebuilt from its words (the explorer queues words, not objects), else the state itself.
 */
export function explorerView<S, A extends Action>(spec: Spec<S, A>): ((s: S) => S) | undefined {
  const { encode, decode } = spec;
  if (!encode || !decode) return undefined;
  const words: number[] = [];
  const sink = {
    int(x: number) {
      words.push(x | 0);
    },
    ints(xs: ArrayLike<number>) {
      for (let i = 0; i < xs.length; i++) words.push(xs[i]! | 0);
    },
  };
  return (s: S): S => {
    words.length = 0;
    encode.call(spec, s, sink);
    const w = Int32Array.from(words);
    return decode.call(spec, w, 0, w.length);
  };
}

/**
 * Checks the contract at one state: `actions` gives the same list twice and on an equal
 * copy of the state (the explorer's decoded view when the spec has one, else a reordered
 * copy), `next` gives equal successors twice and from the equal copy, returns a state, and
 * neither changes its input. Throws a {@link ContractError} naming the first breach. Returns
 * the labels of the actions listed (for {@link checkSameActions}).
 */
export function checkStateContract<S, A extends Action>(
  spec: Spec<S, A>,
  s: S,
  view?: (s: S) => S,
  fp = new Fingerprinter(),
  /** Without a view, compare with a reordered copy (see {@link reordered}). */
  reorder = true,
): readonly string[] {
  const key = (x: S): string => {
    // Afresh: a cached sub-value fingerprint would hide a change made in place.
    fp.state(spec, x, { noCache: true });
    return `${fp.hi}:${fp.lo}`;
  };
  const before = key(s);
  const copy = view ? view(s) : reorder ? reordered(s) : null;
  if (copy !== null && key(copy) !== before) {
    throw new ContractError('actions', `the state's fingerprint changed when it was copied: its encoding does not determine it (encode and decode disagree), or a step wrote into a value this state shares with others (an array or record of a decoded state: steps must copy, not write)`);
  }
  const acts = spec.actions(s);
  if (!Array.isArray(acts)) throw new ContractError('actions', `actions() returned ${describe(acts)}, not an array of actions`);
  const first = labels(acts);
  if (key(s) !== before) throw new ContractError('actions', `actions() changed the state it was given: it must not modify its input`);
  const again = labels(spec.actions(s));
  if (!sameLabels(first, again)) {
    throw new ContractError('actions', `actions() listed different actions when called twice on the same state (${firstDifference(first, again)}): it must be deterministic`);
  }
  const copyActs = copy === null ? null : spec.actions(copy);
  const onCopy = copyActs === null ? first : labels(copyActs);
  if (!sameLabels(first, onCopy)) {
    throw new ContractError(
      'actions',
      `actions() listed different actions for equal states (${firstDifference(first, onCopy)}): it must depend only on the state's value, not on how the state was built (e.g. the iteration order of a Set or of object keys; iterate in a sorted order)`,
    );
  }
  for (let i = 0; i < acts.length; i++) {
    const a = acts[i]!;
    let t: S;
    try {
      t = spec.next(s, a);
    } catch {
      // A throw is the explorer's to report, in its order; here only the contract counts.
      continue;
    }
    if (t === undefined || t === null) throw new ContractError('next', `next() returned ${String(t)} for ${formatAction(a)}: it must return the successor state`);
    if (key(s) !== before) throw new ContractError('next', `next() changed the state it was given, in ${formatAction(a)}: it must return a new state and leave its input as it was`);
    const k1 = key(t);
    const k2 = key(spec.next(s, a));
    if (k1 !== k2) throw new ContractError('next', `next() gave two different successors for ${formatAction(a)} from the same state: it must be deterministic`);
    if (copy !== null && k1 !== key(spec.next(copy, copyActs![i]!))) {
      throw new ContractError('next', `next() gave different successors for ${formatAction(a)} from equal states: it must depend only on the state's value, not on how the state was built`);
    }
  }
  return first;
}

/**
 * Throws the {@link ContractError} of a nondeterministic `actions` when `acts` (a later call
 * on the same state) differs from `first` (what {@link checkStateContract} listed).
 */
export function checkSameActions(first: readonly string[], acts: readonly Action[]): void {
  const again = labels(acts);
  if (!sameLabels(first, again)) {
    throw new ContractError('actions', `actions() listed different actions when called twice on the same state (${firstDifference(first, again)}): it must be deterministic`);
  }
}

function describe(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  return typeof x;
}

/**
 * Checks a counterexample before it is reported: every state along it keeps the contract
 * ({@link checkStateContract}), every step is one that `actions` lists, and the claim holds
 * of its end (the last state violates the invariant; the last step violates the action
 * property; the last state has no enabled action). Throws a {@link ContractError} naming
 * the cause otherwise: the trace is then not a counterexample and must not be shown as one.
 */
export function verifyTrace<S, A extends Action>(
  spec: Spec<S, A>,
  trace: { readonly states: readonly S[]; readonly actions: readonly Action[] },
  claim: TraceClaim | null,
  view?: (s: S) => S,
): void {
  const fp = new Fingerprinter();
  const { states, actions } = trace;
  for (let i = 0; i < states.length; i++) {
    try {
      // The last state is expanded too when the claim is about it (a deadlock: nothing enabled).
      // Order-dependence matters only where the explorer expands a rebuilt state (`view`):
      // elsewhere the replay builds the very states the explorer built.
      if (i < states.length - 1 || claim?.kind === 'deadlock') checkStateContract(spec, states[i]!, view, fp, false);
    } catch (e) {
      if (e instanceof ContractError) throw new ContractError(e.where, e.message, i + 1);
      throw e;
    }
    if (i === states.length - 1) break;
    const a = actions[i]!;
    const label = formatAction(a);
    if (!labels(spec.actions(states[i]!)).includes(label)) {
      throw new ContractError('actions', `step ${i + 1} of the counterexample (${label}) is not enabled when the trace is replayed: actions() is not deterministic`, i + 1);
    }
  }
  if (claim === null) return;
  const last = states[states.length - 1]!;
  if (claim.kind === 'deadlock') {
    if (spec.actions(last).length !== 0) throw new ContractError('actions', `the deadlock state has enabled actions when the trace is replayed: actions() is not deterministic`, states.length);
    return;
  }
  if (claim.kind === 'invariant') {
    const p = (spec.invariants ?? []).find((q) => q.name === claim.property);
    if (p && p.check(last)) {
      throw new ContractError(
        'property',
        `the counterexample's last state satisfies ${claim.property} when the trace is replayed: the spec's actions, next or ${claim.property} is not deterministic`,
        states.length,
      );
    }
    return;
  }
  const p = (spec.actionProperties ?? []).find((q) => q.name === claim.property);
  if (p && states.length >= 2 && p.check(states[states.length - 2]!, last, actions[actions.length - 1] as A)) {
    throw new ContractError('property', `the counterexample's last step satisfies ${claim.property} when the trace is replayed: the spec is not deterministic`, states.length);
  }
}

/** A rebuilt counterexample that passed {@link verifyTrace}, or why it is not one. */
export type CheckedTrace<S> =
  | { readonly ok: true; readonly trace: { readonly states: readonly S[]; readonly actions: readonly Action[] } }
  | {
      readonly ok: false;
      /** The spec function at fault (`actions`, `next`, or the property). */
      readonly where: string;
      readonly message: string;
      /** The trace up to the state where the breach was seen, when one could be rebuilt. */
      readonly trace?: { readonly states: readonly S[]; readonly actions: readonly Action[] };
    };

/**
 * Rebuilds a counterexample with `rebuild` and checks it ({@link verifyTrace}); the one way
 * both the one-thread and the parallel checker turn a finding into a reported trace.
 */
export function checkedTrace<S, A extends Action>(
  spec: Spec<S, A>,
  rebuild: () => { readonly states: readonly S[]; readonly actions: readonly Action[] },
  claim: TraceClaim | null,
  view?: (s: S) => S,
): CheckedTrace<S> {
  let trace;
  try {
    trace = rebuild();
  } catch (e) {
    return {
      ok: false,
      where: 'actions',
      message: `the counterexample could not be replayed (${e instanceof Error ? e.message : String(e)}): actions() or next() is not deterministic, or changes its input`,
    };
  }
  try {
    verifyTrace(spec, trace, claim, view);
  } catch (e) {
    if (!(e instanceof ContractError)) {
      return { ok: false, where: 'replay', message: `replaying the counterexample threw: ${e instanceof Error ? e.message : String(e)}`, trace };
    }
    const n = e.atState ?? trace.states.length;
    return {
      ok: false,
      where: e.where === 'property' && claim && claim.kind !== 'deadlock' ? claim.property : e.where,
      message: e.message,
      trace: { states: trace.states.slice(0, n), actions: trace.actions.slice(0, n - 1) },
    };
  }
  return { ok: true, trace };
}

/**
 * For an error found while exploring: when the last state of its trace breaks the contract,
 * the breach's precise message (which function, which action); else null.
 */
export function explainError<S, A extends Action>(spec: Spec<S, A>, last: S, view?: (s: S) => S): { where: string; message: string } | null {
  try {
    checkStateContract(spec, last, view, new Fingerprinter(), false);
  } catch (e) {
    if (e instanceof ContractError) return { where: e.where, message: e.message };
  }
  return null;
}
