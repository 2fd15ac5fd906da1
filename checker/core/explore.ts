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
import { FingerprintSet, MAX_ACTION_INDEX, type VisitedSet } from './fpset.js';
import type { Action, ActionProperty, Spec, StateProperty } from './spec.js';
import { GO, LevelFrontier, STOP, type Frontier, type Taken } from './frontier.js';
import { rebuildTrace, type Trace } from './trace.js';
import { ChangedInputError, checkedTrace, checkSameActions, checkStateContract, ContractError, explainError, explorerView, type TraceClaim } from './verify.js';
import { formatAction } from './spec.js';

/** The guards hash afresh: a sub-value's cached fingerprint would hide a change made in place. */
const FRESH = { noCache: true } as const;

/** Every state that enables an action that has fired fewer times than this is guarded (see `expandTaken`). */
const EARLY_GUARD = 64;

/** Without `strict`, the whole contract is checked at this many first expanded states... */
const CONTRACT_FIRST = 16;
/** ...and at one in this many after (a power of two). One check costs about 40 GFS states' expansions, or 250 of `grid-4x40`. */
const CONTRACT_EVERY = 32_768;

/** Options of a run. Every bound ends the run as `incomplete`, never as a crash. */
export interface CheckOptions {
  /** Check only these invariants (by name); default: all the spec's invariants. */
  readonly invariants?: readonly string[];
  /** Keep exploring after a violation and report each violated property once. */
  readonly continueAfterViolation?: boolean;
  /** Report a state with no enabled action as a deadlock. Default false. */
  readonly checkDeadlock?: boolean;
  /**
   * Stop (`incomplete`, reason `maxStates`) as soon as this many distinct states are stored.
   * Exactly this many are reported, with any number of workers, and so are the levels, the
   * depth and the queue (the bound falls in the same level whoever stores the states); the
   * states generated and the coverage count what was generated until the stop, which with
   * several workers depends on their timing. A space of exactly this many states also ends
   * `incomplete`: the bound is reached before the search can tell that nothing is left.
   */
  readonly maxStates?: number;
  /**
   * Do not expand states at this depth (in states, initial = 1). The run is `incomplete`
   * (reason `maxDepth`) when a successor of a state at the bound is in the model and not yet
   * stored, and complete otherwise; the same with any number of workers.
   */
  readonly maxDepth?: number;
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /**
   * Check the spec contract at every expanded state: `actions` and `next` deterministic, the
   * same on a state equal by value but built differently, never changing their input (see
   * verify.ts). Slow; without it the engine checks a sample of states for a changed input (every
   * 16th, and every state that enables an action that has fired fewer than 64 times) and
   * every counterexample in full.
   */
  readonly strict?: boolean;
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

/**
 * The coverage counters of a run, per action name (the spec's `actionNames` first, in order;
 * other names as they fire). With the spec's `actionIndex`, an action's counters are found by
 * index, without a lookup by name per successor.
 */
export class CoverageCounters<A extends Action> {
  /** Per action name: fired, new states. */
  readonly byName: Map<string, ActionCoverage>;
  private readonly byIndex: ActionCoverage[];
  private readonly index: ((a: A) => number) | undefined;

  constructor(spec: Pick<Spec<unknown, A>, 'actionNames' | 'actionIndex'>) {
    this.byName = new Map((spec.actionNames ?? []).map((n) => [n, { fired: 0, newStates: 0 }]));
    this.byIndex = [...this.byName.values()];
    this.index = spec.actionNames && spec.actionIndex ? spec.actionIndex.bind(spec) : undefined;
  }

  /** The counters of `a`'s name. */
  of(a: A): ActionCoverage {
    let cov = this.index ? this.byIndex[this.index(a)] : undefined;
    if (cov === undefined) {
      cov = this.byName.get(a.name);
      if (cov === undefined) this.byName.set(a.name, (cov = { fired: 0, newStates: 0 }));
    }
    return cov;
  }
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
  /**
   * `invariant` (an always property), `action` (an action property, violated by the trace's
   * last step) or `liveness` (a temporal property, violated by the lasso `trace`, whose
   * `loopStart` is set; see `liveness.ts`).
   */
  readonly kind: 'invariant' | 'action' | 'liveness';
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

/** Something an explorer found: a violation, a deadlock, or a spec function that threw. */
export interface Finding {
  readonly kind: 'invariant' | 'action' | 'deadlock' | 'error';
  /** The property's name; for errors, where it happened (`next`, an invariant's name, ...). */
  readonly property: string;
  /** For errors, the message. */
  readonly message?: string;
  /**
   * For errors, true when the message is a contract breach found as such (nondeterministic
   * `actions`, a `next` that changed its input in a named action, ...): reported as it is, not
   * explained again by a replay of the state (which a write into a shared value can mislead).
   */
  readonly exact?: boolean;
  /** The stored parent of the state found (-1: the state is initial); a global id. */
  readonly parent: number;
  /**
   * The index of the action (among the parent's enabled ones; for an initial state, among
   * the initial states) that reaches the state found; -1 when there is no state to show.
   */
  readonly action: number;
}

/** Checks option names against the spec; the one option error that throws. */
export function selectInvariants<S, A extends Action>(spec: Spec<S, A>, names: readonly string[] | undefined): StateProperty<S>[] {
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

/** What an explorer shares with others in a parallel run: its view of the shared visited set, and the shared frontier. */
export interface ExplorerParts<S> {
  readonly seen: VisitedSet;
  readonly frontier: Frontier<S>;
}

/**
 * The breadth-first explorer, one level at a time: the single successor pipeline that both
 * {@link check} (one explorer, in this thread, on a {@link LevelFrontier}) and the parallel
 * checker (one explorer per worker thread, on a shared frontier: see {@link ExplorerParts})
 * run. In a parallel run, the explorers share one fingerprint table and claim blocks of each
 * level from all of them, so any explorer may expand any state; each stores (and later
 * answers trace lookups for) the states it found first, with global ids.
 *
 * For each state taken from the frontier ({@link Explorer.expand}), read as TLC's `doNext`:
 * its enabled actions, then every successor (`next`, `canonicalize`, fingerprint), then, in
 * action order, each successor's action properties, the constraint, the visited set's `put`,
 * and for a new state its invariants and a place in the next level. {@link Explorer.seed}
 * runs the initial states through the same steps, and {@link Explorer.anyUnseenSuccessor}
 * the successors up to the visited set.
 *
 * It never throws for a spec's fault: a spec function that throws becomes a finding.
 */
export class Explorer<S, A extends Action> {
  /** The visited set (in a parallel run, this worker's view of the shared one). */
  readonly seen: VisitedSet;
  /** Depth of the current level, in states (initial states: 1). */
  depth = 1;
  /** Successors generated (initial states included). */
  generated = 0;
  /** New states stored per depth (index 0: depth 1). */
  readonly levels: number[] = [];
  /** Per action name: fired, new states. */
  readonly coverage: Map<string, ActionCoverage>;
  /** For each `sometimes` property, the depth where it first held here. */
  readonly sometimesAt: Map<string, number | null>;
  /** What was found, in order. */
  readonly findings: Finding[] = [];
  /** A finding ended the run (not in continue mode), or a bound was hit. */
  stopped = false;
  /**
   * The last {@link Explorer.expand} returned before the level was done, because the
   * shared table must grow first: grow it, then call `expand` again to go on.
   */
  paused = false;
  /**
   * The last {@link Explorer.expand} returned between two states because its `yieldAt` time
   * came; call it again to go on with the same level.
   */
  yielded = false;

  private readonly frontier: Frontier<S>;
  private readonly taken: Taken<S> = { state: undefined as S, id: 0, parent: 0, action: 0 };
  private readonly fp = new Fingerprinter();
  private readonly invariants: StateProperty<S>[];
  private readonly sometimes: readonly StateProperty<S>[];
  private readonly actionProps: readonly ActionProperty<S, A>[];
  private readonly invariantDone: boolean[];
  private readonly actionPropDone: boolean[];
  private sometimesLeft: number;
  private readonly canon: ((s: S) => S) | undefined;
  private readonly counters: CoverageCounters<A>;
  private readonly constraint: ((s: S) => boolean) | undefined;
  private readonly maxStates: number;
  private readonly continueAfter: boolean;
  /** Report a state with no enabled action (the `checkDeadlock` option). */
  private readonly checkDeadlock: boolean;
  /** The `strict` option: the whole contract checked at every expanded state. */
  private readonly strict: boolean;
  /** The state the explorer expands, for a spec whose queue holds words (see `explorerView`). */
  private readonly view: ((s: S) => S) | undefined;
  /** The guards' own hasher (the explorer's holds the successor being stored). */
  private readonly guardFp = new Fingerprinter();
  /** The expanded state's fingerprint before its expansion, when it is guarded. */
  private guardHi = 0;
  private guardLo = 0;
  /** States expanded: every 16th is checked for a changed input. */
  private expandedCount = 0;
  /** What the contract check listed at the state being expanded, when it checked it: its actions must list the same. */
  private contractActions: readonly string[] | null = null;
  /** The coverage counters of the actions of the state being expanded, in order (scratch). */
  private covs: ActionCoverage[] = [];
  /** States taken since the last look at the clock for {@link Explorer.yielded}. */
  private yieldTick = 0;
  /**
   * What a throw is about: the spec function or step running (`where`), and the state
   * reached by action `siteAction` from stored state `siteParent`.
   */
  private where = 'actions';
  private siteParent = -1;
  private siteAction = -1;
  /** Scratch of the pipeline: one state's successors, canonical forms, fingerprints. */
  private fps = new Int32Array(64);
  private readonly succ: S[] = [];
  /**
   * The canonical forms; without symmetry, `succ` itself (each successor is its own canonical
   * form), so that a successor costs one store into these old arrays, not two (a store of a
   * young object into an old array is the write barrier's slow path).
   */
  private readonly canonSucc: S[];
  /** A throw while computing the successors, kept for its turn (see {@link Explorer.successors}). */
  private thrown: unknown = undefined;
  private thrownWhere = '';
  /** What the table reads of the prefetch gave, kept so that they are not optimised away. */
  private touched = 0;

  /** @param parts - for a parallel run, the shared visited set and frontier; else this thread's own. */
  constructor(
    private readonly spec: Spec<S, A>,
    options: CheckOptions,
    parts?: ExplorerParts<S>,
  ) {
    this.invariants = selectInvariants(spec, options.invariants);
    this.sometimes = spec.sometimes ?? [];
    this.actionProps = spec.actionProperties ?? [];
    this.invariantDone = this.invariants.map(() => false);
    this.actionPropDone = this.actionProps.map(() => false);
    this.sometimesLeft = this.sometimes.length;
    this.sometimesAt = new Map(this.sometimes.map((p) => [p.name, null]));
    this.counters = new CoverageCounters(spec);
    this.coverage = this.counters.byName;
    this.canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
    this.canonSucc = this.canon ? [] : this.succ;
    this.constraint = spec.constraint?.bind(spec);
    this.maxStates = options.maxStates ?? Infinity;
    this.continueAfter = options.continueAfterViolation ?? false;
    this.checkDeadlock = options.checkDeadlock ?? false;
    this.strict = options.strict ?? false;
    // The frontier holds words when the spec encodes and decodes (a parallel run's always does).
    this.view = spec.encode && spec.decode ? explorerView(spec) : undefined;
    this.seen = parts ? parts.seen : new FingerprintSet();
    this.frontier = parts ? parts.frontier : new LevelFrontier(spec, this.seen);
  }

  /** Bytes of this explorer's visited set (in a parallel run, without the shared table). */
  get bytes(): number {
    return this.seen.bytes;
  }

  /** States in the current level (in a parallel run, the whole level). */
  get queue(): number {
    return this.frontier.size;
  }

  /** States this explorer found for the next level. */
  get nextSize(): number {
    return this.frontier.nextSize;
  }

  /** A stored state's parent id and action index, for trace rebuilding. */
  lookup(id: number): readonly [number, number] {
    return [this.seen.parent(id), this.seen.action(id)];
  }

  private find(f: Finding): void {
    this.findings.push(f);
    if (!this.continueAfter || f.kind === 'error' || f.kind === 'deadlock') this.stop();
  }

  private stop(): void {
    this.stopped = true;
    this.frontier.stop();
  }

  /** Records what the pipeline threw as an `error` finding, at the current site. */
  private fail(e: unknown): void {
    const exact = e instanceof ContractError && !(e instanceof ChangedInputError);
    this.find({ kind: 'error', property: e instanceof ContractError ? e.where : this.where, message: e instanceof Error ? e.message : String(e), parent: this.siteParent, action: this.siteAction, ...(exact ? { exact } : {}) });
  }

  /**
   * Seeds the initial states (as the next level; call {@link advance} after): canonicalize,
   * fingerprint, then the successors' steps from the constraint on. In a parallel run only the
   * first worker seeds, growing the shared table itself if it must (it is the only thread
   * inserting: {@link Frontier.admitSeed}).
   */
  seed(): void {
    // Depth 0 until advance() makes the initial states the current level.
    this.depth = 0;
    this.where = 'initStates';
    this.siteParent = -1;
    this.siteAction = -1;
    try {
      const inits = this.spec.initStates();
      for (let k = 0; k < inits.length; k++) {
        const s0 = inits[k]!;
        this.where = 'canonicalize';
        const s = this.canon ? this.canon(s0) : s0;
        this.where = 'encode';
        this.fp.state(this.spec, s);
        const { hi, lo } = this.fp;
        this.generated++;
        if (this.inModel(s, -1, k)) {
          this.frontier.admitSeed();
          if (!this.store(s, hi, lo, -1, k, 1, null)) continue;
        }
        if (this.stopped) return;
      }
    } catch (e) {
      // Whatever threw, an initial state has no trace to show.
      this.find({ kind: 'error', property: this.where, message: e instanceof Error ? e.message : String(e), parent: -1, action: -1 });
    }
  }

  /**
   * Expands the current level, storing new successors for the next one. Stops early when
   * a finding or a bound stops the run, or (parallel) when the shared table must grow
   * ({@link Explorer.paused}); `deadline` is checked every 64 successors.
   */
  expand(deadline = Infinity, onProgress?: () => void, yieldAt = Infinity): void {
    this.paused = false;
    this.yielded = false;
    this.where = 'actions';
    this.siteParent = -1;
    this.siteAction = -1;
    try {
      for (;;) {
        this.where = 'decode';
        // Between two states (so that expand resumes where it stopped): time to let the caller's
        // event loop run (see checkAsync)?
        if (yieldAt !== Infinity && (++this.yieldTick & 31) === 0 && Date.now() >= yieldAt) {
          this.yielded = true;
          return;
        }
        if (!this.frontier.take(this.taken)) return;
        if (!this.expandTaken(deadline, onProgress)) return;
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * The pipeline for the state taken last: actions, admission, successors, then each
   * successor in turn. False when the level ends here (a pause, a stop, a finding).
   */
  private expandTaken(deadline: number, onProgress: (() => void) | undefined): boolean {
    const s = this.taken.state;
    this.siteParent = this.taken.parent;
    this.siteAction = this.taken.action;
    this.where = 'actions';
    const guard = this.guardBefore(s);
    const acts = this.spec.actions(s);
    if (!Array.isArray(acts)) throw new ContractError('actions', `actions() returned ${acts === null ? 'null' : typeof acts}, not an array of actions`);
    if (this.contractActions !== null) {
      const first = this.contractActions;
      this.contractActions = null;
      checkSameActions(first, acts);
    }
    const admitted = this.frontier.admit(acts.length);
    if (admitted !== GO) {
      // STOP: another worker stopped the run, and this level ends here too.
      if (admitted === STOP) this.stopped = true;
      else this.paused = true;
      return false;
    }
    const n = acts.length;
    if (n === 0 && this.checkDeadlock) {
      this.find({ kind: 'deadlock', property: 'deadlock', parent: this.siteParent, action: this.siteAction });
      return false;
    }
    if (n > MAX_ACTION_INDEX + 1) throw new RangeError(`a state has ${n} enabled actions; at most ${MAX_ACTION_INDEX + 1} are supported`);
    // Until an action has fired EARLY_GUARD times, every state that enables it is guarded too
    // (fingerprinted now, after actions and before next): a step that writes its input is
    // caught however rarely it is enabled, not only when it falls on a sampled state.
    const early = this.coverageOf(acts) && !guard;
    if (early) this.fingerprintGuarded(s);
    const computed = this.successors(s, acts);
    if (guard || early) this.guardAfter(s, acts);
    this.prefetch(computed);
    return this.storeSuccessors(s, acts, computed, deadline, onProgress);
  }

  /**
   * Guards (verify.ts): the whole contract at `s` with `strict`, else at the first states and
   * one in {@link CONTRACT_EVERY}; and every 16th state is
   * fingerprinted before and after its expansion ({@link Explorer.guardAfter}), which catches a
   * `next` or `actions` that changes its input (a classic mistake that silently gives wrong
   * counts). True when `s` is to be checked after its expansion. (So is every state that
   * enables an action fired fewer than {@link EARLY_GUARD} times: see `expandTaken`.)
   */
  private guardBefore(s: S): boolean {
    const n = ++this.expandedCount;
    // The whole contract (deterministic actions and next, decode agreeing with encode) at
    // every state with strict, else at the first states and one in 32,768: a spec that breaks it
    // at all mostly breaks it everywhere, and one such state is enough to report it.
    if (this.strict || n <= CONTRACT_FIRST || (n & (CONTRACT_EVERY - 1)) === 1) this.checkContract(s);
    const guard = this.strict || (n & 15) === 1;
    if (guard) this.fingerprintGuarded(s);
    return guard;
  }

  /**
   * The whole contract at `s` (verify.ts). A throw of the spec's own (a bound, a bug) is left
   * to the pipeline, which meets it next at its own site (`actions`, `next`, `encode`, ...)
   * and reports it there.
   */
  private checkContract(s: S): void {
    try {
      this.contractActions = checkStateContract(this.spec, s, this.view, this.guardFp, this.strict);
    } catch (e) {
      if (e instanceof ContractError) throw e;
    }
  }

  /** The fingerprint of `s` that {@link Explorer.guardAfter} compares with, afresh. */
  private fingerprintGuarded(s: S): void {
    this.guardFp.state(this.spec, s, FRESH);
    this.guardHi = this.guardFp.hi;
    this.guardLo = this.guardFp.lo;
  }

  /**
   * Finds the coverage counters of `acts` (for {@link Explorer.storeSuccessors}, which counts
   * each successor on them); true when one of the actions has fired fewer than
   * {@link EARLY_GUARD} times.
   */
  private coverageOf(acts: readonly A[]): boolean {
    const covs = this.covs;
    let early = false;
    for (let k = 0; k < acts.length; k++) {
      const cov = this.counters.of(acts[k]!);
      covs[k] = cov;
      if (cov.fired < EARLY_GUARD) early = true;
    }
    return early;
  }

  /** The other half of {@link Explorer.guardBefore}: `s` unchanged by its expansion. */
  private guardAfter(s: S, acts: readonly A[]): void {
    this.where = 'next';
    const gfp = this.guardFp;
    gfp.state(this.spec, s, FRESH);
    if (gfp.hi !== this.guardHi || gfp.lo !== this.guardLo) {
      const n = acts.length;
      throw new ChangedInputError('next', `next() or actions() changed the state it was given (a state with ${n} enabled actions: ${acts.slice(0, 4).map(formatAction).join(', ')}${n > 4 ? ', ...' : ''}): they must leave their input as it was and return new states`);
    }
  }

  /**
   * Next, canonicalize, fingerprint: every successor of `s`, its canonical form and its
   * fingerprint, into the scratch arrays; returns how many were computed. A throw is kept
   * ({@link Explorer.thrown}) for the successor's turn in {@link Explorer.storeSuccessors}, so
   * that what is reported, and in which order, is as if each successor were done in turn.
   */
  private successors(s: S, acts: readonly A[]): number {
    const spec = this.spec;
    const canon = this.canon;
    const fp = this.fp;
    const n = acts.length;
    if (this.fps.length < 2 * n) this.fps = new Int32Array(4 * n);
    const fps = this.fps;
    const ts = this.succ;
    const cs = this.canonSucc;
    let computed = 0;
    this.thrown = undefined;
    this.thrownWhere = '';
    try {
      // Without symmetry, each successor is fingerprinted against `s` (the objects it shares
      // with its parent are found at their places there); a canonical form is another state,
      // fingerprinted as any state is (aligned with the previous one).
      this.where = 'encode';
      if (!canon && n > 0) fp.anchor(spec, s);
      for (; computed < n; computed++) {
        this.where = 'next';
        const t = spec.next(s, acts[computed]!);
        if (t === undefined || t === null) {
          throw new ContractError('next', `next() returned ${String(t)} for ${formatAction(acts[computed]!)}: it must return the successor state`);
        }
        this.where = 'canonicalize';
        const c = canon ? canon(t) : t;
        this.where = 'encode';
        if (canon) fp.state(spec, c);
        else fp.successor(spec, c);
        ts[computed] = t;
        if (canon) cs[computed] = c;
        fps[2 * computed] = fp.hi;
        fps[2 * computed + 1] = fp.lo;
      }
    } catch (e) {
      this.thrown = e;
      this.thrownWhere = this.where;
    }
    return computed;
  }

  /**
   * Reads each successor's first slot in the visited table. The reads do not depend on each
   * other, so the processor overlaps their cache misses (the table is far larger than the
   * caches, and this miss was the largest single cost of the loop); the visited set's `put`
   * then finds the slots cached.
   */
  private prefetch(computed: number): void {
    const fps = this.fps;
    let touched = 0;
    for (let k = 0; k < computed; k++) touched ^= this.seen.touch(fps[2 * k]!, fps[2 * k + 1]!);
    this.touched ^= touched;
  }

  /**
   * In action order, what one successor at a time would do: count it, its action properties,
   * the constraint, the visited set's `put`, and for a new state its invariants and its place
   * in the next level. False when the level ends here.
   */
  private storeSuccessors(s: S, acts: readonly A[], computed: number, deadline: number, onProgress: (() => void) | undefined): boolean {
    const n = acts.length;
    const fps = this.fps;
    const ts = this.succ;
    const cs = this.canonSucc;
    const id = this.taken.id;
    const sParent = this.taken.parent;
    const sAction = this.taken.action;
    const nextDepth = this.depth + 1;
    const checkProps = this.actionProps.length > 0;
    for (let k = 0; k < n; k++) {
      const a = acts[k]!;
      this.generated++;
      this.siteParent = sParent;
      this.siteAction = sAction;
      if (k === computed) {
        this.where = this.thrownWhere;
        throw this.thrown;
      }
      const c = cs[k]!;
      const cov = this.covs[k]!;
      cov.fired++;
      this.siteParent = id;
      this.siteAction = k;
      if (checkProps && !this.checkActionProperties(s, ts[k]!, a, id, k)) return false;
      if (this.inModel(c, id, k) && !this.store(c, fps[2 * k]!, fps[2 * k + 1]!, id, k, nextDepth, cov)) continue;
      if (this.stopped) return false;
      // Every 64 successors, so that this path runs, and V8 records what it calls, before
      // the loop is optimised: a first run of it in optimised code would throw the loop's
      // compiled code away ("insufficient type feedback") and compile it again.
      if ((this.generated & 63) === 0) {
        onProgress?.();
        if (Date.now() >= deadline) {
          this.stop();
          return false;
        }
      }
    }
    return true;
  }

  /** The action properties of the step `s -a-> t` (the `k`th action of stored state `id`); false when a finding stopped the run. */
  private checkActionProperties(s: S, t: S, a: A, id: number, k: number): boolean {
    const props = this.actionProps;
    for (let j = 0; j < props.length; j++) {
      if (this.actionPropDone[j]) continue;
      const p = props[j]!;
      this.where = p.name;
      if (!p.check(s, t, a)) {
        this.actionPropDone[j] = true;
        this.find({ kind: 'action', property: p.name, parent: id, action: k });
        if (this.stopped) return false;
      }
    }
    return true;
  }

  /**
   * The constraint: whether `c` (reached from `parent` by its action `action`) is in the
   * model. A state outside it is not stored, but its invariants are checked.
   */
  private inModel(c: S, parent: number, action: number): boolean {
    this.where = 'constraint';
    if (!this.constraint || this.constraint(c)) return true;
    this.where = 'invariants';
    this.checkState(c, parent, action);
    return false;
  }

  /**
   * The visited set's `put`, then for a new state its invariants and its place in the next
   * level (depth `depth`); false when `c` was already stored.
   */
  private store(c: S, hi: number, lo: number, parent: number, action: number, depth: number, cov: ActionCoverage | null): boolean {
    const nid = this.seen.put(hi, lo, parent, action);
    if (nid < 0) return false;
    this.where = 'invariants';
    this.frontier.put(c, nid, parent, action);
    this.levels[depth - 1] = (this.levels[depth - 1] ?? 0) + 1;
    if (cov !== null) cov.newStates++;
    this.noteSometimes(c, depth);
    this.checkState(c, parent, action);
    if (this.seen.total >= this.maxStates) this.stop();
    return true;
  }

  /** Checks a state's invariants (a new or out-of-model state). */
  private checkState(s: S, parent: number, action: number): void {
    const invs = this.invariants;
    for (let k = 0; k < invs.length; k++) {
      if (this.invariantDone[k]) continue;
      const inv = invs[k]!;
      let ok: boolean;
      try {
        ok = inv.check(s);
      } catch (e) {
        this.find({ kind: 'error', property: inv.name, message: e instanceof Error ? e.message : String(e), parent, action });
        return;
      }
      if (!ok) {
        this.invariantDone[k] = true;
        this.find({ kind: 'invariant', property: inv.name, parent, action });
        if (this.stopped) return;
      }
    }
  }

  private noteSometimes(s: S, depth: number): void {
    if (this.sometimesLeft === 0) return;
    for (const p of this.sometimes) {
      if (this.sometimesAt.get(p.name) !== null) continue;
      let held: boolean;
      try {
        held = p.check(s);
      } catch (e) {
        this.find({ kind: 'error', property: p.name, message: e instanceof Error ? e.message : String(e), parent: -1, action: -1 });
        return;
      }
      if (held) {
        this.sometimesAt.set(p.name, depth);
        this.sometimesLeft--;
      }
    }
  }

  /**
   * Makes the next level current; returns its size (in a parallel run, this explorer's
   * part: the coordinator then opens the whole level in every worker's frontier).
   */
  advance(): number {
    this.depth++;
    return this.frontier.advance();
  }

  /**
   * For a depth bound: whether some successor of the current level (in a parallel run, of
   * the blocks this explorer takes) is in the model and not stored: the pipeline up to the
   * visited set, storing and counting nothing. A spec function that throws becomes an
   * `error` finding (which stops the run) and the answer is false.
   */
  anyUnseenSuccessor(): boolean {
    try {
      while (this.frontier.take(this.taken)) {
        const s = this.taken.state;
        const acts = this.spec.actions(s);
        const computed = this.successors(s, acts);
        const cs = this.canonSucc;
        const fps = this.fps;
        for (let k = 0; k < computed; k++) {
          if ((!this.constraint || this.constraint(cs[k]!)) && !this.seen.has(fps[2 * k]!, fps[2 * k + 1]!)) return true;
        }
        if (computed < acts.length) throw this.thrown;
      }
    } catch (e) {
      this.find({ kind: 'error', property: 'next', message: e instanceof Error ? e.message : String(e), parent: -1, action: -1 });
    }
    return false;
  }
}

/** Merges coverage maps (in the order names were first seen). */
export function mergeCoverage(maps: readonly Map<string, ActionCoverage>[]): Record<string, ActionCoverage> {
  const out: Record<string, ActionCoverage> = {};
  for (const m of maps) {
    for (const [k, v] of m) {
      const o = (out[k] ??= { fired: 0, newStates: 0 });
      o.fired += v.fired;
      o.newStates += v.newStates;
    }
  }
  return out;
}

/** The statistics of a run from its counters (one explorer's, or the sum of several workers'). */
export function makeStats(c: {
  readonly distinct: number;
  readonly generated: number;
  /** New states per depth (holes count as 0). */
  readonly levels: readonly (number | undefined)[];
  readonly queue: number;
  readonly coverage: Record<string, ActionCoverage>;
  readonly sometimes: Record<string, number | null>;
  readonly visitedBytes: number;
  /** When the run started (`Date.now()`). */
  readonly start: number;
}): CheckStats {
  const seconds = (Date.now() - c.start) / 1000;
  return {
    distinctStates: c.distinct,
    generatedStates: c.generated,
    // The deepest level holding a stored state (TLC's depth), also when a run stops early.
    depth: c.levels.length,
    levels: Array.from(c.levels, (n) => n ?? 0),
    queue: c.queue,
    coverage: c.coverage,
    neverFired: Object.entries(c.coverage).filter(([, v]) => v.fired === 0).map(([k]) => k),
    sometimes: c.sometimes,
    collisionProbability: collisionProbability(c.distinct, c.generated),
    visitedBytes: c.visitedBytes,
    seconds,
    statesPerSecond: seconds > 0 ? c.distinct / seconds : c.distinct,
  };
}

/** What {@link concludeRun} needs of a run that has stopped or finished. */
export interface RunEnd<S> {
  /** Every finding, in the order found. */
  readonly findings: readonly Finding[];
  /** Rebuilds the trace to a finding's state (by replay). */
  readonly traceOf: (f: Finding) => Trace<S>;
  /** The state the explorer expanded, for specs whose queue holds words. */
  readonly view: ((s: S) => S) | undefined;
  /** The exploration completed. */
  readonly finished: boolean;
  /** It stopped at the depth bound. */
  readonly cut: boolean;
  readonly continueAfterViolation: boolean;
  /** The distinct-state bound was reached. */
  readonly reachedMaxStates: boolean;
  readonly stats: () => CheckStats;
  readonly emit?: (event: CheckEvent) => void;
}

const claimOf = (f: Finding): TraceClaim =>
  f.kind === 'deadlock' ? { kind: 'deadlock' } : { kind: f.kind === 'action' ? 'action' : 'invariant', property: f.property };

/**
 * Turns what a run found into its result: the one place, for one thread and for several,
 * where findings become an `error`, a `deadlock`, violations or `incomplete`. Every
 * counterexample is rebuilt and checked before it is reported (verify.ts): one that does not
 * show what it claims becomes an `error` naming the spec's fault, never a violation.
 */
export function concludeRun<S, A extends Action>(spec: Spec<S, A>, end: RunEnd<S>): CheckResult<S> {
  const done = (r: CheckResult<S>): CheckResult<S> => {
    end.emit?.({ type: 'done', kind: r.kind });
    return r;
  };
  const fail = (where: string, message: string, trace?: Trace<S>): CheckResult<S> =>
    done({ kind: 'error', message, where, ...(trace ? { trace } : {}), stats: end.stats() });
  const error = end.findings.find((f) => f.kind === 'error');
  if (error) {
    let t: Trace<S> | undefined;
    try {
      t = error.action < 0 ? undefined : end.traceOf(error);
    } catch {
      t = undefined;
    }
    // The state where it went wrong, replayed: a contract breach there names the action.
    const why = t && !error.exact ? explainError(spec, t.states[t.states.length - 1]!, end.view) : null;
    return fail(why?.where ?? error.property, why?.message ?? error.message ?? '', t);
  }
  const dl = end.findings.find((f) => f.kind === 'deadlock');
  if (dl) {
    const c = checkedTrace(spec, () => end.traceOf(dl), claimOf(dl), end.view);
    return c.ok ? done({ kind: 'deadlock', trace: c.trace as Trace<S>, stats: end.stats() }) : fail(c.where, c.message, c.trace as Trace<S> | undefined);
  }
  const vs: Violation<S>[] = [];
  const named = new Set<string>();
  for (const f of end.findings) {
    if ((f.kind !== 'invariant' && f.kind !== 'action') || named.has(f.property)) continue;
    named.add(f.property);
    const c = checkedTrace(spec, () => end.traceOf(f), claimOf(f), end.view);
    if (!c.ok) return fail(c.where, c.message, c.trace as Trace<S> | undefined);
    vs.push({ property: f.property, kind: f.kind, trace: c.trace as Trace<S> });
  }
  for (const v of vs) end.emit?.({ type: 'violation', property: v.property, length: v.trace.states.length });
  if (end.finished || (vs.length > 0 && !end.continueAfterViolation)) {
    return done(vs.length > 0 ? { kind: 'violation', violations: vs, stats: end.stats() } : { kind: 'ok', stats: end.stats() });
  }
  const reason = end.cut ? 'maxDepth' : end.reachedMaxStates ? 'maxStates' : 'timeLimit';
  return done({ kind: 'incomplete', reason, violations: vs, stats: end.stats() });
}

/**
 * Explores every state reachable from the spec's initial states, breadth first, in this
 * thread.
 *
 * Deterministic: the same spec and options give the same counts and the same first
 * counterexample. Throws only for a bad option (an unknown invariant name); everything
 * that goes wrong inside the spec's functions is an `error` result.
 */
export function check<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions = {}): CheckResult<S> {
  const run = search(spec, options, Infinity);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/**
 * Like {@link check}, but lets this thread's event loop run every `yieldEveryMs` milliseconds
 * (between two states; default 100), so that a caller can handle a signal or a timer while a
 * long check runs in its thread. The same counts, traces and events as {@link check}.
 */
export async function checkAsync<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions & { readonly yieldEveryMs?: number } = {}): Promise<CheckResult<S>> {
  const every = options.yieldEveryMs ?? 100;
  const run = search(spec, options, every);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => nextTurn(resolve));
  }
}

/**
 * Runs `f` at the event loop's next turn: Node's `setImmediate` (no timer delay), else
 * `setTimeout`. Looked up on `globalThis` so that the engine's types need no Node typings (a
 * user's module type-checks against them with TypeScript alone).
 */
const nextTurn: (f: () => void) => void =
  (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0));

/** How the levels of a run ended, one thread or several: what {@link concludeRun} is told, and the states left. */
export interface LevelsEnd {
  /** The exploration completed (within the depth bound). */
  readonly finished: boolean;
  /** It stopped at the depth bound with a successor left unexplored. */
  readonly cut: boolean;
  /** States still waiting to be expanded. */
  readonly queue: number;
}

/** The end of a run that explored every reachable state (within the depth bound). */
export const FINISHED: LevelsEnd = { finished: true, cut: false, queue: 0 };

/**
 * The one-thread search behind {@link check} and {@link checkAsync}, in the phases of the
 * parallel coordinator: start, seed, the levels (each expanded, or probed at the depth
 * bound), then the conclusion. Yields when it pauses for the event loop.
 */
function* search<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions, yieldEveryMs: number): Generator<void, CheckResult<S>, void> {
  const run = new SoloRun(spec, options);
  run.start();
  const end = run.seed() ?? (yield* run.levels(yieldEveryMs));
  return run.conclude(end);
}

/** One run in this thread: one {@link Explorer}, driven level by level. */
class SoloRun<S, A extends Action> {
  private readonly x: Explorer<S, A>;
  private readonly emit: ((event: CheckEvent) => void) | undefined;
  private readonly progressMs: number;
  private readonly maxDepth: number;
  private readonly started = Date.now();
  private readonly deadline: number;
  private nextProgress: number;

  constructor(
    private readonly spec: Spec<S, A>,
    private readonly options: CheckOptions,
  ) {
    this.x = new Explorer(spec, options);
    this.emit = options.onEvent;
    this.progressMs = options.progressIntervalMs ?? 1000;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.deadline = options.timeLimitMs === undefined ? Infinity : this.started + options.timeLimitMs;
    this.nextProgress = this.started + this.progressMs;
  }

  /** Phase 1: the `start` event. */
  start(): void {
    this.emit?.({ type: 'start', spec: this.spec.name });
  }

  /** Phase 2: the initial states, made the first level; the end, if the seeding ended the run. */
  seed(): LevelsEnd | null {
    const x = this.x;
    x.seed();
    x.advance();
    this.emit?.({ type: 'level', depth: 1, newStates: x.queue });
    return x.stopped ? this.stoppedEnd() : null;
  }

  /** Phase 3: level after level, until the space is done, a bound or a finding stops the run. */
  *levels(yieldEveryMs: number): Generator<void, LevelsEnd, void> {
    const x = this.x;
    const progress = (): void => this.progress();
    while (x.queue > 0) {
      if (x.depth >= this.maxDepth) return this.probeAtBound();
      x.expand(this.deadline, progress, yieldEveryMs === Infinity ? Infinity : Date.now() + yieldEveryMs);
      if (x.yielded) {
        yield;
        continue;
      }
      if (x.stopped) return this.stoppedEnd();
      const n = x.nextSize;
      if (n === 0) break;
      x.advance();
      this.emit?.({ type: 'level', depth: x.depth, newStates: n });
    }
    return FINISHED;
  }

  /** Phase 4: the result, from what the explorer found. */
  conclude(end: LevelsEnd): CheckResult<S> {
    const { spec, options, x } = this;
    const canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
    const view = spec.encode && spec.decode ? explorerView(spec) : undefined;
    const stats = (): CheckStats =>
      makeStats({
        distinct: x.seen.size,
        generated: x.generated,
        levels: x.levels,
        queue: end.queue,
        coverage: mergeCoverage([x.coverage]),
        sometimes: Object.fromEntries(x.sometimesAt),
        visitedBytes: x.bytes,
        start: this.started,
      });
    return concludeRun(spec, {
      findings: x.findings,
      traceOf: (f) => rebuildTrace(spec, x.seen, f.parent, f.action, canon, view),
      view,
      finished: end.finished,
      cut: end.cut,
      continueAfterViolation: options.continueAfterViolation ?? false,
      reachedMaxStates: x.seen.size >= (options.maxStates ?? Infinity),
      stats,
      ...(this.emit ? { emit: this.emit } : {}),
    });
  }

  /**
   * At the depth bound: cut (incomplete) when some successor of the level is new, complete
   * when none is; a spec function that throws ends the run as an error, with no queue.
   */
  private probeAtBound(): LevelsEnd {
    const x = this.x;
    const cut = x.anyUnseenSuccessor();
    if (x.stopped) return { finished: false, cut: false, queue: 0 };
    return cut ? { finished: false, cut: true, queue: x.queue } : FINISHED;
  }

  /** The end of a run a finding or a bound stopped: the level and what was found for the next. */
  private stoppedEnd(): LevelsEnd {
    return { finished: false, cut: false, queue: this.x.queue + this.x.nextSize };
  }

  /** A `progress` event, at most every `progressIntervalMs`. */
  private progress(): void {
    const emit = this.emit;
    const now = Date.now();
    if (!emit || now < this.nextProgress) return;
    this.nextProgress = now + this.progressMs;
    const x = this.x;
    const sec = (now - this.started) / 1000;
    emit({ type: 'progress', distinct: x.seen.size, generated: x.generated, queue: x.queue + x.nextSize, depth: x.depth, statesPerSecond: sec > 0 ? x.seen.size / sec : 0, seconds: sec });
  }
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
