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
import type { Action, ActionProperty, Spec, StateEncoder, StateProperty } from './spec.js';
import { ObjectLevel, WordLevel, type Level } from './level.js';
import { rebuildTrace, type Trace } from './trace.js';
import { checkedTrace, checkStateContract, ContractError, explainError, explorerView, type TraceClaim } from './verify.js';
import { formatAction } from './spec.js';

/** The guards hash afresh: a sub-value's cached fingerprint would hide a change made in place. */
const FRESH = { noCache: true } as const;

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
  /**
   * Check the spec contract at every expanded state: `actions` and `next` deterministic, the
   * same on a state equal by value but built differently, never changing their input (see
   * verify.ts). Slow; without it the engine checks a sample of states for a changed input and
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

/**
 * How an explorer shares its work with others (the parallel checker, one explorer per
 * worker thread): the shared visited set, the worker's level writer, the shared frontier.
 */
export interface SharedParts<S> {
  readonly seen: VisitedSet & {
    readonly index: number;
    readonly workers: number;
    readonly table: {
      mustPause(successors: number, threads: number): boolean;
      readonly stopped: boolean;
      stop(): void;
      readonly full: boolean;
      attach(slots: SharedArrayBuffer): void;
      grown(): SharedArrayBuffer;
    };
  };
  /** Where new states go; the worker swaps in its other buffer at each level. */
  writer: { readonly count: number; push(encode: (s: S, out: StateEncoder) => void, s: S, id: number, parent: number, action: number): void };
  readonly frontier: { take(out: { state: S }): boolean; untake(): void; readonly id: number; readonly parent: number; readonly action: number; readonly size: number };
}

/**
 * The breadth-first explorer's core, one level at a time: the single loop that both
 * {@link check} (one explorer, in this thread) and the parallel checker (one explorer per
 * worker thread, see {@link SharedParts}) run. In a parallel run, the explorers share one
 * fingerprint table and claim blocks of each level from all of them, so any explorer may
 * expand any state; each stores (and later answers trace lookups for) the states it found
 * first, with global ids.
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

  /** One-thread levels (when not shared). */
  private current: Level<S>;
  private next: Level<S>;
  private currentStart = 0;
  private readonly shared: SharedParts<S> | null;
  private readonly taken: { state: S } = { state: undefined as S };
  private readonly fp = new Fingerprinter();
  private readonly invariants: StateProperty<S>[];
  private readonly sometimes: readonly StateProperty<S>[];
  private readonly actionProps: readonly ActionProperty<S, A>[];
  private readonly invariantDone: boolean[];
  private readonly actionPropDone: boolean[];
  private sometimesLeft: number;
  private readonly canon: ((s: S) => S) | undefined;
  /** The spec's {@link Spec.actionIndex}, and the coverage counters by that index. */
  private readonly actionIndex: ((a: A) => number) | undefined;
  private readonly coverageByIndex: ActionCoverage[];
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
  /** States expanded: every 16th is checked for a changed input. */
  private expandedCount = 0;
  /** States taken since the last look at the clock for {@link Explorer.yielded}. */
  private yieldTick = 0;
  /**
   * The last {@link Explorer.expand} returned between two states because its `yieldAt` time
   * came; call it again to go on with the same level.
   */
  yielded = false;

  constructor(
    private readonly spec: Spec<S, A>,
    options: CheckOptions,
    shared?: SharedParts<S>,
  ) {
    this.invariants = selectInvariants(spec, options.invariants);
    this.sometimes = spec.sometimes ?? [];
    this.actionProps = spec.actionProperties ?? [];
    this.invariantDone = this.invariants.map(() => false);
    this.actionPropDone = this.actionProps.map(() => false);
    this.sometimesLeft = this.sometimes.length;
    this.sometimesAt = new Map(this.sometimes.map((p) => [p.name, null]));
    this.coverage = new Map((spec.actionNames ?? []).map((n) => [n, { fired: 0, newStates: 0 }]));
    this.coverageByIndex = [...this.coverage.values()];
    this.actionIndex = spec.actionNames && spec.actionIndex ? spec.actionIndex.bind(spec) : undefined;
    this.canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
    this.constraint = spec.constraint?.bind(spec);
    this.maxStates = options.maxStates ?? Infinity;
    this.continueAfter = options.continueAfterViolation ?? false;
    this.checkDeadlock = options.checkDeadlock ?? false;
    this.strict = options.strict ?? false;
    this.shared = shared ?? null;
    // A shared run always queues words (the frontier is encoded); one thread, when the spec decodes.
    this.view = shared || (spec.encode && spec.decode) ? explorerView(spec) : undefined;
    this.seen = shared ? shared.seen : new FingerprintSet();
    const newLevel = (): Level<S> =>
      spec.decode && spec.encode ? new WordLevel<S>(spec.encode.bind(spec), spec.decode.bind(spec)) : new ObjectLevel<S>();
    this.current = newLevel();
    this.next = newLevel();
  }

  /** Bytes of this explorer's visited set (in a parallel run, without the shared table). */
  get bytes(): number {
    return this.seen.bytes;
  }

  /** States waiting in the current level (one thread; in a parallel run, the whole level). */
  get queue(): number {
    return this.shared ? this.shared.frontier.size : this.current.length;
  }

  /** States this explorer found for the next level. */
  get nextSize(): number {
    return this.shared ? this.shared.writer.count : this.next.length;
  }

  /** A stored state's parent id and action index, for trace rebuilding. */
  lookup(id: number): readonly [number, number] {
    return [this.seen.parent(id), this.seen.action(id)];
  }

  private fingerprint(s: S): void {
    this.fp.state(this.spec, s);
  }

  private find(f: Finding): void {
    this.findings.push(f);
    if (!this.continueAfter || f.kind === 'error' || f.kind === 'deadlock') this.stop();
  }

  private stop(): void {
    this.stopped = true;
    this.shared?.seen.table.stop();
  }

  /** The coverage counters of `a`'s name (by {@link Spec.actionIndex} when the spec has it). */
  private coverageOf(a: A): ActionCoverage {
    let cov = this.actionIndex ? this.coverageByIndex[this.actionIndex(a)] : undefined;
    if (cov === undefined) {
      cov = this.coverage.get(a.name);
      if (cov === undefined) this.coverage.set(a.name, (cov = { fired: 0, newStates: 0 }));
    }
    return cov;
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

  /** Stores a new state (`id` from the visited set); checks what a new state needs. */
  private stored(s: S, id: number, parent: number, action: number, depth: number, cov: ActionCoverage | null): void {
    if (this.shared) this.shared.writer.push(this.spec.encode!, s, id, parent, action);
    else this.next.push(s);
    this.levels[depth - 1] = (this.levels[depth - 1] ?? 0) + 1;
    if (cov !== null) cov.newStates++;
    this.noteSometimes(s, depth);
    this.checkState(s, parent, action);
    if (this.seen.total >= this.maxStates) this.stop();
  }

  /**
   * Seeds the initial states (as the next level; call {@link advance} after). In a parallel
   * run only the first worker seeds, growing the shared table itself if it must (it is the
   * only thread inserting).
   */
  seed(): void {
    // Depth 0 until advance() makes the initial states the current level.
    this.depth = 0;
    if (this.shared && this.shared.seen.index !== 0) return;
    let where = 'initStates';
    try {
      const inits = this.spec.initStates();
      for (let k = 0; k < inits.length; k++) {
        const s0 = inits[k]!;
        where = 'canonicalize';
        const s = this.canon ? this.canon(s0) : s0;
        where = 'encode';
        this.fingerprint(s);
        const { hi, lo } = this.fp;
        this.generated++;
        where = 'constraint';
        if (!this.constraint || this.constraint(s)) {
          const table = this.shared?.seen.table;
          if (table?.full) table.attach(table.grown());
          const id = this.seen.put(hi, lo, -1, k);
          if (id < 0) continue;
          where = 'invariants';
          this.stored(s, id, -1, k, 1, null);
        } else {
          this.checkState(s, -1, k);
        }
        if (this.stopped) return;
      }
    } catch (e) {
      this.find({ kind: 'error', property: where, message: e instanceof Error ? e.message : String(e), parent: -1, action: -1 });
    }
  }

  /** Takes the next state to expand into `taken`, with its id, parent and action. */
  private take(): boolean {
    const sh = this.shared;
    if (sh) {
      if (!sh.frontier.take(this.taken)) return false;
      this.takenId = sh.frontier.id;
      this.takenParent = sh.frontier.parent;
      this.takenAction = sh.frontier.action;
      return true;
    }
    if (this.cursor >= this.current.length) return false;
    const id = this.currentStart + this.cursor++;
    this.taken.state = this.current.take();
    this.takenId = id;
    this.takenParent = this.seen.parent(id);
    this.takenAction = this.seen.action(id);
    return true;
  }

  private cursor = 0;
  /** Scratch of {@link Explorer.expand}: one state's successors, canonical forms, fingerprints. */
  private fps = new Int32Array(64);
  private readonly succ: S[] = [];
  private readonly canonSucc: S[] = [];
  /** What the table reads of pass 2 gave, kept so that they are not optimised away. */
  private touched = 0;
  private takenId = 0;
  private takenParent = 0;
  private takenAction = 0;

  /**
   * Expands the current level, storing new successors for the next one. Stops early when
   * a finding or a bound stops the run, or (parallel) when the shared table must grow
   * ({@link Explorer.paused}); `deadline` is checked every 64 successors.
   */
  expand(deadline = Infinity, onProgress?: () => void, yieldAt = Infinity): void {
    const spec = this.spec;
    const seen = this.seen;
    const fp = this.fp;
    const canon = this.canon;
    const constraint = this.constraint;
    const props = this.actionProps;
    const table = this.shared?.seen.table;
    const threads = this.shared?.seen.workers ?? 1;
    const nextDepth = this.depth + 1;
    this.paused = false;
    this.yielded = false;
    let where = 'actions';
    // What a throw is about: the state reached by `action` from stored state `parent`.
    let parent = -1;
    let action = -1;
    try {
      for (;;) {
        where = 'decode';
        // Between two states (so that expand resumes where it stopped): time to let the caller's
        // event loop run (see checkAsync)?
        if (yieldAt !== Infinity && (++this.yieldTick & 31) === 0 && Date.now() >= yieldAt) {
          this.yielded = true;
          return;
        }
        if (!this.take()) return;
        const s = this.taken.state;
        const id = this.takenId;
        const sParent = this.takenParent;
        const sAction = this.takenAction;
        parent = sParent;
        action = sAction;
        where = 'actions';
        // Guards (verify.ts): with `strict`, the whole contract here; else every 16th state is
        // fingerprinted before and after its expansion, which catches a `next` or `actions`
        // that changes its input (a classic mistake that silently gives wrong counts).
        if (this.strict) checkStateContract(spec, s, this.view, this.guardFp);
        const guard = this.strict || (++this.expandedCount & 15) === 1;
        const gfp = this.guardFp;
        let gHi = 0;
        let gLo = 0;
        if (guard) {
          gfp.state(spec, s, FRESH);
          gHi = gfp.hi;
          gLo = gfp.lo;
        }
        const acts = spec.actions(s);
        if (!Array.isArray(acts)) throw new ContractError('actions', `actions() returned ${acts === null ? 'null' : typeof acts}, not an array of actions`);
        if (table && table.mustPause(acts.length, threads)) {
          this.shared!.frontier.untake();
          // Another worker stopped the run: this level ends here too.
          if (table.stopped) this.stopped = true;
          else this.paused = true;
          return;
        }
        if (acts.length === 0 && this.checkDeadlock) {
          this.find({ kind: 'deadlock', property: 'deadlock', parent, action });
          return;
        }
        const n = acts.length;
        if (n > MAX_ACTION_INDEX + 1) throw new RangeError(`a state has ${n} enabled actions; at most ${MAX_ACTION_INDEX + 1} are supported`);
        // Pass 1: every successor and its fingerprint. A throw is kept for pass 3, so that
        // what is reported, and in which order, is as if each successor were done in turn.
        if (this.fps.length < 2 * n) this.fps = new Int32Array(4 * n);
        const fps = this.fps;
        const ts = this.succ;
        const cs = this.canonSucc;
        let computed = 0;
        let thrown: unknown = undefined;
        let thrownWhere = '';
        try {
          for (; computed < n; computed++) {
            where = 'next';
            const t = spec.next(s, acts[computed]!);
            if (t === undefined || t === null) {
              throw new ContractError('next', `next() returned ${String(t)} for ${formatAction(acts[computed]!)}: it must return the successor state`);
            }
            where = 'canonicalize';
            const c = canon ? canon(t) : t;
            where = 'encode';
            this.fingerprint(c);
            ts[computed] = t;
            cs[computed] = c;
            fps[2 * computed] = fp.hi;
            fps[2 * computed + 1] = fp.lo;
          }
        } catch (e) {
          thrown = e;
          thrownWhere = where;
        }
        if (guard) {
          where = 'next';
          gfp.state(spec, s, FRESH);
          if (gfp.hi !== gHi || gfp.lo !== gLo) {
            throw new ContractError('next', `next() or actions() changed the state it was given (a state with ${n} enabled actions: ${acts.slice(0, 4).map(formatAction).join(', ')}${n > 4 ? ', ...' : ''}): they must leave their input as it was and return new states`);
          }
        }
        // Pass 2: read each successor's first slot in the visited table. The reads do not
        // depend on each other, so the processor overlaps their cache misses (the table is
        // far larger than the caches, and this miss was the largest single cost of the loop);
        // pass 3 then finds the slots cached.
        let touched = 0;
        for (let k = 0; k < computed; k++) touched ^= seen.touch(fps[2 * k]!, fps[2 * k + 1]!);
        this.touched ^= touched;
        // Pass 3: in action order, what one successor at a time would do.
        for (let k = 0; k < n; k++) {
          const a = acts[k]!;
          this.generated++;
          parent = sParent;
          action = sAction;
          if (k === computed) {
            where = thrownWhere;
            throw thrown;
          }
          const t = ts[k]!;
          const c = cs[k]!;
          const cov = this.coverageOf(a);
          cov.fired++;
          parent = id;
          action = k;
          for (let j = 0; j < props.length; j++) {
            if (this.actionPropDone[j]) continue;
            const p = props[j]!;
            where = p.name;
            if (!p.check(s, t, a)) {
              this.actionPropDone[j] = true;
              this.find({ kind: 'action', property: p.name, parent: id, action: k });
              if (this.stopped) return;
            }
          }
          where = 'constraint';
          if (constraint && !constraint(c)) {
            where = 'invariants';
            this.checkState(c, id, k);
          } else {
            const nid = seen.put(fps[2 * k]!, fps[2 * k + 1]!, id, k);
            if (nid < 0) continue;
            where = 'invariants';
            this.stored(c, nid, id, k, nextDepth, cov);
          }
          if (this.stopped) return;
          // Every 64 successors, so that this path runs, and V8 records what it calls, before
          // the loop is optimised: a first run of it in optimised code would throw the loop's
          // compiled code away ("insufficient type feedback") and compile it again.
          if ((this.generated & 63) === 0) {
            onProgress?.();
            if (Date.now() >= deadline) {
              this.stop();
              return;
            }
          }
        }
      }
    } catch (e) {
      this.find({ kind: 'error', property: e instanceof ContractError ? e.where : where, message: e instanceof Error ? e.message : String(e), parent, action });
    }
  }

  /**
   * Makes the next level current; returns its size (in a parallel run, this explorer's
   * part: the coordinator then opens the whole level in every worker's `SharedFrontier`).
   */
  advance(): number {
    this.depth++;
    if (this.shared) return this.shared.writer.count;
    const done = this.current;
    done.clear();
    this.current = this.next;
    this.next = done;
    this.cursor = 0;
    this.currentStart = this.seen.size - this.current.length;
    return this.current.length;
  }

  /**
   * For a depth bound: whether some successor of the current level is not stored here
   * (one explorer only). Expands nothing.
   */
  anyUnseenSuccessor(): boolean {
    if (!(this.seen instanceof FingerprintSet)) throw new Error('anyUnseenSuccessor needs a one-thread explorer');
    for (let i = 0, n = this.current.length; i < n; i++) {
      const s = this.current.take();
      for (const a of this.spec.actions(s)) {
        const t = this.spec.next(s, a);
        const c = this.canon ? this.canon(t) : t;
        this.fingerprint(c);
        if ((!this.constraint || this.constraint(c)) && !this.seen.has(this.fp.hi, this.fp.lo)) return true;
      }
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
    const why = t ? explainError(spec, t.states[t.states.length - 1]!, end.view) : null;
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

/** The one-thread search behind {@link check} and {@link checkAsync}: yields when it pauses for the event loop. */
function* search<S, A extends Action>(spec: Spec<S, A>, options: CheckOptions, yieldEveryMs: number): Generator<void, CheckResult<S>, void> {
  const x = new Explorer(spec, options);
  const emit = options.onEvent;
  const progressMs = options.progressIntervalMs ?? 1000;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const start = Date.now();
  const deadline = options.timeLimitMs === undefined ? Infinity : start + options.timeLimitMs;
  const canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
  let nextProgress = start + progressMs;
  let queue = 0;

  const stats = (): CheckStats =>
    makeStats({
      distinct: x.seen.size,
      generated: x.generated,
      levels: x.levels,
      queue,
      coverage: mergeCoverage([x.coverage]),
      sometimes: Object.fromEntries(x.sometimesAt),
      visitedBytes: x.bytes,
      start,
    });
  const view = spec.encode && spec.decode ? explorerView(spec) : undefined;
  const progress = (): void => {
    const now = Date.now();
    if (!emit || now < nextProgress) return;
    nextProgress = now + progressMs;
    const sec = (now - start) / 1000;
    emit({ type: 'progress', distinct: x.seen.size, generated: x.generated, queue: x.queue + x.nextSize, depth: x.depth, statesPerSecond: sec > 0 ? x.seen.size / sec : 0, seconds: sec });
  };
  const conclude = (finished: boolean, cut = false): CheckResult<S> =>
    concludeRun(spec, {
      findings: x.findings,
      traceOf: (f) => rebuildTrace(spec, x.seen, f.parent, f.action, canon, view),
      view,
      finished,
      cut,
      continueAfterViolation: options.continueAfterViolation ?? false,
      reachedMaxStates: x.seen.size >= maxStates,
      stats,
      ...(emit ? { emit } : {}),
    });

  emit?.({ type: 'start', spec: spec.name });
  x.seed();
  x.advance();
  emit?.({ type: 'level', depth: 1, newStates: x.queue });
  if (x.stopped) {
    queue = x.queue;
    return conclude(false);
  }
  while (x.queue > 0) {
    if (x.depth >= maxDepth) {
      let cut: boolean;
      try {
        cut = x.anyUnseenSuccessor();
      } catch (e) {
        x.findings.push({ kind: 'error', property: 'next', message: e instanceof Error ? e.message : String(e), parent: -1, action: -1 });
        return conclude(false);
      }
      if (cut) {
        queue = x.queue;
        return conclude(false, true);
      }
      break;
    }
    x.expand(deadline, progress, yieldEveryMs === Infinity ? Infinity : Date.now() + yieldEveryMs);
    if (x.yielded) {
      yield;
      continue;
    }
    if (x.stopped) {
      queue = x.queue + x.nextSize;
      return conclude(false);
    }
    const n = x.nextSize;
    if (n === 0) break;
    x.advance();
    emit?.({ type: 'level', depth: x.depth, newStates: n });
  }
  queue = 0;
  return conclude(true);
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
