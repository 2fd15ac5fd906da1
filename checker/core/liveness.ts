/**
 * Liveness under fairness: `eventually P` (`<>P`), `P leadsTo Q` (`P ~> Q`), `always
 * eventually P` (`[]<>P`) and `eventually always P` (`<>[]P`), checked exactly over the
 * whole reachable state graph under weak and strong fairness of named actions, with lasso
 * counterexamples (a shortest prefix, then a cycle that meets every fairness obligation).
 *
 * Semantics follow TLA and TLC: a behaviour is infinite; any state may stutter forever,
 * which is how a state with no enabled action continues; fairness is TLC's
 * `WF_vars(A) == <>[](ENABLED <<A>>_vars) => []<><<A>>_vars` and
 * `SF_vars(A) == []<>(ENABLED <<A>>_vars) => []<><<A>>_vars`, where `<<A>>_vars` is a step of
 * `A` that changes the state. So a step from a state to itself is stuttering: it never
 * counts as taking `A`, and an action whose only successor is the state itself is not
 * enabled. A constraint names an action either as one action (TLC's `WF_vars(A)`, every
 * argument tuple together) or per argument tuple (`\A c: WF_vars(A(c))`, one constraint
 * for each tuple that occurs).
 *
 * The algorithm, in one pass over the state space:
 * 1. Breadth-first search that also records the graph compactly: states get dense ids in
 *    discovery order and are expanded in id order, so each state's edges are appended in
 *    source order (a start offset per state, a target id and a one-byte fairness class per
 *    edge). Stuttering edges (to the state itself) are dropped, and so are repeats of an
 *    edge with the same target and class. Only edges from states of the subgraph below are
 *    kept, and an edge leaving it keeps only its class (target -1: it still makes its action
 *    enabled). The spec's invariants and action properties are checked on the way, so the
 *    one pass is also the safety check.
 * 2. Strongly connected components of the subgraph in which the property must fail forever
 *    (Pearce's space-efficient iterative variant of Tarjan's algorithm: one word a state and
 *    a shared stack). A component is fair when, for each weak-fairness instance, the action
 *    is taken on an edge inside it or disabled in one of its states; for each strong one,
 *    taken inside or disabled in all of its states. A component failing only strong
 *    fairness loses the states where a failing action is enabled, and what is left is
 *    split into components again (Emerson and Lei's refinement), until fair or empty. A
 *    single state with no edge inside is fair when no fair action is enabled there (it
 *    stutters).
 * 3. The verdict: violated when a fair component is reachable inside the subgraph from a
 *    state where the property's obligation starts. Only then (or for a safety violation) a
 *    second pass records every edge and builds the counterexample: a breadth-first search
 *    for the shortest prefix to a fair component (through such a state), then a cycle from
 *    the first component state reached, greedily extended to the nearest edge or state
 *    meeting a fairness obligation still open, and closed back to the loop state.
 *
 * Symmetry reduction and state constraints are refused ({@link LivenessRefused}): a cycle
 * of orbits need not be a cycle of states, and a state constraint cuts behaviours that
 * liveness is about. The pass runs in one thread.
 */
import { Fingerprinter } from './hash.js';
import { homeSlot } from './fpset.js';
import { CoverageCounters, makeStats, selectInvariants, type CheckResult, type CheckStats } from './explore.js';
import { ObjectLevel, WordLevel, type Level } from './level.js';
import type { Action, FairnessConstraint, Spec, StateProperty, TemporalKind, TemporalProperty } from './spec.js';
import type { Trace } from './trace.js';

// The vocabulary of liveness (fairness, temporal properties) is part of the spec boundary.
export type { FairnessConstraint, FairnessGroup, TemporalKind, TemporalProperty } from './spec.js';

/** Thrown for a check that cannot be done soundly (symmetry, a state constraint) or a bad name. */
export class LivenessRefused extends RangeError {}

/** Options of {@link checkLiveness}. */
export interface LivenessOptions<S> {
  /** The property (a name from the spec's `liveness`, or the property itself). */
  readonly property: string | TemporalProperty<S>;
  /** Fairness: names of the spec's `fairness` groups, or constraints, or both. */
  readonly fairness?: readonly (string | FairnessConstraint)[];
  /** Invariants to check on the way (names); default all the spec's; `false` for none. */
  readonly invariants?: readonly string[] | false;
  /** Must be false or absent when the spec has `canonicalize` (liveness under symmetry is refused). */
  readonly symmetry?: boolean;
  /** Stop (incomplete: no verdict) after this many distinct states. */
  readonly maxStates?: number;
  /** Stop (incomplete: no verdict) after this many milliseconds. */
  readonly timeLimitMs?: number;
}

/** What the liveness pass measured. */
export interface LivenessInfo {
  readonly property: string;
  readonly kind: TemporalKind;
  /** The fairness constraints, as `WF(Tick per args)`, `SF(A)`. */
  readonly fairness: readonly string[];
  /** Fairness instances that occurred (one per argument tuple for per-args constraints). */
  readonly instances: number;
  /** Edges recorded (stuttering and repeated edges dropped). */
  readonly edges: number;
  /** States of the subgraph where the property must fail forever. */
  readonly subgraphStates: number;
  /** Strongly connected components of that subgraph, and how many were fair. */
  readonly components: number;
  readonly fairComponents: number;
  /** Peak bytes held by the pass (visited table, fingerprints, graph, component search). */
  readonly peakBytes: number;
  /** Seconds of the search with the graph, and of the component and lasso search after it. */
  readonly exploreSeconds: number;
  readonly livenessSeconds: number;
  /**
   * When a counterexample was built: the second pass that records every edge (the numbers
   * above are the verdict pass's).
   */
  readonly counterexample?: { readonly peakBytes: number; readonly seconds: number };
  /** For a violation: the lasso's prefix (states before the loop) and cycle (states in it). */
  readonly prefix?: number;
  readonly cycle?: number;
}

/** The outcome: a {@link CheckResult} (a liveness violation has kind `liveness`) and what the pass measured. */
export type LivenessResult<S> = CheckResult<S> & { readonly liveness: LivenessInfo };

// ---------------------------------------------------------------------------------------
// Growable storage in fixed chunks (growing never copies, so the peak is what is held).

const CB = 14;
const CSIZE = 1 << CB;
const CMASK = CSIZE - 1;

class Int32Chunks {
  readonly chunks: Int32Array[] = [];
  length = 0;
  push(x: number): void {
    const i = this.length++;
    if ((i & CMASK) === 0 && i >>> CB === this.chunks.length) this.chunks.push(new Int32Array(CSIZE));
    this.chunks[i >>> CB]![i & CMASK] = x;
  }
  get(i: number): number {
    return this.chunks[i >>> CB]![i & CMASK]!;
  }
  get bytes(): number {
    return this.chunks.length * CSIZE * 4;
  }
}

class Uint8Chunks {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  push(x: number): void {
    const i = this.length++;
    if ((i & CMASK) === 0 && i >>> CB === this.chunks.length) this.chunks.push(new Uint8Array(CSIZE));
    this.chunks[i >>> CB]![i & CMASK] = x;
  }
  get(i: number): number {
    return this.chunks[i >>> CB]![i & CMASK]!;
  }
  set(i: number, x: number): void {
    this.chunks[i >>> CB]![i & CMASK] = x;
  }
  get bytes(): number {
    return this.chunks.length * CSIZE;
  }
}

const RECENT_BITS = 14;
const RECENT_MASK = (1 << RECENT_BITS) - 1;

/** The target of an edge that leaves the subgraph (only its class is kept). */
const NO_TARGET = 0xffffff;
/** The most states the liveness pass records: a target id takes 24 bits of an edge's word. */
export const MAX_LIVENESS_STATES = NO_TARGET - 1;

/**
 * Recorded edges, one 32-bit word each: the target id in the high 24 bits ({@link NO_TARGET}
 * for an edge leaving the subgraph), the fairness class in the low 8.
 */
class EdgeStore {
  readonly chunks: Int32Array[] = [];
  length = 0;
  push(to: number, cls: number): void {
    const i = this.length++;
    if ((i & CMASK) === 0 && i >>> CB === this.chunks.length) this.chunks.push(new Int32Array(CSIZE));
    this.chunks[i >>> CB]![i & CMASK] = ((to < 0 ? NO_TARGET : to) << 8) | cls;
  }
  /** The target of edge `e`; -1 when it leaves the subgraph. */
  to(e: number): number {
    const x = this.chunks[e >>> CB]![e & CMASK]! >>> 8;
    return x === NO_TARGET ? -1 : x;
  }
  /** The fairness class of edge `e`. */
  cls(e: number): number {
    return this.chunks[e >>> CB]![e & CMASK]! & 255;
  }
  get bytes(): number {
    return this.chunks.length * CSIZE * 4;
  }
}

/**
 * Fingerprint to dense id: an open-addressing table of ids (4 bytes a slot, at most 75%
 * full), the fingerprints themselves by id (8 bytes a state).
 */
class IdTable {
  private slots = new Int32Array(1 << 10).fill(-1);
  private mask = (1 << 10) - 1;
  readonly hi = new Int32Chunks();
  readonly lo = new Int32Chunks();

  get size(): number {
    return this.hi.length;
  }

  /** The id of `(hi, lo)`, stored as a new id if absent; `isNew` says which. */
  getOrAdd(hi: number, lo: number): number {
    hi |= 0;
    lo |= 0;
    // Recently seen fingerprints first: a hit spares the table's slot and the id's fingerprint,
    // two dependent cache misses (on the GFS model about half of all successors hit).
    const rc = this.recent;
    const r = (lo & RECENT_MASK) * 3;
    if (rc[r] === hi && rc[r + 1] === lo && rc[r + 2] !== 0) {
      this.isNew = false;
      return rc[r + 2]! - 1;
    }
    const found = this.probe(hi, lo);
    rc[r] = hi;
    rc[r + 1] = lo;
    rc[r + 2] = found + 1;
    return found;
  }

  /**
   * Reads the slot where `(hi, lo)` is looked for first and the fingerprint of the id there:
   * a hint that brings both into cache before {@link IdTable.getOrAdd}. Changes nothing.
   */
  touch(hi: number, lo: number): number {
    const r = (lo & RECENT_MASK) * 3;
    if (this.recent[r] === (hi | 0) && this.recent[r + 1] === (lo | 0)) return 0;
    const id = this.slots[homeSlot(hi | 0, lo | 0, this.mask)]!;
    return id < 0 ? id : this.hi.get(id);
  }

  /** Direct-mapped cache of recent (hi, lo, id + 1); id + 1 = 0 marks an empty entry. */
  private readonly recent = new Int32Array(3 << RECENT_BITS);

  private probe(hi: number, lo: number): number {
    const t = this.slots;
    const mask = this.mask;
    let i = homeSlot(hi, lo, mask);
    for (;;) {
      const id = t[i]!;
      if (id < 0) break;
      if (this.hi.get(id) === hi && this.lo.get(id) === lo) {
        this.isNew = false;
        return id;
      }
      i = (i + 1) & mask;
    }
    const id = this.hi.length;
    t[i] = id;
    this.hi.push(hi);
    this.lo.push(lo);
    this.isNew = true;
    if ((id + 1) * 4 > (mask + 1) * 3) this.grow();
    return id;
  }
  isNew = false;

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const t = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (let id = 0; id < this.hi.length; id++) {
      let i = homeSlot(this.hi.get(id), this.lo.get(id), mask);
      while (t[i]! >= 0) i = (i + 1) & mask;
      t[i] = id;
    }
    this.slots = t;
    this.mask = mask;
  }

  /** Drops the fingerprints by id (after the search, when no trace will be replayed). */
  dropFingerprints(): void {
    this.hi.chunks.length = 0;
    this.lo.chunks.length = 0;
  }

  /** Drops the slots (ids stay valid; no lookups after). */
  dropSlots(): void {
    this.slots = new Int32Array(0);
  }

  get slotBytes(): number {
    return this.slots.byteLength + this.recent.byteLength;
  }
}

// ---------------------------------------------------------------------------------------
// Fairness classes: an edge's class is the set of fairness instances its action serves.

const argsKey = (args: readonly unknown[]): string => args.map((a) => (typeof a === 'string' ? `s${a}` : String(a))).join('\u0001');

/** Describes a constraint as `WF(Tick per args)`. */
export const describeConstraint = (c: FairnessConstraint): string => `${c.kind}(${actionNamesOf(c).join(' \\/ ')}${c.perArgs ? ' per args' : ''})`;

/** The action names a constraint covers. */
export const actionNamesOf = (c: FairnessConstraint): readonly string[] => (typeof c.action === 'string' ? [c.action] : c.action);

/** Interns fairness instances and classes; class 0 serves no instance. */
class FairnessClasses {
  /** Per instance: its constraint index and argument key. */
  readonly instConstraint: number[] = [];
  readonly instArgs: string[] = [];
  private readonly instByKey = new Map<string, number>();
  /** Per class: the instances it serves. */
  readonly classInst: number[][] = [[]];
  private readonly classByKey = new Map<string, number>([['', 0]]);
  private readonly byName = new Map<string, number[]>();
  /** Per name: a fixed class when no per-args constraint names it (-1: depends on the args). */
  private readonly fixedByName = new Map<string, number>();
  private readonly fixedByIndex: number[] = [];

  constructor(
    readonly constraints: readonly FairnessConstraint[],
    private readonly actionIndex?: (a: Action) => number,
  ) {
    constraints.forEach((c, j) => {
      for (const name of actionNamesOf(c)) {
        const l = this.byName.get(name) ?? [];
        l.push(j);
        this.byName.set(name, l);
      }
    });
  }

  private instance(j: number, key: string): number {
    const k = `${j}|${key}`;
    let i = this.instByKey.get(k);
    if (i === undefined) {
      i = this.instConstraint.length;
      this.instConstraint.push(j);
      this.instArgs.push(key);
      this.instByKey.set(k, i);
    }
    return i;
  }

  private classOfInstances(insts: number[]): number {
    const key = insts.join(',');
    let c = this.classByKey.get(key);
    if (c === undefined) {
      c = this.classInst.length;
      if (c > 255) throw new LivenessRefused('more than 255 fairness classes (distinct sets of fairness instances an action serves); use one-action constraints for actions with many argument tuples');
      this.classInst.push(insts);
      this.classByKey.set(key, c);
    }
    return c;
  }

  /** Classes of per-args actions by name and argument key (one lookup per edge). */
  private readonly byNameArgs = new Map<string, number>();

  /** Per name, classes by the first argument, then the second (the common shapes), no strings built. */
  private readonly byArgs = new Map<string, Map<unknown, number | Map<unknown, number>>>();

  private computeClass(a: Action): number {
    const js = this.byName.get(a.name);
    if (!js) return 0;
    const args = a.args;
    if (args.length === 1 || args.length === 2) {
      let m = this.byArgs.get(a.name);
      if (m === undefined) this.byArgs.set(a.name, (m = new Map()));
      if (args.length === 1) {
        const c = m.get(args[0]);
        if (typeof c === 'number') return c;
        const cls = this.computeClassOf(a, js);
        m.set(args[0], cls);
        return cls;
      }
      let m2 = m.get(args[0]);
      if (!(m2 instanceof Map)) m.set(args[0], (m2 = new Map<unknown, number>()));
      const c = m2.get(args[1]);
      if (c !== undefined) return c;
      const cls = this.computeClassOf(a, js);
      m2.set(args[1], cls);
      return cls;
    }
    const key = `${a.name}\u0003${argsKey(args)}`;
    const cached = this.byNameArgs.get(key);
    if (cached !== undefined) return cached;
    const c = this.computeClassOf(a, js);
    this.byNameArgs.set(key, c);
    return c;
  }

  private computeClassOf(a: Action, js: readonly number[]): number {
    const insts = js.map((j) => this.instance(j, this.constraints[j]!.perArgs ? argsKey(a.args) : ''));
    return this.classOfInstances([...new Set(insts)].sort((x, y) => x - y));
  }

  /** The class of an action. */
  classOf(a: Action): number {
    if (this.actionIndex) {
      const k = this.actionIndex(a);
      const f = this.fixedByIndex[k];
      if (f !== undefined && f >= 0) return f;
      if (f === undefined) {
        const fixed = this.fixedFor(a);
        this.fixedByIndex[k] = fixed;
        if (fixed >= 0) return fixed;
      }
      return this.computeClass(a);
    }
    let f = this.fixedByName.get(a.name);
    if (f === undefined) this.fixedByName.set(a.name, (f = this.fixedFor(a)));
    return f >= 0 ? f : this.computeClass(a);
  }

  private fixedFor(a: Action): number {
    const js = this.byName.get(a.name);
    if (!js) return 0;
    if (js.some((j) => this.constraints[j]!.perArgs)) return -1;
    return this.computeClass(a);
  }

  get instances(): number {
    return this.instConstraint.length;
  }

  isStrong(i: number): boolean {
    return this.constraints[this.instConstraint[i]!]!.kind === 'SF';
  }

  describeInstance(i: number): string {
    const c = this.constraints[this.instConstraint[i]!]!;
    const args = this.instArgs[i]!;
    if (!c.perArgs) return describeConstraint(c);
    const shown = args === '' ? '' : `(${args.split('\u0001').map((x) => (x.startsWith('s') ? x.slice(1) : x)).join(', ')})`;
    return `${c.kind}(${actionNamesOf(c).join(' \\/ ')}${shown})`;
  }
}

// ---------------------------------------------------------------------------------------

/** Resolves fairness names and constraints against the spec's groups. */
export function resolveFairness<S, A extends Action>(spec: Spec<S, A>, fairness: readonly (string | FairnessConstraint)[] = []): FairnessConstraint[] {
  const groups = spec.fairness ?? [];
  const out: FairnessConstraint[] = [];
  for (const f of fairness) {
    if (typeof f !== 'string') {
      out.push(f);
      continue;
    }
    const g = groups.find((x) => x.name === f);
    if (!g) throw new LivenessRefused(`unknown fairness '${f}'; the spec '${spec.name}' declares: ${groups.map((x) => x.name).join(', ') || '(none)'}`);
    out.push(...g.constraints);
  }
  const names = spec.actionNames;
  if (names) {
    for (const c of out) {
      for (const a of actionNamesOf(c)) {
        if (!names.includes(a)) throw new LivenessRefused(`fairness names the action '${a}', which the spec '${spec.name}' does not have; its actions: ${names.join(', ')}`);
      }
    }
  }
  return out;
}

/** Resolves a property name against the spec's `liveness` list. */
export function resolveProperty<S, A extends Action>(spec: Spec<S, A>, property: string | TemporalProperty<S>): TemporalProperty<S> {
  if (typeof property !== 'string') return property;
  const all = spec.liveness ?? [];
  const p = all.find((x) => x.name === property);
  if (!p) throw new LivenessRefused(`unknown liveness property '${property}'; the spec '${spec.name}' has: ${all.map((x) => x.name).join(', ') || '(none)'}`);
  return p;
}

/** Per-state flags of the component search. */
const IN_X = 1; // in the subgraph where the property must fail forever
const START = 2; // where the obligation starts (the lasso's prefix may enter the subgraph here)
const MUST = 4; // the cycle must visit such a state (eventually always: a state where P fails)

function stateFlags<S>(prop: TemporalProperty<S>, s: S): number {
  const p = prop.p(s);
  switch (prop.kind) {
    case 'eventually':
      return p ? 0 : IN_X | START;
    case 'alwaysEventually':
      return p ? 0 : IN_X | START;
    case 'leadsTo': {
      const q = prop.q!(s);
      return q ? 0 : IN_X | (p ? START : 0);
    }
    case 'eventuallyAlways':
      return IN_X | START | (p ? 0 : MUST);
  }
}

/** The graph the BFS recorded. */
interface Graph {
  readonly n: number;
  /** Edge `e` of state `v` for `off[v] <= e < off[v + 1]`. */
  readonly off: Int32Array;
  readonly edges: EdgeStore;
  readonly flags: Uint8Array;
  readonly fps: IdTable;
  /** Initial states are ids 0 to `initials - 1` (the BFS numbers them first). */
  readonly initials: number;
}

/**
 * Checks a liveness property under fairness (and, on the way, the spec's invariants and
 * action properties). One thread; deterministic. Throws {@link LivenessRefused} for symmetry,
 * a state constraint, or an unknown property or fairness name.
 */
export function checkLiveness<S, A extends Action>(spec: Spec<S, A>, options: LivenessOptions<S>): LivenessResult<S> {
  const verdict = livenessPass(spec, options, false);
  if (verdict !== null) return verdict;
  // A counterexample is needed: the pass again, recording every edge this time (the
  // prefix of a lasso, or a safety trace, may run through states outside the subgraph).
  const first = lastCompact!;
  const r = livenessPass(spec, options, true)!;
  // The run's seconds cover both passes.
  const seconds = first.exploreSeconds + first.livenessSeconds + r.stats.seconds;
  return {
    ...r,
    stats: { ...r.stats, seconds, statesPerSecond: seconds > 0 ? r.stats.distinctStates / seconds : r.stats.distinctStates },
    liveness: {
      ...r.liveness,
      peakBytes: first.peakBytes,
      exploreSeconds: first.exploreSeconds,
      livenessSeconds: first.livenessSeconds,
      counterexample: { peakBytes: r.liveness.peakBytes, seconds: r.liveness.exploreSeconds + r.liveness.livenessSeconds },
    },
  } as LivenessResult<S>;
}

/** The last pass's prefetch reads (kept so that they are not optimised away). */
export let lastTouched = 0;

/** What the verdict pass measured, when it found that a counterexample must be built. */
let lastCompact: LivenessInfo | null = null;

/**
 * One pass. `full` false (the verdict pass): edges are recorded only from states of the
 * subgraph, and an edge leaving it keeps only its fairness class; returns null when a
 * counterexample must be built (then the `full` pass records every edge and builds it).
 */
function livenessPass<S, A extends Action>(spec: Spec<S, A>, options: LivenessOptions<S>, full: boolean): LivenessResult<S> | null {
  return new LivenessPass(spec, options, full).run();
}

/** The checks that refuse a liveness run before it starts (see the module comment). */
function refuseUnsound<S, A extends Action>(spec: Spec<S, A>, options: LivenessOptions<S>): void {
  if (spec.constraint) throw new LivenessRefused(`liveness is not checked with a state constraint (the spec '${spec.name}' has one): a constraint cuts behaviours short, and a cut behaviour stutters where the real one goes on, so verdicts would be unsound; check it without the constraint`);
  if (spec.canonicalize && options.symmetry !== false) throw new LivenessRefused(`liveness is not checked under symmetry reduction: a cycle of orbits need not be a cycle of states, so a lasso could not be replayed and fairness per argument tuple would mix permuted nodes; run with symmetry off (--no-symmetry)`);
}

/** A safety violation found on the way: the state (and the step) where it failed. */
type Found = { kind: 'invariant' | 'action'; property: string; parent: number; action: Action; target: number };

/**
 * One pass as named phases: {@link LivenessPass.explore} (the BFS that records the graph and
 * checks safety), {@link LivenessPass.compactGraph}, then a safety trace, the verdict, or the
 * lasso. Its fields are the BFS's records, so that the phases share them without closures.
 */
class LivenessPass<S, A extends Action> {
  private readonly prop: TemporalProperty<S>;
  private readonly constraints: FairnessConstraint[];
  private readonly fair: FairnessClasses;
  private readonly invariants: readonly StateProperty<S>[];
  private readonly actionProps: NonNullable<Spec<S, A>['actionProperties']>;
  private readonly start = Date.now();
  private readonly deadline: number;
  private readonly maxStates: number;
  private readonly fp = new Fingerprinter();
  private readonly table = new IdTable();
  private readonly edges = new EdgeStore();
  private readonly off = new Int32Chunks();
  private readonly flags = new Uint8Chunks();
  private readonly levels: number[] = [];
  private readonly coverage: CoverageCounters<A>;
  private readonly sometimes: NonNullable<Spec<S, A>['sometimes']>;
  private readonly sometimesAt: Map<string, number | null>;
  private generated = 0;
  private current: Level<S>;
  private next: Level<S>;
  private depth = 1;
  /** The states expanded so far: the next state to expand has this id. */
  private expanded = 0;
  private peak = 0;
  private found: Found | null = null;
  private errorAt: { where: string; message: string } | null = null;
  private failedInv: StateProperty<S> | null = null;
  private failedId = -1;
  /** What the table reads of pass 2 gave, kept so that they are not optimised away. */
  private touchedSink = 0;
  private where = 'initStates';
  private initials = 0;
  private incomplete: 'maxStates' | 'timeLimit' | null = null;
  private exploreSeconds = 0;
  // One state's recorded edges before they are appended (repeats are dropped here), and its
  // successors with their fingerprints.
  private eT = new Int32Array(64);
  private eC = new Uint8Array(64);
  private fh = new Int32Array(64);
  private fl = new Int32Array(64);
  private readonly succ: S[] = [];

  constructor(
    private readonly spec: Spec<S, A>,
    options: LivenessOptions<S>,
    private readonly full: boolean,
  ) {
    refuseUnsound(spec, options);
    const prop = resolveProperty(spec, options.property);
    if (prop.kind === 'leadsTo' && !prop.q) throw new LivenessRefused(`the leadsTo property '${prop.name}' has no right side q`);
    this.prop = prop;
    this.constraints = resolveFairness(spec, options.fairness);
    this.fair = new FairnessClasses(this.constraints, spec.actionNames && spec.actionIndex ? (a) => spec.actionIndex!(a as A) : undefined);
    this.invariants = options.invariants === false ? [] : selectInvariants(spec, options.invariants);
    this.actionProps = options.invariants === false ? [] : (spec.actionProperties ?? []);
    this.deadline = options.timeLimitMs === undefined ? Infinity : this.start + options.timeLimitMs;
    this.maxStates = options.maxStates ?? Infinity;
    this.coverage = new CoverageCounters(spec);
    this.sometimes = spec.sometimes ?? [];
    this.sometimesAt = new Map<string, number | null>(this.sometimes.map((p) => [p.name, null]));
    this.current = this.newLevel();
    this.next = this.newLevel();
  }

  /** The phases; null when a counterexample must be built by the full pass. */
  run(): LivenessResult<S> | null {
    this.explore();
    if (this.errorAt) return { kind: 'error', message: this.errorAt.message, where: this.errorAt.where, stats: this.stats(0), liveness: this.info() };
    if (this.incomplete) return { kind: 'incomplete', reason: this.incomplete, violations: [], stats: this.stats(this.current.length + this.next.length), liveness: this.info() };
    const g = this.compactGraph();
    if (this.found && !this.full) {
      lastCompact = this.info();
      return null;
    }
    // The verdict pass needs no fingerprints after the search (a trace is built by the full pass).
    if (!this.full) this.table.dropFingerprints();
    if (this.found) return this.safetyViolation(g, this.found);
    const t1 = Date.now();
    const search = new FairSearch(g, this.fair);
    search.needMust = this.prop.kind === 'eventuallyAlways';
    search.run();
    return this.full ? this.lassoResult(g, search, t1) : this.verdict(g, search, t1);
  }

  private newLevel(): Level<S> {
    const spec = this.spec;
    return spec.encode && spec.decode ? new WordLevel<S>(spec.encode.bind(spec), spec.decode.bind(spec)) : new ObjectLevel<S>();
  }

  private held(): number {
    const { table, edges, off, flags } = this;
    return table.slotBytes + table.hi.bytes + table.lo.bytes + edges.bytes + off.bytes + flags.bytes;
  }

  private stats(queue: number): CheckStats {
    return makeStats({
      distinct: this.table.size,
      generated: this.generated,
      levels: this.levels,
      queue,
      coverage: Object.fromEntries(this.coverage.byName),
      sometimes: Object.fromEntries(this.sometimesAt),
      visitedBytes: Math.max(this.peak, this.held()),
      start: this.start,
    });
  }

  private info(extra: Partial<LivenessInfo> = {}): LivenessInfo {
    return {
      property: this.prop.name,
      kind: this.prop.kind,
      fairness: this.constraints.map(describeConstraint),
      instances: this.fair.instances,
      edges: this.edges.length,
      subgraphStates: 0,
      components: 0,
      fairComponents: 0,
      peakBytes: this.peak,
      exploreSeconds: this.exploreSeconds,
      livenessSeconds: 0,
      ...extra,
    };
  }

  /** Phase 1: the BFS, level by level, recording the graph; an exception is kept as the error. */
  private explore(): void {
    try {
      this.seed();
      while (!this.found && this.current.length > 0) if (this.expandLevel()) break;
      this.off.push(this.edges.length);
    } catch (e) {
      this.errorAt = { where: this.where, message: e instanceof Error ? e.message : String(e) };
    }
    this.peak = this.held();
    lastTouched = this.touchedSink;
    this.exploreSeconds = (Date.now() - this.start) / 1000;
  }

  /** The initial states (ids 0 to `initials - 1`). */
  private seed(): void {
    const { spec, fp, table } = this;
    for (const s of spec.initStates()) {
      this.where = 'encode';
      fp.state(spec, s);
      const id = table.getOrAdd(fp.hi, fp.lo);
      if (!table.isNew) continue;
      this.generated++;
      this.current.push(s);
      this.where = 'invariants';
      if (this.noteNew(s, id, 1)) {
        this.found = { kind: 'invariant', property: this.failedInv!.name, parent: -1, action: { name: '', args: [] }, target: this.failedId };
        break;
      }
    }
    this.initials = table.size;
  }

  /** A new state's flags, level count and `sometimes` depths; true when an invariant fails. */
  private noteNew(s: S, id: number, depth: number): boolean {
    this.flags.push(stateFlags(this.prop, s));
    this.levels[depth - 1] = (this.levels[depth - 1] ?? 0) + 1;
    for (const p of this.sometimes) if (this.sometimesAt.get(p.name) === null && p.check(s)) this.sometimesAt.set(p.name, depth);
    for (const inv of this.invariants) {
      if (!inv.check(s)) {
        this.failedInv = inv;
        this.failedId = id;
        return true;
      }
    }
    return false;
  }

  /** Expands the current level (states are expanded in id order); true when the search stops. */
  private expandLevel(): boolean {
    let id = this.expanded;
    for (let left = this.current.length; left > 0; left--, id++) {
      if (this.expandState(this.current.take(), id)) return true;
      if (this.table.size >= this.maxStates) {
        this.incomplete = 'maxStates';
        return true;
      }
      if ((id & 255) === 0 && Date.now() >= this.deadline) {
        this.incomplete = 'timeLimit';
        return true;
      }
    }
    const done = this.current;
    done.clear();
    this.current = this.next;
    this.next = done;
    this.depth++;
    this.expanded = id;
    return false;
  }

  /** Expands state `id`: its successors, their checks, and its recorded edges; true when the search stops. */
  private expandState(s: S, id: number): boolean {
    const { spec, table } = this;
    this.off.push(this.edges.length);
    const srcInX = this.full || (this.flags.get(id) & IN_X) !== 0;
    this.where = 'actions';
    const acts = spec.actions(s);
    this.fingerprintSuccessors(s, acts);
    const { fh, fl, succ } = this;
    let m = 0;
    for (let k = 0; k < acts.length; k++) {
      const a = acts[k]!;
      const t = succ[k]!;
      this.generated++;
      const tid = table.getOrAdd(fh[k]!, fl[k]!);
      if (tid > MAX_LIVENESS_STATES) throw new LivenessRefused(`the liveness pass records at most ${MAX_LIVENESS_STATES} states (a target id takes 24 bits of an edge)`);
      if (this.checkStep(s, id, a, t, tid, table.isNew)) return true;
      // A step to the state itself is stuttering: never <<A>>_vars (see the module comment).
      if (tid === id || !srcInX) continue;
      m = this.noteEdge(a, tid, m);
    }
    const { eT, eC, edges } = this;
    for (let e = 0; e < m; e++) edges.push(eT[e]!, eC[e]!);
    return false;
  }

  /**
   * Pass 1: every successor and its fingerprint; pass 2: read where each would be looked up
   * (independent reads, so the processor overlaps their cache misses, as the safety explorer
   * does). Pass 3, in action order, is {@link LivenessPass.expandState}'s loop.
   */
  private fingerprintSuccessors(s: S, acts: readonly A[]): void {
    const { spec, fp, table, succ } = this;
    if (this.eT.length < acts.length) {
      this.eT = new Int32Array(2 * acts.length);
      this.eC = new Uint8Array(2 * acts.length);
    }
    if (this.fh.length < acts.length) {
      this.fh = new Int32Array(2 * acts.length);
      this.fl = new Int32Array(2 * acts.length);
    }
    const { fh, fl } = this;
    for (let k = 0; k < acts.length; k++) {
      this.where = 'next';
      const t = spec.next(s, acts[k]!);
      this.where = 'encode';
      fp.state(spec, t);
      succ[k] = t;
      fh[k] = fp.hi;
      fl[k] = fp.lo;
    }
    let touched = 0;
    for (let k = 0; k < acts.length; k++) touched ^= table.touch(fh[k]!, fl[k]!);
    this.touchedSink ^= touched;
  }

  /** One step's coverage, action properties and (a new target's) invariants; true on a violation. */
  private checkStep(s: S, id: number, a: A, t: S, tid: number, isNew: boolean): boolean {
    const cov = this.coverage.of(a);
    cov.fired++;
    const actionProps = this.actionProps;
    for (let j = 0; j < actionProps.length; j++) {
      const p = actionProps[j]!;
      this.where = p.name;
      if (!p.check(s, t, a)) {
        this.found = { kind: 'action', property: p.name, parent: id, action: a, target: tid };
        return true;
      }
    }
    if (isNew) {
      cov.newStates++;
      this.next.push(t);
      this.where = 'invariants';
      if (this.noteNew(t, tid, this.depth + 1)) {
        this.found = { kind: 'invariant', property: this.failedInv!.name, parent: id, action: a, target: tid };
        return true;
      }
    }
    return false;
  }

  /** Adds edge number `m` of the state being expanded unless it repeats one; returns the new count. */
  private noteEdge(a: A, tid: number, m: number): number {
    this.where = 'fairness';
    const c = this.fair.classOf(a);
    // Outside the subgraph only the class matters (the action is enabled here).
    const to = this.full || this.flags.get(tid) & IN_X ? tid : -1;
    const { eT, eC } = this;
    for (let e = 0; e < m; e++) if (eT[e] === to && eC[e] === c) return m;
    eT[m] = to;
    eC[m] = c;
    return m + 1;
  }

  /**
   * Phase 2: flat copies for the component search, the offsets and flags by id. The id table
   * is done with (ids stay valid): its slots go before the copies are made.
   */
  private compactGraph(): Graph {
    const { table, off, flags, edges } = this;
    const n = table.size;
    table.dropSlots();
    const offArr = new Int32Array(n + 1);
    for (let i = 0; i < off.length && i <= n; i++) offArr[i] = off.get(i);
    // States never expanded (a safety violation stopped the search): no edges.
    for (let i = off.length; i <= n; i++) offArr[i] = edges.length;
    const flagArr = new Uint8Array(n);
    for (let i = 0; i < n; i++) flagArr[i] = flags.get(i);
    // The chunked originals and the BFS levels are done with: let them go before the search.
    off.chunks.length = 0;
    flags.chunks.length = 0;
    this.current = this.newLevel();
    this.next = this.newLevel();
    return { n, off: offArr, edges, flags: flagArr, fps: table, initials: this.initials };
  }

  /** The trace of a safety violation: the shortest path to the state, then the failing step. */
  private safetyViolation(g: Graph, f: Found): LivenessResult<S> {
    const path = shortestPath(g, f.parent < 0 ? f.target : f.parent);
    const trace = replayPath(this.spec, g, this.fair, path);
    if (f.parent >= 0) {
      const last = trace.states.at(-1)!;
      (trace.states as S[]).push(this.spec.next(last, f.action as A));
      (trace.actions as Action[]).push(f.action);
    }
    return { kind: 'violation', violations: [{ property: f.property, kind: f.kind, trace }], stats: this.stats(0), liveness: this.info() };
  }

  /** The component search holds the graph, the fingerprints and its own arrays. */
  private graphBytes(g: Graph): number {
    return g.off.byteLength + g.flags.byteLength + this.edges.bytes + this.table.hi.bytes + this.table.lo.bytes;
  }

  private measured(search: FairSearch, t1: number, extra: Partial<LivenessInfo> = {}): LivenessInfo {
    const base = { subgraphStates: search.subgraphStates, components: search.components, fairComponents: search.fairComponents };
    return this.info({ ...base, peakBytes: this.peak, livenessSeconds: (Date.now() - t1) / 1000, ...extra });
  }

  /** Phase 3 of the verdict pass: ok, or null when a fair component is reachable (a lasso exists). */
  private verdict(g: Graph, search: FairSearch, t1: number): LivenessResult<S> | null {
    const graphBytes = this.graphBytes(g);
    this.peak = Math.max(this.peak, graphBytes + search.peakBytes);
    // Five bytes a state: the visited mark and the queue.
    if (search.fairComponents > 0) this.peak = Math.max(this.peak, graphBytes + search.rindex.byteLength + search.accept.byteLength + 5 * g.n);
    const violated = search.fairComponents > 0 && reachesFair(g, search, this.prop.kind !== 'eventually');
    const measured = this.measured(search, t1);
    if (violated) {
      lastCompact = measured;
      return null;
    }
    return { kind: 'ok', stats: this.stats(0), liveness: measured };
  }

  /** Phase 3 of the full pass: the lasso, replayed into a trace with its loop. */
  private lassoResult(g: Graph, search: FairSearch, t1: number): LivenessResult<S> {
    const graphBytes = this.graphBytes(g);
    this.peak = Math.max(this.peak, graphBytes + search.peakBytes);
    const lasso = search.fairComponents > 0 ? findLasso(g, this.fair, search, this.prop.kind !== 'eventually') : null;
    // The lasso search's parent and queue arrays (two words a state each), when it ran.
    if (search.fairComponents > 0) this.peak = Math.max(this.peak, graphBytes + search.rindex.byteLength + search.accept.byteLength + 16 * g.n);
    if (!lasso) return { kind: 'ok', stats: this.stats(0), liveness: this.measured(search, t1) };
    const trace = replayPath(this.spec, g, this.fair, lasso.path, lasso.classes);
    const loopStart = lasso.loopStart;
    const withLoop: Trace<S> = { states: trace.states, actions: trace.actions, loopStart };
    const cycle = trace.states.length - 1 - loopStart;
    return {
      kind: 'violation',
      violations: [{ property: this.prop.name, kind: 'liveness', trace: withLoop }],
      stats: this.stats(0),
      liveness: this.measured(search, t1, { prefix: loopStart, cycle: Math.max(cycle, 1) }),
    };
  }
}

/**
 * Whether a fair component is reachable inside the subgraph from a {@link START} state (any
 * one, or, for `eventually`, an initial one): every stored state is reachable, so this decides
 * the verdict without the edges outside the subgraph.
 */
function reachesFair(g: Graph, search: FairSearch, anyStart: boolean): boolean {
  const seen = new Uint8Array(g.n);
  const queue = new Int32Array(g.n);
  let qh = 0;
  let qt = 0;
  const limit = anyStart ? g.n : g.initials;
  for (let v = 0; v < limit; v++) {
    if (g.flags[v]! & START) {
      seen[v] = 1;
      queue[qt++] = v;
    }
  }
  while (qh < qt) {
    const u = queue[qh++]!;
    if (search.accept[u]) return true;
    for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
      const w = g.edges.to(e);
      if (w >= 0 && !seen[w] && g.flags[w]! & IN_X) {
        seen[w] = 1;
        queue[qt++] = w;
      }
    }
  }
  return false;
}

/** Shortest path (state ids) from an initial state to `target` over the recorded edges. */
function shortestPath(g: Graph, target: number): number[] {
  const par = new Int32Array(g.n).fill(-2);
  const queue = new Int32Array(g.n);
  let qh = 0;
  let qt = 0;
  for (let v = 0; v < g.initials; v++) {
    par[v] = -1;
    queue[qt++] = v;
  }
  while (qh < qt) {
    const u = queue[qh++]!;
    if (u === target) break;
    for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
      const w = g.edges.to(e);
      if (par[w] === -2) {
        par[w] = u;
        queue[qt++] = w;
      }
    }
  }
  const path: number[] = [];
  for (let v = target; v >= 0; v = par[v]!) path.push(v);
  return path.reverse();
}

/**
 * Replays a path of state ids as a behaviour: at each step, the first enabled action whose
 * successor has the next id's fingerprint (and, when `classes` is given, that fairness class).
 */
function replayPath<S, A extends Action>(spec: Spec<S, A>, g: Graph, fair: FairnessClasses, path: readonly number[], classes?: readonly number[]): Trace<S> {
  const fp = new Fingerprinter();
  const is = (s: S, id: number): boolean => {
    fp.state(spec, s);
    return (fp.hi | 0) === g.fps.hi.get(id) && (fp.lo | 0) === g.fps.lo.get(id);
  };
  const init = spec.initStates().find((s) => is(s, path[0]!));
  if (init === undefined) throw new Error('lasso replay: no initial state has the first fingerprint');
  const states: S[] = [init];
  const actions: Action[] = [];
  let cur: S = init;
  for (let i = 1; i < path.length; i++) {
    const want = classes?.[i - 1];
    let taken: { readonly a: A; readonly t: S } | undefined;
    for (const a of spec.actions(cur)) {
      if (want !== undefined && want >= 0 && fair.classOf(a) !== want) continue;
      const t = spec.next(cur, a);
      if (is(t, path[i]!)) {
        taken = { a, t };
        break;
      }
    }
    if (taken === undefined) throw new Error(`lasso replay: no action leads from state ${i} to the next recorded state`);
    states.push(taken.t);
    actions.push(taken.a);
    cur = taken.t;
  }
  return { states, actions };
}

/**
 * The fair-component search over the subgraph of states flagged {@link IN_X}: Pearce's
 * iterative SCC algorithm (PEA_FIND_SCC2: `rindex` per state, the DFS and component stacks
 * sharing one array), the fairness test of each component, and the strong-fairness refinement.
 * After {@link FairSearch.run}, `rindex[v]` is `v`'s component id and `accept[v]` is 1 for
 * states of fair components.
 */
class FairSearch {
  readonly rindex: Int32Array;
  readonly accept: Uint8Array;
  subgraphStates = 0;
  components = 0;
  fairComponents = 0;
  peakBytes = 0;
  /** Component ids count down from here (above every DFS index). */
  private c = 0x7ffffffe;
  private readonly enabledCnt: Int32Array;
  private readonly taken: Uint8Array;
  private readonly stamp: Int32Array;
  private readonly touched: number[] = [];
  /** Components that failed only strong fairness, to refine after the main search. */
  private readonly refine: number[][] = [];

  constructor(
    private readonly g: Graph,
    private readonly fair: FairnessClasses,
  ) {
    this.rindex = new Int32Array(g.n);
    this.accept = new Uint8Array(g.n);
    const k = Math.max(fair.instances, 1);
    this.enabledCnt = new Int32Array(k);
    this.taken = new Uint8Array(k);
    this.stamp = new Int32Array(k);
  }

  run(): void {
    const g = this.g;
    const n = g.n;
    const rindex = this.rindex;
    const flags = g.flags;
    const off = g.off;
    const edges = g.edges;
    // Pearce: vS grows up from 0, cS down from n - 1; `iter` is each open state's next edge.
    const stack = new Int32Array(n);
    const iter = new Int32Array(n);
    const root = new Uint8Array(n);
    this.peakBytes = stack.byteLength + iter.byteLength + root.byteLength + rindex.byteLength + this.accept.byteLength;
    let index = 1;
    let sp = 0; // vS size
    let cp = n; // cS top (grows down)
    for (let r = 0; r < n; r++) {
      if (!(flags[r]! & IN_X) || rindex[r] !== 0) continue;
      // begin visiting r
      stack[sp++] = r;
      root[r] = 1;
      rindex[r] = index++;
      iter[r] = off[r]!;
      while (sp > 0) {
        const v = stack[sp - 1]!;
        let i = iter[v]!;
        const end = off[v + 1]!;
        let descended = false;
        // Finish the edge whose target was just completed (if any), then go on.
        for (; i < end; i++) {
          const w = edges.to(i);
          if (w < 0 || !(flags[w]! & IN_X)) continue;
          if (rindex[w] === 0) {
            iter[v] = i;
            stack[sp++] = w;
            root[w] = 1;
            rindex[w] = index++;
            iter[w] = off[w]!;
            descended = true;
            break;
          }
          if (rindex[w]! < rindex[v]!) {
            rindex[v] = rindex[w]!;
            root[v] = 0;
          }
        }
        if (descended) continue;
        // finish visiting v
        sp--;
        if (root[v]) {
          index--;
          const c = this.c--;
          let from = cp;
          while (cp < n && rindex[v]! <= rindex[stack[cp]!]!) {
            rindex[stack[cp]!] = c;
            cp++;
            index--;
          }
          rindex[v] = c;
          this.component(v, stack, from, cp, c);
          from = 0;
        } else {
          stack[--cp] = v;
        }
        // Back in the parent: its current edge's target is done; the loop re-reads it.
      }
    }
    for (const r of this.refine.splice(0)) this.refineStrong(r);
    while (this.refine.length) this.refineStrong(this.refine.pop()!);
  }

  /** A component from the main search: `v` and `stack[from..to)`. */
  private component(v: number, stack: Int32Array, from: number, to: number, c: number): void {
    this.components++;
    this.subgraphStates += 1 + to - from;
    const rindex = this.rindex;
    if (to === from) {
      // One state (no self-loops are recorded, so no edge inside): it stutters, which is fair
      // only if no fair action is enabled there (and, for eventually always, P fails there).
      const g = this.g;
      if (this.needMust && !(g.flags[v]! & MUST)) return;
      for (let e = g.off[v]!; e < g.off[v + 1]!; e++) if (g.edges.cls(e) !== 0 && this.fair.classInst[g.edges.cls(e)]!.length > 0) return;
      this.mark([v]);
      return;
    }
    const members = [v, ...stack.subarray(from, to)];
    const verdict = this.judge(members, (w) => rindex[w] === c);
    if (verdict === true) this.mark(members);
    else if (verdict !== false) this.refine.push(verdict);
  }

  private mark(members: readonly number[]): void {
    this.fairComponents++;
    for (const m of members) this.accept[m] = 1;
  }

  /**
   * The fairness test of a component: true (fair), false (no fair cycle in it), or the
   * members left once the states enabling a failing strong-fairness instance are removed.
   */
  private judge(members: readonly number[], inComp: (w: number) => boolean): boolean | number[] {
    const g = this.g;
    const fair = this.fair;
    const { enabledCnt, taken, stamp, touched } = this;
    let must = false;
    let internal = false;
    for (const u of members) {
      if (g.flags[u]! & MUST) must = true;
      for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
        const w = g.edges.to(e);
        const inside = inComp(w);
        if (inside) internal = true;
        const insts = fair.classInst[g.edges.cls(e)]!;
        for (let j = 0; j < insts.length; j++) {
          const i = insts[j]!;
          if (stamp[i] !== u + 1) {
            if (enabledCnt[i] === 0 && taken[i] === 0) touched.push(i);
            stamp[i] = u + 1;
            enabledCnt[i]!++;
          }
          if (inside) taken[i] = 1;
        }
      }
    }
    const size = members.length;
    let weakFails = false;
    const strongFails: number[] = [];
    for (const i of touched) {
      if (taken[i]) continue;
      if (!internal) {
        // One state, no step inside: it stutters, fair only if no fair action is enabled.
        weakFails = true;
      } else if (fair.isStrong(i)) {
        if (enabledCnt[i]! > 0) strongFails.push(i);
      } else if (enabledCnt[i] === size) weakFails = true;
    }
    for (const i of touched) {
      enabledCnt[i] = 0;
      taken[i] = 0;
      stamp[i] = 0;
    }
    touched.length = 0;
    if (weakFails || !must && this.needMust) return false;
    if (strongFails.length === 0) return true;
    const bad = new Set(strongFails);
    const left: number[] = [];
    for (const u of members) {
      let enables = false;
      for (let e = g.off[u]! ; e < g.off[u + 1]! && !enables; e++) {
        for (const i of fair.classInst[g.edges.cls(e)]!) if (bad.has(i)) enables = true;
      }
      if (!enables) left.push(u);
    }
    return left.length === 0 ? false : left;
  }

  /** Whether the cycle must visit a {@link MUST} state (set when any state has the flag). */
  needMust = false;

  /** Splits what is left of a component into components again (a small local Tarjan) and judges each. */
  private refineStrong(members: number[]): void {
    const g = this.g;
    const local = new Map<number, number>();
    members.forEach((m, i) => local.set(m, i));
    const m = members.length;
    const idx = new Int32Array(m).fill(-1);
    const low = new Int32Array(m);
    const on = new Uint8Array(m);
    const st: number[] = [];
    const call: [number, number][] = [];
    let counter = 0;
    for (let r = 0; r < m; r++) {
      if (idx[r] !== -1) continue;
      call.push([r, g.off[members[r]!]!]);
      idx[r] = low[r] = counter++;
      st.push(r);
      on[r] = 1;
      while (call.length) {
        const top = call[call.length - 1]!;
        const [v] = top;
        const u = members[v]!;
        let pushed = false;
        while (top[1] < g.off[u + 1]!) {
          const wl = local.get(g.edges.to(top[1]));
          top[1]++;
          if (wl === undefined) continue;
          if (idx[wl] === -1) {
            idx[wl] = low[wl] = counter++;
            st.push(wl);
            on[wl] = 1;
            call.push([wl, g.off[members[wl]!]!]);
            pushed = true;
            break;
          }
          if (on[wl]) low[v] = Math.min(low[v]!, idx[wl]!);
        }
        if (pushed) continue;
        call.pop();
        if (call.length) {
          const p = call[call.length - 1]![0];
          low[p] = Math.min(low[p]!, low[v]!);
        }
        if (low[v] === idx[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = st.pop()!;
            on[w] = 0;
            comp.push(members[w]!);
          } while (w !== v);
          const c = this.c--;
          for (const x of comp) this.rindex[x] = c;
          this.components++;
          const verdict = this.judge(comp, (x) => this.rindex[x] === c && local.has(x));
          if (verdict === true) this.mark(comp);
          else if (verdict !== false) this.refine.push(verdict);
        }
      }
    }
  }
}

/** A lasso as state ids: `path[loopStart]` is the loop state; the path ends there again (or stutters). */
interface Lasso {
  readonly path: number[];
  /** The fairness class of each step (-1: any). */
  readonly classes: number[];
  readonly loopStart: number;
}

/**
 * The shortest prefix to a fair component (through a {@link START} state, then inside the
 * subgraph), then a cycle meeting every fairness obligation of the component.
 */
function findLasso(g: Graph, fair: FairnessClasses, search: FairSearch, anyPrefix: boolean): Lasso | null {
  const n = g.n;
  const flags = g.flags;
  // Nodes 2v (phase 0: before the obligation starts, any edge) and 2v + 1 (inside the subgraph).
  const par = new Int32Array(2 * n).fill(-2);
  const queue = new Int32Array(2 * n);
  let qh = 0;
  let qt = 0;
  const visit = (node: number, from: number): void => {
    if (par[node] !== -2) return;
    par[node] = from;
    queue[qt++] = node;
    // Entering the obligation costs no step.
    if ((node & 1) === 0 && flags[node >> 1]! & START && par[node + 1] === -2) {
      par[node + 1] = node;
      queue[qt++] = node + 1;
    }
  };
  for (let v = 0; v < g.initials; v++) {
    if (anyPrefix) visit(2 * v, -1);
    else if (flags[v]! & START && par[2 * v + 1] === -2) {
      par[2 * v + 1] = -1;
      queue[qt++] = 2 * v + 1;
    }
  }
  let goal = -1;
  while (qh < qt) {
    const node = queue[qh++]!;
    const v = node >> 1;
    if (node & 1 && search.accept[v]) {
      goal = v;
      break;
    }
    for (let e = g.off[v]!; e < g.off[v + 1]!; e++) {
      const w = g.edges.to(e);
      if (node & 1) {
        if (flags[w]! & IN_X) visit(2 * w + 1, node);
      } else visit(2 * w, node);
    }
  }
  if (goal < 0) return null;
  const prefix: number[] = [];
  for (let node = 2 * goal + 1; node >= 0; node = par[node]!) {
    const v = node >> 1;
    if (prefix.length === 0 || prefix[prefix.length - 1] !== v) prefix.push(v);
  }
  prefix.reverse();
  const { cycle, classes } = buildCycle(g, fair, search, goal);
  const path = [...prefix, ...cycle];
  return { path, classes: [...prefix.slice(1).map(() => -1), ...classes], loopStart: prefix.length - 1 };
}

/**
 * A cycle from `v0` inside its fair component that meets every obligation: for each fairness
 * instance enabled somewhere in the component, an edge taking it (strong; or weak when it is
 * enabled everywhere) or a visit to a state where it is disabled (weak); for eventually always,
 * a visit to a state where P fails. Greedy: go to the nearest edge or state that meets an open
 * obligation, then back to `v0`. Returns the states after `v0` (ending at `v0`; empty when `v0`
 * stutters) and the class of each step.
 */
function buildCycle(g: Graph, fair: FairnessClasses, search: FairSearch, v0: number): { cycle: number[]; classes: number[] } {
  const walk = new CycleWalk(g, fair, search, v0);
  while (walk.open.size > 0 || walk.needMust) {
    if (!walk.toNearest((e) => walk.meetsOpenByEdge(e), (w) => walk.meetsOpenByState(w))) {
      throw new Error('internal: a fair component has an obligation no edge or state of it meets');
    }
  }
  if (walk.cycle.length > 0 && walk.cur !== v0) walk.toNearest(() => false, (w) => w === v0);
  return { cycle: walk.cycle, classes: walk.classes };
}

/**
 * The greedy walk of {@link buildCycle} inside one fair component: the obligations still open,
 * the states and step classes walked so far, and the state it is at.
 */
class CycleWalk {
  /** Open obligations per fairness instance: `take` (an edge of the instance) or `weak` (take, or visit a disabled state). */
  readonly open = new Map<number, 'take' | 'weak'>();
  /** Eventually always: a state where P fails is still to be visited. */
  needMust: boolean;
  readonly cycle: number[] = [];
  readonly classes: number[] = [];
  cur: number;
  private readonly cid: number;

  constructor(
    private readonly g: Graph,
    private readonly fair: FairnessClasses,
    private readonly search: FairSearch,
    v0: number,
  ) {
    this.cid = search.rindex[v0]!;
    this.cur = v0;
    this.needMust = search.needMust;
    // Per instance, in how many of the component's states it is enabled.
    const members = this.members(v0);
    const count = new Map<number, number>();
    for (const u of members) for (const i of this.enabledAt(u)) count.set(i, (count.get(i) ?? 0) + 1);
    for (const [i, c] of count) this.open.set(i, fair.isStrong(i) || c === members.length ? 'take' : 'weak');
    this.meetState(v0);
  }

  private inComp(w: number): boolean {
    return this.search.accept[w] === 1 && this.search.rindex[w] === this.cid;
  }

  /** The fairness instances enabled at state `u` (by its edges' classes). */
  private enabledAt(u: number): Set<number> {
    const g = this.g;
    const s = new Set<number>();
    for (let e = g.off[u]!; e < g.off[u + 1]!; e++) for (const i of this.fair.classInst[g.edges.cls(e)]!) s.add(i);
    return s;
  }

  /** The component's states, breadth-first from `v0`. */
  private members(v0: number): number[] {
    const g = this.g;
    const members: number[] = [];
    const seen = new Set<number>([v0]);
    for (let k = 0, q = [v0]; k < q.length; k++) {
      const u = q[k]!;
      members.push(u);
      for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
        const w = g.edges.to(e);
        if (this.inComp(w) && !seen.has(w)) {
          seen.add(w);
          q.push(w);
        }
      }
    }
    return members;
  }

  /** Edge `e` takes an instance with an open obligation. */
  meetsOpenByEdge(e: number): boolean {
    return this.fair.classInst[this.g.edges.cls(e)]!.some((i) => this.open.has(i));
  }

  /** Visiting `w` meets an open obligation (P fails there, or a weak instance is disabled there). */
  meetsOpenByState(w: number): boolean {
    if (this.needMust && (this.g.flags[w]! & MUST) !== 0) return true;
    for (const [i, how] of this.open) if (how === 'weak' && !this.enabledAt(w).has(i)) return true;
    return false;
  }

  private meetState(u: number): void {
    if (this.g.flags[u]! & MUST) this.needMust = false;
    if (this.open.size === 0) return;
    const en = this.enabledAt(u);
    for (const [i, how] of [...this.open]) if (how === 'weak' && !en.has(i)) this.open.delete(i);
  }

  private meetEdge(e: number): void {
    for (const i of this.fair.classInst[this.g.edges.cls(e)]!) this.open.delete(i);
  }

  /**
   * Walks (breadth-first, inside the component) from the current state to the nearest goal
   * edge or goal state, meeting obligations on the way; false when none is reachable.
   */
  toNearest(goalEdge: (e: number) => boolean, goalState: (w: number) => boolean): boolean {
    const g = this.g;
    const par = new Map<number, number>([[this.cur, -1]]); // state -> edge that reached it
    const q = [this.cur];
    let hitEdge = -1;
    let hitState = -1;
    for (let k = 0; k < q.length && hitEdge < 0 && hitState < 0; k++) {
      const u = q[k]!;
      for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
        const w = g.edges.to(e);
        if (!this.inComp(w)) continue;
        if (goalEdge(e)) {
          hitEdge = e;
          hitState = u;
          break;
        }
        if (!par.has(w)) {
          par.set(w, e);
          q.push(w);
          if (goalState(w)) {
            hitState = w;
            break;
          }
        }
      }
    }
    if (hitState < 0) return false;
    const edges: number[] = [];
    for (let x = hitState; par.get(x)! >= 0; ) {
      const e = par.get(x)!;
      edges.push(e);
      x = sourceOf(g, e);
    }
    edges.reverse();
    if (hitEdge >= 0) edges.push(hitEdge);
    for (const e of edges) this.step(e);
    return true;
  }

  private step(e: number): void {
    const w = this.g.edges.to(e);
    this.cycle.push(w);
    this.classes.push(this.g.edges.cls(e));
    this.meetEdge(e);
    this.meetState(w);
    this.cur = w;
  }
}

/** The source state of edge `e` (binary search over the offsets). */
function sourceOf(g: Graph, e: number): number {
  let lo = 0;
  let hi = g.n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.off[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  // Skip states with no edges that share the offset.
  while (g.off[lo + 1]! <= e) lo++;
  return lo;
}

/**
 * Checks a lasso against a spec: every step is enabled and leads to the next recorded state,
 * the last step returns to `states[loopStart]` (or the lasso stutters at its last state), the
 * property fails along the lasso, and the cycle meets every fairness constraint (TLC's `WF`
 * and `SF`, stuttering steps excluded, per instance for per-args constraints). Returns the
 * problems found, in order; an empty list means the lasso is a counterexample.
 */
export function checkLasso<S, A extends Action>(
  spec: Spec<S, A>,
  trace: Trace<S>,
  property: string | TemporalProperty<S>,
  fairness: readonly (string | FairnessConstraint)[] = [],
): string[] {
  const prop = resolveProperty(spec, property);
  const fair = new FairnessClasses(resolveFairness(spec, fairness));
  const fp = new Fingerprinter();
  const key = (s: S): string => {
    fp.state(spec, s);
    return `${fp.hi}:${fp.lo}`;
  };
  const { states, actions } = trace;
  const last = states.length - 1;
  const loop = trace.loopStart;
  if (loop === undefined || !Number.isInteger(loop) || loop < 0 || loop > last) {
    return [`the trace is not a lasso: loopStart must be an index of its states (0 to ${last}), got ${String(loop)}`];
  }
  if (actions.length !== last) return [`a trace of ${states.length} states needs ${last} steps, it has ${actions.length}`];
  const badStep = firstBadStep(spec, trace, key);
  if (badStep !== null) return [badStep];
  const problems: string[] = [];
  const stutters = loop === last;
  if (!stutters && key(states[last]!) !== key(states[loop]!)) problems.push(`the last state is not the loop state (state ${loop + 1})`);
  // The states that repeat forever: the cycle (the closing state is the loop state again).
  const cycle = stutters ? [states[last]!] : states.slice(loop, last);
  if (!failsAlong(prop, states, cycle)) problems.push(`the property ${prop.name} does not fail along the lasso`);
  problems.push(...cycleFairnessProblems(spec, fair, trace, cycle, key));
  return problems;
}

/** The first step of `trace` that is not enabled or does not lead to the next recorded state, described; null when every step does. */
function firstBadStep<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, key: (s: S) => string): string | null {
  const { states, actions } = trace;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    const want = key(states[i + 1]!);
    const ok = spec
      .actions(states[i]!)
      .some((b) => b.name === a.name && b.args.length === a.args.length && b.args.every((x, k) => x === a.args[k]) && key(spec.next(states[i]!, b)) === want);
    if (!ok) return `step ${i + 1} (${a.name}(${a.args.map(String).join(', ')})) is not enabled in state ${i + 1} or does not lead to state ${i + 2}`;
  }
  return null;
}

/** Whether the temporal property fails on the lasso whose states are `states` and whose repeating part is `cycle`. */
function failsAlong<S>(prop: TemporalProperty<S>, states: readonly S[], cycle: readonly S[]): boolean {
  switch (prop.kind) {
    case 'eventually':
      return states.every((s) => !prop.p(s));
    case 'alwaysEventually':
      return cycle.every((s) => !prop.p(s));
    case 'eventuallyAlways':
      return cycle.some((s) => !prop.p(s));
    case 'leadsTo': {
      if (!cycle.every((s) => !prop.q!(s))) return false;
      // Some P state from which Q never holds: after it, every state (cycle included) is not Q.
      for (let j = states.length - 1; j >= 0; j--) {
        if (prop.q!(states[j]!)) return false;
        if (prop.p(states[j]!)) return true;
      }
      return false;
    }
  }
}

/**
 * Fairness on the cycle: per instance, enabled (with a successor other than the state) in how
 * many cycle states, and taken (a step that changes the state) or not. Returns a problem for
 * each instance the cycle treats unfairly.
 */
function cycleFairnessProblems<S, A extends Action>(spec: Spec<S, A>, fair: FairnessClasses, trace: Trace<S>, cycle: readonly S[], key: (s: S) => string): string[] {
  const { states, actions } = trace;
  const loop = trace.loopStart!;
  const steps = loop === states.length - 1 ? [] : actions.slice(loop);
  const enabledIn = new Map<number, number>();
  for (const s of cycle) {
    const here = new Set<number>();
    const k = key(s);
    for (const a of spec.actions(s)) {
      const c = fair.classOf(a);
      if (c === 0 || key(spec.next(s, a)) === k) continue;
      for (const i of fair.classInst[c]!) here.add(i);
    }
    for (const i of here) enabledIn.set(i, (enabledIn.get(i) ?? 0) + 1);
  }
  const taken = new Set<number>();
  steps.forEach((a, j) => {
    const i0 = loop + j;
    if (key(states[i0]!) === key(states[i0 + 1]!)) return;
    for (const i of fair.classInst[fair.classOf(a)]!) taken.add(i);
  });
  const problems: string[] = [];
  for (const [i, n] of enabledIn) {
    if (taken.has(i)) continue;
    if (fair.isStrong(i)) problems.push(`${fair.describeInstance(i)} fails on the cycle: enabled in ${n} of its ${cycle.length} states and never taken`);
    else if (n === cycle.length) problems.push(`${fair.describeInstance(i)} fails on the cycle: enabled in every state of it and never taken`);
  }
  return problems;
}
