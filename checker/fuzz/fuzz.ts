/**
 * Random simulation with shrinking, on fast-check: a behaviour is a run plan (a search
 * strategy and its random parameters) and a sequence of choices, each picking one of the
 * actions enabled in the current state, so every generated behaviour is a real one, and a
 * shorter or smaller value is still a behaviour. Invariants are checked after every step.
 * A failing behaviour is shrunk by fast-check, then minimised by dropping steps while the
 * rest still replays and still violates the same invariant, which brings it close to the
 * shortest counterexample; the first failing behaviour is minimised as well, and the
 * shorter of the two kept.
 *
 * Strategies (each run draws one from the campaign's mix, see {@link STRATEGIES}):
 * - `uniform`: every enabled action equally likely (a plain random walk);
 * - `swarm`: the run enables a random subset of action kinds, or of nodes, and takes
 *   only those while any is enabled (swarm testing, Groce et al. 2012; SPIN's swarm);
 * - `pct`: random priorities per node, the highest-priority node with an enabled action
 *   acts, and a few priority-change points demote the node that acted (PCT, Burckhardt
 *   et al. 2010); a step that leaves the state unchanged also demotes its node;
 * - `novelty`: successors whose fingerprints this run has not produced are preferred, and
 *   among them the action kinds this run took least.
 * All but `uniform` pick an action kind first and then one of its enabled actions, so a
 * kind with many enabled instances (a `Tick` per node) does not crowd the others out.
 *
 * The strategies are generic: they see action names and arguments, and a step's node
 * through the spec's `describeStep` (or, without it, the first argument). A node is
 * assumed to be a function of the action's label (name and arguments), so it is computed
 * once per label. Every choice is a function of the run's value only (no state carried
 * between runs), so a run replays from `(seed, path)` alone.
 *
 * Deterministic for a given seed (and `path`, fast-check's pointer to one run and its
 * shrinks), except for the optional time limit. The result is data; the CLI renders it.
 */
import fc from 'fast-check';
import { selectInvariants } from '../core/explore.js';
import { Fingerprinter } from '../core/hash.js';
import { FingerprintSet } from '../core/fpset.js';
import type { Action, Spec, StateProperty } from '../core/spec.js';
import { replaySteps, StepNotEnabledError, type StepLabel, type Trace } from '../core/trace.js';
import type { HyperLogLog } from './hll.js';

/** The search strategies, in the order fast-check shrinks toward (the first is the simplest). */
export const STRATEGIES = ['uniform', 'swarm', 'pct', 'novelty'] as const;

/** A search strategy's name. */
export type Strategy = (typeof STRATEGIES)[number];

/** One run's plan: its strategy and the random parameters that strategy reads. */
export interface RunPlan {
  readonly strategy: Strategy;
  /** `swarm`: bit i enables the action kinds (or nodes) whose index is i modulo 31. */
  readonly mask: number;
  /** `swarm`: bit 0 restricts nodes instead of kinds; `pct`: the seed of the priorities. */
  readonly salt: number;
  /** `pct`: step numbers (0-based) after which the node that acted drops to the lowest priority. */
  readonly changes: readonly number[];
}

/**
 * fast-check's shrinking is bounded so that one unlucky run cannot take minutes (a long
 * `novelty` behaviour could take two and a half): a million successors, a few seconds.
 */
export const DEFAULT_SHRINK_BUDGET = 1_000_000;

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
  /** The strategies runs draw from (default {@link STRATEGIES}); the first is what shrinking tends to. */
  readonly strategies?: readonly Strategy[];
  /** Stop generating after this many milliseconds (the result then depends on the machine's speed). */
  readonly timeLimitMs?: number;
  /**
   * How much fast-check's shrinking may do, in successors computed (a step of `novelty`
   * computes every enabled one); past it, shrinking stops where it is and only the
   * step-dropping minimisation follows. Default {@link DEFAULT_SHRINK_BUDGET}.
   */
  readonly shrinkBudget?: number;
  /** A sketch to add every visited state's fingerprint to (swarm shards merge them). */
  readonly sketch?: HyperLogLog;
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
  /** Steps taken per action name (shrinking included), in the spec's order of names. */
  readonly actionCounts: Readonly<Record<string, number>>;
  /**
   * The strategy of the first failing behaviour, or null. Replaying a `path` the first
   * failing behaviour is the path's value: a shrink, whose plan may have shrunk too.
   */
  readonly strategy: Strategy | null;
  /** Behaviours generated up to and including the first failing one, or null. */
  readonly runsToFind: number | null;
  /** Steps taken up to the first violation (before any shrinking), or null. */
  readonly stepsToFind: number | null;
  /** Seconds from the start to the first violation, or null. */
  readonly secondsToFind: number | null;
  /** Seconds the whole campaign took, shrinking included. */
  readonly seconds: number;
  /** The minimised counterexample. */
  readonly trace: Trace<S> | null;
}

/** What the strategies know about actions, memoised per label (pure functions of it). */
class ActionInfo<S, A extends Action> {
  private readonly nodeIndex = new Map<string, number>();
  private readonly kindIndex = new Map<string, number>();
  private readonly nodes: readonly string[];
  constructor(private readonly spec: Spec<S, A>) {
    this.nodes = spec.nodes ?? [];
    (spec.actionNames ?? []).forEach((n, i) => this.kindIndex.set(n, i));
  }

  /** The index of the action's kind (its name), for swarm masks. */
  kind(a: A): number {
    let k = this.kindIndex.get(a.name);
    if (k === undefined) {
      k = stringHash(a.name);
      this.kindIndex.set(a.name, k);
    }
    return k;
  }

  /** The index of the node that takes `a` in `s` (in `spec.nodes`, or a hash of its name). */
  node(s: S, a: A): number {
    const key = `${a.name}(${a.args.join(',')})`;
    let k = this.nodeIndex.get(key);
    if (k === undefined) {
      const name = this.spec.describeStep ? this.spec.describeStep(s, a, this.spec.next(s, a)).node : String(a.args[0] ?? a.name);
      const i = this.nodes.indexOf(name);
      k = i >= 0 ? i : stringHash(name);
      this.nodeIndex.set(key, k);
    }
    return k;
  }
}

function stringHash(t: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 1000003;
}

/** A node's priority under `pct` with salt `salt`: a hash, so any node count works. */
function priority(salt: number, node: number): number {
  let h = Math.imul(salt ^ Math.imul(node + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 1;
}

/** Picks an action kind first (by `c` modulo the kinds among `xs`), then one of its instances. */
function pickByKind<A extends Action>(xs: readonly A[], c: number): A {
  const names: string[] = [];
  for (const x of xs) if (!names.includes(x.name)) names.push(x.name);
  const name = names[c % names.length]!;
  const of = xs.filter((x) => x.name === name);
  return of[Math.floor(c / names.length) % of.length]!;
}

/** The fingerprint as one number (53 bits), for a run's own set of seen states. */
const key53 = (hi: number, lo: number): number => (hi >>> 0) * 2 ** 21 + ((lo >>> 0) >>> 11);

/**
 * What a strategy remembers during one run (never carried between runs: replay needs only the
 * run's value): `novelty` the states seen and the kinds taken, `pct` the nodes demoted.
 */
class RunMemory {
  readonly seen = new Set<number>();
  readonly counts = new Map<string, number>();
  readonly demoted = new Map<number, number>();
  readonly changes: ReadonlySet<number>;
  demotions = 0;
  constructor(plan: RunPlan) {
    this.changes = new Set(plan.changes);
  }
}

/** The action a strategy picks among `acts` at `s` for choice `c`, and its successor when the strategy computed it. */
interface Choice<S, A> {
  readonly a: A;
  readonly t: S | null;
}

/** `swarm`: only the kinds (or nodes) the run's mask allows, when any is enabled. */
function chooseSwarm<S, A extends Action>(s: S, acts: readonly A[], c: number, plan: RunPlan, info: ActionInfo<S, A>): Choice<S, A> {
  const byNodes = (plan.salt & 1) === 1;
  const allowed = acts.filter((x) => (plan.mask >>> ((byNodes ? info.node(s, x) : info.kind(x)) % 31)) & 1);
  return { a: pickByKind(allowed.length > 0 ? allowed : acts, c), t: null };
}

/** `pct`: the node of highest priority moves (demoted nodes lowest), except on a quarter of the steps. */
function choosePct<S, A extends Action>(s: S, acts: readonly A[], c: number, plan: RunPlan, info: ActionInfo<S, A>, mem: RunMemory): Choice<S, A> {
  // A quarter of the steps ignore the priorities, so a low node still moves now and then.
  if ((c & 3) === 0) return { a: pickByKind(acts, c >>> 2), t: null };
  let best = -Infinity;
  let bestNode = -1;
  for (const x of acts) {
    const n = info.node(s, x);
    const pr = mem.demoted.get(n) ?? priority(plan.salt, n);
    if (pr > best) {
      best = pr;
      bestNode = n;
    }
  }
  return { a: pickByKind(acts.filter((x) => info.node(s, x) === bestNode), c >>> 2), t: null };
}

/** `novelty`: a successor this run has not seen (when there is one); on odd choices, of the kind this run took least. */
function chooseNovelty<S, A extends Action>(spec: Spec<S, A>, s: S, acts: readonly A[], c: number, fp: Fingerprinter, mem: RunMemory): Choice<S, A> {
  const succ = acts.map((x) => spec.next(s, x));
  const fresh: number[] = [];
  succ.forEach((x, i) => {
    fp.state(spec, x);
    if (!mem.seen.has(key53(fp.hi, fp.lo))) fresh.push(i);
  });
  const idx = fresh.length > 0 ? fresh : acts.map((_, i) => i);
  let pickIdx: number;
  if ((c & 1) === 1) {
    // The kind this run took least (first in the spec's order on a tie).
    let min = Infinity;
    let name = '';
    for (const i of idx) {
      const n = mem.counts.get(acts[i]!.name) ?? 0;
      if (n < min) {
        min = n;
        name = acts[i]!.name;
      }
    }
    const of = idx.filter((i) => acts[i]!.name === name);
    pickIdx = of[(c >>> 1) % of.length]!;
  } else {
    pickIdx = acts.indexOf(pickByKind(idx.map((i) => acts[i]!), c >>> 1));
  }
  return { a: acts[pickIdx]!, t: succ[pickIdx]! };
}

/**
 * Runs one behaviour: from the initial state, each choice picks an enabled action as the
 * plan's strategy says. Returns the trace up to the first violation (or the whole walk).
 * `visit` sees every state with its fingerprint, and the action that led to it.
 */
function walk<S, A extends Action>(
  spec: Spec<S, A>,
  invariants: readonly StateProperty<S>[],
  info: ActionInfo<S, A>,
  fp: Fingerprinter,
  plan: RunPlan,
  choices: readonly number[],
  visit: (hi: number, lo: number, a: A | null) => void,
): { trace: Trace<S>; violated: string | null; work: number } {
  let s = spec.initStates()[0]! as S;
  let work = 0;
  const states: S[] = [s];
  const actions: Action[] = [];
  fp.state(spec, s);
  let hi = fp.hi;
  let lo = fp.lo;
  visit(hi, lo, null);
  const bad = (x: S): string | null => invariants.find((p) => !p.check(x))?.name ?? null;
  let violated = bad(s);
  const strategy = plan.strategy;
  const mem = new RunMemory(plan);
  if (strategy === 'novelty') mem.seen.add(key53(hi, lo));
  for (let step = 0; step < choices.length && !violated; step++) {
    const c = choices[step]!;
    const acts = spec.actions(s);
    if (acts.length === 0) break;
    work += strategy === 'novelty' ? acts.length : 1;
    const { a, t } =
      strategy === 'uniform'
        ? { a: acts[c % acts.length]!, t: null }
        : strategy === 'swarm'
          ? chooseSwarm(s, acts, c, plan, info)
          : strategy === 'pct'
            ? choosePct(s, acts, c, plan, info, mem)
            : chooseNovelty(spec, s, acts, c, fp, mem);
    const next = t ?? spec.next(s, a);
    fp.state(spec, next);
    const unchanged = fp.hi === hi && fp.lo === lo;
    hi = fp.hi;
    lo = fp.lo;
    if (strategy === 'pct' && (unchanged || mem.changes.has(step))) mem.demoted.set(info.node(s, a), -1 - mem.demotions++);
    if (strategy === 'novelty') {
      mem.seen.add(key53(hi, lo));
      mem.counts.set(a.name, (mem.counts.get(a.name) ?? 0) + 1);
    }
    s = next;
    states.push(s);
    actions.push(a);
    visit(hi, lo, a);
    violated = bad(s);
  }
  return { trace: { states, actions }, violated, work };
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

/** The first failing behaviour of a campaign, as found (before fast-check shrinks it). */
interface FirstFailure<S> {
  readonly trace: Trace<S>;
  readonly violated: string;
  readonly strategy: Strategy;
  readonly runs: number;
  readonly steps: number;
  readonly seconds: number;
}

/**
 * What a campaign counts while fast-check runs it: the states seen (and sketched), the steps
 * and the actions taken, the first failing behaviour, and the work spent shrinking.
 */
class CampaignRun<S, A extends Action> {
  readonly seen = new FingerprintSet();
  readonly names: string[];
  readonly counts: Map<string, number>;
  steps = 0;
  first: FirstFailure<S> | null = null;
  private generated = 0;
  private evaluated = 0;
  private shrinkWork = 0;
  private readonly shrinkBudget: number;
  readonly info: ActionInfo<S, A>;
  readonly fp = new Fingerprinter();

  constructor(
    private readonly spec: Spec<S, A>,
    readonly invariants: readonly StateProperty<S>[],
    private readonly o: FuzzOptions,
    private readonly t0: number,
  ) {
    this.info = new ActionInfo(spec);
    this.names = [...(spec.actionNames ?? [])];
    this.counts = new Map<string, number>(this.names.map((n) => [n, 0]));
    this.shrinkBudget = o.shrinkBudget ?? DEFAULT_SHRINK_BUDGET;
  }

  /** Every state a run visits: into the seen set and the sketch; its action counted. */
  readonly visit = (hi: number, lo: number, a: A | null): void => {
    this.seen.put(hi, lo, 0, 0);
    this.o.sketch?.add(hi, lo);
    if (a) {
      this.steps++;
      this.counts.set(a.name, (this.counts.get(a.name) ?? 0) + 1);
    }
  };

  /** fast-check's property: one behaviour of `plan` and `choices`; false when it violates an invariant. */
  readonly property = (plan: RunPlan, choices: number[]): boolean => {
    if (this.first === null) this.generated++;
    // Past the budget (or, replaying a path, past the path's own value) every shrink
    // candidate passes unexamined, so fast-check keeps the last failing value: the same
    // value a replay of its path starts from, so the replay gives the same trace.
    else if ((this.o.path !== undefined && this.evaluated > 0) || this.shrinkWork >= this.shrinkBudget) return true;
    this.evaluated++;
    const r = walk(this.spec, this.invariants, this.info, this.fp, plan, choices, this.visit);
    if (this.first !== null) this.shrinkWork += r.work;
    if (r.violated && this.first === null) {
      this.first = { trace: r.trace, violated: r.violated, strategy: plan.strategy, runs: this.generated, steps: this.steps, seconds: (performance.now() - this.t0) / 1000 };
    }
    return r.violated === null;
  };
}

/** Runs a fuzzing campaign over a spec. Throws only for a bad option (an unknown invariant). */
export function fuzz<S, A extends Action>(spec: Spec<S, A>, o: FuzzOptions): FuzzResult<S> {
  const t0 = performance.now();
  const invariants = selectInvariants(spec, o.invariants);
  const mix = o.strategies ?? STRATEGIES;
  if (mix.length === 0) throw new RangeError('a fuzzing campaign needs at least one strategy');
  const run = new CampaignRun(spec, invariants, o, t0);
  const planArb: fc.Arbitrary<RunPlan> = fc.record({
    strategy: fc.constantFrom(...mix),
    mask: fc.nat(),
    salt: fc.nat(),
    changes: fc.uniqueArray(fc.nat({ max: Math.max(0, o.depth - 1) }), { maxLength: 3 }),
  });
  // Long behaviours: fast-check's default sizes would keep arrays short.
  const choices = fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: o.depth, size: 'max' });
  const details = fc.check(fc.property(planArb, choices, run.property), {
    seed: o.seed,
    numRuns: o.runs,
    ...(o.path !== undefined ? { path: o.path } : {}),
    ...(o.timeLimitMs !== undefined ? { interruptAfterTimeLimit: o.timeLimitMs } : {}),
    endOnFailure: false,
  });
  const runs = details.numRuns;
  const distinctStates = run.seen.size;
  const neverTaken = run.names.filter((n) => run.counts.get(n) === 0);
  const actionCounts = Object.fromEntries(run.counts);
  const steps = run.steps;
  if (!details.failed || details.counterexample === null) {
    return {
      result: 'ok',
      invariant: null,
      seed: o.seed,
      path: null,
      runs,
      steps,
      traceLength: null,
      originalLength: null,
      distinctStates,
      neverTaken,
      actionCounts,
      strategy: null,
      runsToFind: null,
      stepsToFind: null,
      secondsToFind: null,
      seconds: (performance.now() - t0) / 1000,
      trace: null,
    };
  }
  const [plan, shrunk] = details.counterexample as [RunPlan, number[]];
  const f = run.first;
  const { trace, path, invariant, originalLength } = minimalCounterexample(spec, run, plan, shrunk, details.counterexamplePath);
  return {
    result: 'violation',
    invariant,
    seed: o.seed,
    path,
    runs,
    steps,
    traceLength: trace.states.length,
    originalLength: f?.trace.states.length ?? originalLength,
    distinctStates,
    neverTaken,
    actionCounts,
    strategy: f?.strategy ?? plan.strategy,
    runsToFind: f?.runs ?? runs,
    stepsToFind: f?.steps ?? steps,
    secondsToFind: f?.seconds ?? null,
    seconds: (performance.now() - t0) / 1000,
    trace,
  };
}

/**
 * The shortest counterexample of a failed campaign: fast-check's shrunk behaviour, minimised.
 * fast-check orders values, not traces: its shrunk value can violate later than the first
 * failing behaviour did. That behaviour is minimised too, and the shorter result kept; its
 * path is then the run's index alone (the first part of fast-check's path), whose replay
 * (shrinking stops at a path's own value) minimises the same behaviour.
 */
function minimalCounterexample<S, A extends Action>(
  spec: Spec<S, A>,
  run: CampaignRun<S, A>,
  plan: RunPlan,
  shrunk: readonly number[],
  shrunkPath: string | null,
): { trace: Trace<S>; path: string | null; invariant: string; originalLength: number } {
  const r = walk(spec, run.invariants, run.info, run.fp, plan, shrunk, () => {});
  const inv = run.invariants.find((p) => p.name === r.violated)!;
  let minimal = minimise(spec, r.trace, inv);
  let path = shrunkPath;
  const f = run.first;
  if (f && f.violated === inv.name && f.trace !== r.trace && path !== null) {
    const other = minimise(spec, f.trace, inv);
    if (other.states.length < minimal.states.length) {
      minimal = other;
      path = path.split(':')[0]!;
    }
  }
  return { trace: minimal, path, invariant: inv.name, originalLength: r.trace.states.length };
}
