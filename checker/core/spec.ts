/**
 * The spec boundary: what a model hands the checker.
 *
 * A spec is plain data plus pure functions, in the shape of Stateright's `Model` trait:
 * initial states, the actions enabled in a state (each with a name and arguments, so
 * every trace step and graph edge has a label), the successor function, and the
 * properties to check. The checker knows nothing else about the model; renderers learn
 * what a step means (who acted, what was sent and received) from {@link Spec.describeStep}.
 *
 * Contract: `actions` and `next` are pure. `next(state, action)` never changes `state`
 * or anything reachable from it, and `actions(state)` returns the enabled actions in a
 * deterministic order (the engine's determinism rests on it).
 *
 * @packageDocumentation
 */


/** A scalar that may appear as an action argument. */
export type ActionArg = number | string | boolean | null;

/** A labelled action: what a trace step or a graph edge shows. */
export interface Action {
  /** The action's name, e.g. `"Tick"`; coverage is counted per name. */
  readonly name: string;
  /** The action's arguments in a fixed order, e.g. `[2]` for `Tick(2)`. */
  readonly args: readonly ActionArg[];
}

/** A named predicate over one state. */
export interface StateProperty<S> {
  /** The property's name as users type it (`--invariant NAME`) and reports show it. */
  readonly name: string;
  /** True when the property holds in `state`. Throwing is reported as an `error` result. */
  readonly check: (state: S) => boolean;
}

/** A named predicate over one step (state before, action, state after). */
export interface ActionProperty<S, A extends Action = Action> {
  /** The property's name. */
  readonly name: string;
  /** True when the step `before --action--> after` satisfies the property. */
  readonly check: (before: S, after: S, action: A) => boolean;
}

/**
 * The engine's sink for a state's compact encoding: a spec's {@link Spec.encode} writes
 * the state as a sequence of 32-bit integers, and the engine fingerprints that sequence.
 * Two states must be equal exactly when their encodings are equal.
 */
export interface StateEncoder {
  /** Appends one integer (it is truncated to 32 bits: `x | 0`). */
  int(x: number): void;
  /** Appends every element of `words` (each truncated to 32 bits), in a tight loop. */
  ints(words: ArrayLike<number>): void;
}

/** A message a step sent or received, as renderers see it. */
export interface StepMessage {
  /** A stable identity of the message, equal at its send and at its receipt. */
  readonly id: string;
  /** A short label, e.g. `Grant(v=2, exp=3)`. */
  readonly label: string;
  /** The node that sent it. */
  readonly from: string;
  /** The node it is addressed to. */
  readonly to: string;
}

/** What a step means for a per-node (swimlane) rendering. */
export interface StepInfo {
  /** The node that took the step. */
  readonly node: string;
  /** Messages the step put in flight. */
  readonly sent: readonly StepMessage[];
  /** The message the step consumed, if any. */
  readonly received?: StepMessage;
  /** Messages the step removed without delivering them (e.g. a loss). */
  readonly lost?: readonly StepMessage[];
  /** Local events worth a mark on the node's lane, e.g. `clock=2` or `lease granted`. */
  readonly events: readonly string[];
}

/** One node's belief about who holds a lease (or any interval-valued role), in one state. */
export interface TimelineClaim {
  /** The node that holds the belief (a lane), e.g. `cs1` or `M`. */
  readonly node: string;
  /** Who the node believes holds the lease, e.g. `cs1`. */
  readonly holder: string;
  /** What the belief is, shown on its bar, e.g. `primary v2` or `lease of cs1 v2`. */
  readonly label: string;
  /** When the belief ends, on `node`'s clock as the state stores it (the renderer adds the clock shifts). */
  readonly until?: number;
}

/** What a lease timeline needs of one state ({@link Spec.timeline}). */
export interface TimelineSample {
  /** Each node's clock reading as the state stores it (normalised readings are fine: see `clockShift`). */
  readonly clocks?: Readonly<Record<string, number>>;
  /**
   * How much the step into this state shifted every clock and timestamp down (a spec that
   * normalises time); the renderer adds the shifts up so that its clocks are elapsed ticks,
   * which never run backwards.
   */
  readonly clockShift?: number;
  /** Who believes whom holds the lease in this state. Two different holders at once is an overlap. */
  readonly claims: readonly TimelineClaim[];
  /** The nodes that are down (crashed) in this state. */
  readonly down?: readonly string[];
}

/** A cell of the state explorer's table of one node: its name and its path in the JSON view (`ver.1`, `clock.M`). */
export interface StateField {
  readonly name: string;
  readonly path: string;
}

/**
 * A checkable model.
 *
 * @typeParam S - the state type; states are immutable values.
 * @typeParam A - the action type.
 */
export interface Spec<S, A extends Action = Action> {
  /** The spec's name, shown in reports. */
  readonly name: string;
  /** The initial states, in a deterministic order. */
  initStates(): readonly S[];
  /** The actions enabled in `state`, in a deterministic order. Must not mutate `state`. */
  actions(state: S): readonly A[];
  /** The successor of `state` under `action` (which `actions(state)` listed). Pure. */
  next(state: S, action: A): S;
  /**
   * Every action name the spec can produce, so that coverage can flag the ones that never
   * fired. Optional: without it only names that fired at least once are known.
   */
  readonly actionNames?: readonly string[];
  /**
   * The position of `action.name` in {@link Spec.actionNames}. Optional: with it the engine
   * counts coverage per successor by index instead of looking the name up (a measurable
   * cost when a state's successors take a microsecond). Must agree with `actionNames`.
   */
  actionIndex?(action: A): number;
  /** `always` properties: must hold in every reachable state, initial states included. */
  readonly invariants?: readonly StateProperty<S>[];
  /** `sometimes` properties: each must hold in at least one reachable state. */
  readonly sometimes?: readonly StateProperty<S>[];
  /**
   * Liveness properties (`eventually`, `leadsTo`, `always eventually`, `eventually always`),
   * checked by `checkLiveness` under fairness the run names; optional.
   */
  readonly liveness?: readonly TemporalProperty<S>[];
  /** Named sets of fairness constraints (e.g. `FairAll`), for liveness checks; optional. */
  readonly fairness?: readonly FairnessGroup[];
  /** Properties of every step (state before, state after), checked on every transition. */
  readonly actionProperties?: readonly ActionProperty<S, A>[];
  /**
   * A state constraint, as TLC's CONSTRAINT: a generated state that fails it is checked
   * against the invariants but neither stored, counted as distinct, nor expanded.
   */
  constraint?(state: S): boolean;
  /**
   * Symmetry: maps a state to the canonical representative of its orbit. Must satisfy
   * `canonicalize(canonicalize(s))` equal to `canonicalize(s)`, and every property must be
   * invariant under the symmetry.
   */
  canonicalize?(state: S): S;
  /**
   * A compact encoding of `state` as 32-bit integers, used to fingerprint it. Optional:
   * without it the engine walks the state structurally (slower, but exact for plain
   * objects, arrays, Sets, Maps, numbers, strings, booleans and null).
   */
  encode?(state: S, out: StateEncoder): void;
  /**
   * The inverse of {@link Spec.encode}: rebuilds a state from its words `words[start..end)`.
   * Optional; when given, the engine keeps its breadth-first queue as encoded words (a few
   * bytes a state instead of a graph of objects). The result must not alias `words`.
   */
  decode?(words: Int32Array, start: number, end: number): S;
  /** The nodes a step can name (swimlane lanes, in display order); optional. */
  readonly nodes?: readonly string[];
  /** Describes a step for renderers (swimlane charts); optional. */
  describeStep?(before: S, action: A, after: S): StepInfo;
  /** The values a violation of `property` in `state` is about, one line each (reports); optional. */
  describeViolation?(property: string, state: S): readonly string[];
  /**
   * The paths of the JSON view ({@link Spec.toJSON}) that `property` reads in `state`, e.g.
   * `["mLease", "clock.M", "leaseExp.1"]`, highlighted in reports; optional. Without it a
   * report records what the property reads by re-checking the last state through a proxy,
   * which works when the state is its own view (no `toJSON`).
   */
  propertyReads?(property: string, state: S): readonly string[];
  /**
   * The lease timeline of a state, for reports: each node's clock, who believes whom holds
   * the lease, and who is down; `before` and `action` are the step into it (absent for an
   * initial state). Optional: without it reports draw no timeline.
   */
  timeline?(state: S, before?: S, action?: A): TimelineSample;
  /**
   * The state explorer's layout: one table per node (lane), each a list of fields read from
   * the JSON view by path; optional. Without it the explorer shows one table of the view's
   * top-level fields.
   */
  readonly stateTables?: readonly { readonly node: string; readonly fields: readonly StateField[] }[];
  /** The state as Informal Trace Format values (`#set`, `#map`, `#bigint`, ...); optional. */
  toITF?(state: S): Record<string, unknown>;
  /** A JSON-friendly view of a state for trace files and reports; defaults to the state. */
  toJSON?(state: S): unknown;
}

/** Weak or strong fairness of an action name, as one action or per argument tuple. */
export interface FairnessConstraint {
  /** `WF` (weak) or `SF` (strong). */
  readonly kind: 'WF' | 'SF';
  /**
   * The action's name, or several names taken as one action (`WF_vars(A \/ B)`, e.g.
   * EWD840's `System == InitiateProbe \/ \E i: PassToken(i)`).
   */
  readonly action: string | readonly string[];
  /**
   * True: one constraint for each argument tuple (`\A c: WF_vars(A(c))`); false or absent:
   * one constraint for the name, whatever the arguments (`WF_vars(A)`).
   */
  readonly perArgs?: boolean;
}

/** A named set of fairness constraints a spec declares (e.g. `FairAll`). */
export interface FairnessGroup {
  readonly name: string;
  readonly constraints: readonly FairnessConstraint[];
}

/** The four temporal forms. */
export type TemporalKind = 'eventually' | 'leadsTo' | 'alwaysEventually' | 'eventuallyAlways';

/**
 * A liveness property: `eventually p`, `p leadsTo q`, `always eventually p` or
 * `eventually always p`.
 */
export interface TemporalProperty<S> {
  /** The property's name as users type it and reports show it. */
  readonly name: string;
  readonly kind: TemporalKind;
  readonly p: (state: S) => boolean;
  /** The right side of `leadsTo`; only for that kind. */
  readonly q?: (state: S) => boolean;
}

/** A spec of any state type: tools that handle states only through the spec's own functions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySpec = Spec<any, any>;

/** Values of a spec's constants (a catalog family's or a spec module's), by name. */
export type ConstantValues = Readonly<Record<string, number | boolean>>;

/** Formats an action as `Name(arg1, arg2)`. */
export function formatAction(action: Action): string {
  return action.args.length === 0 ? action.name : `${action.name}(${action.args.map(String).join(', ')})`;
}
