/**
 * The coordinator of a parallel run: breadth-first search on worker threads, level-synchronous.
 * The workers share one lock-free fingerprint table (`shared.ts`); each level is the union of
 * what each worker stored, and the workers claim its blocks from one shared cursor, so the
 * work is balanced and no state crosses threads by message. A worker answers trace lookups
 * for the states it stored first. The distinct-state count and the depth are exactly those of
 * one worker; a violation is reported at the level where it first appears, so its
 * counterexample is a shortest one. Which worker stores a state depends on timing, so with
 * several workers the first counterexample may differ between runs; its length does not.
 *
 * A run is a sequence of phases ({@link checkParallel}): start, seed, the levels (each one
 * expanded by every active worker, the table grown whenever they all pause for it; at the
 * depth bound, probed instead), then the conclusion: statistics summed, each finding's parent
 * chain gathered from the workers that own its states, and {@link concludeRun}, the same one
 * that one worker's {@link check} calls.
 *
 * Worker 0 runs in this thread (`worker-core.ts`), between the coordinator's steps: it uses
 * the spec already built here and starts at once. A run starts with worker 0 alone: it expands
 * every level smaller than {@link ParallelOptions.soloBelow} states, and the first large level
 * opens to every worker; the threads are started once a level reaches an eighth of that, so
 * that a small run never pays for them. Runs that share a {@link WorkerPool} (the CLI's checks
 * of one command) take its threads instead, which stay up between runs with what V8 compiled.
 * (Why it is shaped so, with the measurements: `docs/performance.md`, "Why the parallel
 * checker is shaped as it is".)
 *
 * The other workers build their own spec from a {@link SpecRef} (a module and an export), since
 * a spec's functions cannot cross threads. States cross threads as words: the spec's own
 * `encode`/`decode`, or for a spec without them the derived encoding of `codec.ts` (plain
 * values: records, arrays, Sets, Maps, primitives), while fingerprints stay the spec's own. A
 * spec whose initial states the derived encoding cannot carry (a class instance, a function)
 * runs on one worker, and the result says so ({@link ParallelStats.workersNote}).
 *
 * Bounds mean what they mean with one worker (see {@link CheckOptions}): `maxStates` stores
 * exactly that many distinct states whichever workers store them (the shared table hands out
 * one ticket per stored state), and at `maxDepth` the workers probe the level's successors,
 * so that the run is `incomplete` only when one of them is new.
 */
import { availableParallelism } from 'node:os';
import { concludeRun, FINISHED, makeStats, mergeCoverage, type LevelsEnd, type CheckEvent, type CheckOptions, type CheckResult, type CheckStats, type Finding } from '../core/explore.js';
import { explorerView } from '../core/verify.js';
import { actionChain, replayActions } from '../core/trace.js';
import { BLOCK, SharedTable, type LevelSource } from './shared.js';
import { workerHandler } from './worker-core.js';
import { Channel, fromSources, LocalChannel, startThread, type WorkerChannel, type WorkerPool } from './pool.js';
export { WorkerPool } from './pool.js';
import type { Action, Spec } from '../core/spec.js';
import type { SpecRef, WorkerMessage, WorkerReply, WorkerSummary } from './protocol.js';
export { loadSpec } from './protocol.js';
export type { SpecRef, WorkerMessage, WorkerReply, WorkerSummary } from './protocol.js';
import { CodecError, withDerivedCodec } from '../core/codec.js';
import { Fingerprinter } from '../core/hash.js';
import { check } from '../core/explore.js';


/** The statistics of a parallel run: those of one worker, and how many workers ran. */
export interface ParallelStats extends CheckStats {
  /** Workers that took part (1 when every level was small, or when the run fell back to one). */
  readonly workers: number;
  /** Why the run used fewer workers than asked, when it did for a reason other than size. */
  readonly workersNote?: string;
}

/** A {@link CheckResult} whose statistics are {@link ParallelStats}. */
export type ParallelResult<S> = CheckResult<S> extends infer R ? (R extends { readonly stats: CheckStats } ? Omit<R, 'stats'> & { readonly stats: ParallelStats } : never) : never;

/** Adds the worker count (and note) to a result's statistics. */
function withWorkers<S>(r: CheckResult<S>, workers: number, note?: string): ParallelResult<S> {
  return { ...r, stats: { ...r.stats, workers, ...(note !== undefined ? { workersNote: note } : {}) } } as ParallelResult<S>;
}

/**
 * Why `spec` cannot run on worker threads with the derived encoding, or null when it can: its
 * initial states must encode, decode to equal values (the same fingerprint) and encode again
 * to the same words. A later state the encoding cannot carry ends the run as an `error`.
 */
export function derivedCodecProblem<S, A extends Action>(spec: Spec<S, A>): string | null {
  const derived = withDerivedCodec(spec);
  const fp = new Fingerprinter();
  let inits: readonly S[];
  try {
    inits = spec.initStates();
  } catch {
    // The run itself reports it.
    return null;
  }
  for (const s of inits) {
    try {
      const w = new WordSink();
      derived.encode!(s, w);
      const back = derived.decode!(w.words(), 0, w.length);
      fp.state(spec, s);
      const [hi, lo] = [fp.hi, fp.lo];
      fp.state(spec, back);
      if (fp.hi !== hi || fp.lo !== lo) return 'its initial state does not survive the derived word encoding (it decodes to a different value)';
    } catch (e) {
      if (e instanceof CodecError) return `${e.message}; worker threads need states of plain values (numbers, strings, booleans, null, arrays, records, Sets, Maps), or the spec's own encode and decode`;
      return null;
    }
  }
  return null;
}

/** A growable word sink (for {@link derivedCodecProblem}). */
class WordSink {
  private data: number[] = [];
  get length(): number {
    return this.data.length;
  }
  int(x: number): void {
    this.data.push(x | 0);
  }
  ints(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.data.push(xs[i]! | 0);
  }
  words(): Int32Array {
    return Int32Array.from(this.data);
  }
}

/** The default worker count: the number of cores. */
export const defaultWorkers = (): number => availableParallelism();

/** Options of {@link checkParallel}: those of one worker, and how a run starts. */
export interface ParallelOptions extends CheckOptions {
  /**
   * Levels with fewer states than this are expanded by the first worker alone, until the
   * first level of at least this many states; from then on every worker takes part.
   * Default {@link SOLO_BELOW}; 0 puts every worker to work from the first level.
   */
  readonly soloBelow?: number;
  /**
   * Worker threads to use, and leave up for later runs (a suite's checks): a thread that took
   * part in a run has compiled the engine and the model, and the next run does not pay for
   * starting and compiling again. Without it, the run starts its own threads and ends them.
   */
  readonly pool?: WorkerPool;
}

/**
 * The default {@link ParallelOptions.soloBelow}: 64 blocks of {@link BLOCK} states, enough for
 * two workers to share without waiting on each other.
 */
export const SOLO_BELOW = 64 * BLOCK;

/**
 * Checks the spec `ref` names with `workers` worker threads. Same options and result as
 * {@link check}; `spec` is the same spec built in this thread (for traces and names).
 * The phases, in order: start, seed, the levels (each expanded, or probed at the depth
 * bound), then the conclusion from what the workers found.
 */
export async function checkParallel<S, A extends Action>(
  ref: SpecRef,
  spec: Spec<S, A>,
  workers: number,
  options: ParallelOptions = {},
): Promise<ParallelResult<S>> {
  const problem = !spec.encode || !spec.decode ? derivedCodecProblem(spec) : null;
  if (problem !== null) {
    const { pool: _pool, soloBelow: _solo, ...one } = options;
    return withWorkers(check(spec, one), 1, `ran on 1 worker, not ${workers}: ${problem}`);
  }
  const run = new ParallelRun(ref, spec, workers, options);
  try {
    run.start();
    const end = (await run.seed()) ?? (await run.levels());
    return await run.conclude(end);
  } finally {
    await run.close();
  }
}

/** One parallel run, as the coordinator sees it: its workers, their summaries, the level. */
class ParallelRun<S, A extends Action> {
  /** The spec the workers explore: the spec itself, or with the derived encoding. */
  private readonly run: Spec<S, A>;
  private readonly emit: ((e: CheckEvent) => void) | undefined;
  private readonly started = Date.now();
  private readonly deadline: number;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly soloBelow: number;
  /** The options every worker's explorer runs with. */
  private readonly workerOptions: CheckOptions;
  private readonly table = new SharedTable(SharedTable.create());
  private readonly channels: WorkerChannel[];
  private readonly findings: Finding[] = [];
  /** Each worker's last summary (an idle one until it takes part). */
  private readonly summaries: WorkerSummary[];
  /** The depth of the level being expanded. */
  private depth = 1;
  /** States in the level being expanded. */
  private levelSize = 0;
  /** Workers taking part so far: the first `active` ones (see {@link ParallelOptions.soloBelow}). */
  private active: number;

  constructor(
    private readonly ref: SpecRef,
    private readonly spec: Spec<S, A>,
    private readonly workers: number,
    private readonly options: ParallelOptions,
  ) {
    this.run = !spec.encode || !spec.decode ? withDerivedCodec(spec) : spec;
    this.emit = options.onEvent;
    this.deadline = options.timeLimitMs === undefined ? Infinity : this.started + options.timeLimitMs;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.soloBelow = options.soloBelow ?? SOLO_BELOW;
    this.active = options.soloBelow === 0 ? workers : 1;
    this.workerOptions = {
      ...(options.invariants ? { invariants: [...options.invariants] } : {}),
      ...(options.continueAfterViolation ? { continueAfterViolation: true } : {}),
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
      ...(options.checkDeadlock ? { checkDeadlock: true } : {}),
      ...(options.strict ? { strict: true } : {}),
    };
    // Worker 0 runs here, on the spec already built; the threads start when a run needs them.
    this.channels = [new LocalChannel(workerHandler(this.run, this.workerOptions, 0, workers, this.table.buffers))];
    const idle: WorkerSummary = { size: 0, generated: 0, nextSize: 0, stopped: false, paused: false, findings: [] };
    this.summaries = Array.from({ length: workers }, () => idle);
  }

  /** Phase 1: the `start` event, and every thread at once when no level is to run alone. */
  start(): void {
    this.emit?.({ type: 'start', spec: this.spec.name });
    if (this.active === this.workers) this.spawn();
  }

  /** Phase 2: the initial states (worker 0 seeds), made the first level; the end, if the seeding ended the run. */
  async seed(): Promise<LevelsEnd | null> {
    const seeded = await this.all({ type: 'seed' });
    this.take(seeded);
    await this.adopt((seeded[0] as Extract<WorkerReply, { type: 'seeded' }>).slots);
    if (this.stopNow()) return this.stoppedEnd();
    await this.advance(1);
    this.emit?.({ type: 'level', depth: 1, newStates: this.levelSize });
    return null;
  }

  /** Phase 3: level after level, until the space is done, a bound or a finding stops the run. */
  async levels(): Promise<LevelsEnd> {
    for (;;) {
      if (this.levelSize === 0) return FINISHED;
      if (this.depth >= this.maxDepth) return this.probeAtBound();
      await this.expandLevel();
      if (this.stopNow()) return this.stoppedEnd();
      if (this.total('nextSize') === 0) return FINISHED;
      await this.nextLevel();
    }
  }

  /** Phase 4: statistics and traces gathered from the workers, and the result. */
  async conclude(end: LevelsEnd): Promise<ParallelResult<S>> {
    const stats = await this.collectStats(end);
    const entries = await this.collectParents();
    // The states the workers expanded: rebuilt from their words (the spec's or the derived encoding's).
    const view = explorerView(this.run);
    const spec = this.spec;
    const canon = this.options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
    const r = concludeRun(spec, {
      findings: this.findings,
      traceOf: (f) => replayActions(spec, actionChain((id) => entries.get(id)!, f.parent, f.action), canon, view),
      view,
      finished: end.finished,
      cut: end.cut,
      continueAfterViolation: this.options.continueAfterViolation ?? false,
      reachedMaxStates: this.total('size') >= this.maxStates,
      stats: () => stats,
      ...(this.emit ? { emit: this.emit } : {}),
    });
    return withWorkers(r, this.active);
  }

  /** Ends (or gives back to the pool) every worker thread. */
  async close(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.close()));
  }

  /** Expands the level in every active worker, growing the table whenever they all pause for it. */
  private async expandLevel(): Promise<void> {
    for (;;) {
      this.take(await this.all({ type: 'expand', deadline: this.deadline }));
      if (!this.summaries.some((s) => s.paused) || this.stopNow()) return;
      // Every worker has paused or finished the level: grow the table, then go on.
      const grown = this.table.grown();
      this.table.attach(grown);
      await this.all({ type: 'table', slots: grown });
    }
  }

  /** Makes the next level current and shares it; the `level` and `progress` events. */
  private async nextLevel(): Promise<void> {
    const n = await this.advance(this.depth + 1);
    this.depth++;
    const emit = this.emit;
    emit?.({ type: 'level', depth: this.depth, newStates: n });
    if (emit) {
      const sec = (Date.now() - this.started) / 1000;
      const distinct = this.total('size');
      emit({ type: 'progress', distinct, generated: this.total('generated'), queue: n, depth: this.depth, statesPerSecond: sec > 0 ? distinct / sec : 0, seconds: sec });
    }
  }

  /**
   * At the depth bound, as one worker does: the run is cut (incomplete) when some successor of
   * the level is new, and complete when none is. A spec function that throws ends it as an
   * error, with no state left to show (as one worker's queue).
   */
  private async probeAtBound(): Promise<LevelsEnd> {
    const rs = (await this.all({ type: 'probe' })) as Extract<WorkerReply, { type: 'probed' }>[];
    this.take(rs);
    if (this.findings.some((f) => f.kind === 'error')) return { finished: false, cut: false, queue: 0 };
    return rs.some((r) => r.unseen) ? { finished: false, cut: true, queue: this.levelSize } : FINISHED;
  }

  /** The end of a run a finding or a bound stopped: the level and what was found for the next. */
  private stoppedEnd(): LevelsEnd {
    return { finished: false, cut: false, queue: this.levelSize + this.total('nextSize') };
  }

  /** The statistics, summed over the workers (those that never joined hold nothing of this run). */
  private async collectStats(end: LevelsEnd): Promise<CheckStats> {
    const st = (await this.all({ type: 'stats' })) as Extract<WorkerReply, { type: 'stats' }>[];
    const coverage = mergeCoverage(st.map((x) => new Map(x.coverage)));
    const sometimes: Record<string, number | null> = {};
    for (const x of st) for (const [k, d] of x.sometimes) sometimes[k] = d === null ? (sometimes[k] ?? null) : Math.min(d, sometimes[k] ?? Infinity);
    // New states per depth, summed over workers (the level being built when a run stops included).
    const levels: number[] = [];
    for (const x of st) x.levels.forEach((n, i) => (levels[i] = (levels[i] ?? 0) + (n ?? 0)));
    return makeStats({
      distinct: this.total('size'),
      generated: this.total('generated'),
      levels,
      queue: end.queue,
      coverage,
      sometimes,
      visitedBytes: this.table.bytes + st.reduce((a, x) => a + x.bytes, 0),
      start: this.started,
    });
  }

  /** The parent chain of every finding, from the workers that own each state (the traces are replayed here). */
  private async collectParents(): Promise<Map<number, [number, number]>> {
    const entries = new Map<number, [number, number]>();
    for (const f of this.findings) {
      for (let id = f.parent; id >= 0 && !entries.has(id); ) {
        const r = (await this.channels[id % this.workers]!.ask({ type: 'lookup', gid: id })) as Extract<WorkerReply, { type: 'lookup' }>;
        entries.set(id, r.entry);
        id = r.entry[0];
      }
    }
    return entries;
  }

  /** Starts the threads not yet started, or takes them from the pool. */
  private spawn(): void {
    // TypeScript (the worker itself, or the spec module) loads through tsx in the worker.
    const tsx = fromSources || this.ref.module.endsWith('.ts');
    const pool = this.options.pool;
    for (let index = this.channels.length; index < this.workers; index++) {
      const load = { type: 'load', ref: this.ref, options: this.workerOptions, index, workers: this.workers, table: this.table.buffers, derive: this.run !== this.spec } as const;
      this.channels.push(new Channel(pool ? pool.take(index, tsx) : startThread(tsx), load, pool));
    }
  }

  /** Asks every active worker: the threads first, so that they work while worker 0 does here. */
  private async all(m: WorkerMessage): Promise<WorkerReply[]> {
    const others = this.channels.slice(1, this.active).map((c) => c.ask(m));
    return Promise.all([this.channels[0]!.ask(m), ...others]);
  }

  /** Keeps the workers' summaries and what they found. */
  private take(rs: WorkerReply[]): void {
    rs.forEach((r, i) => (this.summaries[i] = (r as { summary: WorkerSummary }).summary));
    for (const r of rs) this.findings.push(...(r as { summary: WorkerSummary }).summary.findings);
  }

  /** A count summed over the workers. */
  private total(k: 'size' | 'generated' | 'nextSize'): number {
    return this.summaries.reduce((a, s) => a + s[k], 0);
  }

  /** Whether what was found, the distinct-state bound or the time ends the run. */
  private stopNow(): boolean {
    return (
      this.findings.some((f) => f.kind === 'error' || f.kind === 'deadlock') ||
      (!this.options.continueAfterViolation && this.findings.length > 0) ||
      this.total('size') >= this.maxStates ||
      Date.now() >= this.deadline
    );
  }

  /**
   * Shares the current level (depth `current`, made of `levels`) with every active worker;
   * the other workers join first when it is large.
   */
  private async share(levels: readonly LevelSource[], current: number): Promise<void> {
    this.levelSize = levels.reduce((a, l) => a + l.count, 0);
    // The threads start (each takes a while) once a level reaches an eighth of `soloBelow`, so
    // that they are up when the levels are large; a run that stays smaller never starts them.
    if (this.levelSize >= this.soloBelow >> 3) this.spawn();
    if (this.active < this.workers && this.levelSize >= this.soloBelow) {
      const slots = this.table.buffers.slots;
      await Promise.all(this.channels.slice(this.active).map((c) => c.ask({ type: 'join', depth: current, slots })));
      this.active = this.workers;
    }
    this.table.resetCursor();
    await this.all({ type: 'open', levels });
  }

  /** Makes the next level (depth `next`) current in every active worker and shares it; returns its size. */
  private async advance(next: number): Promise<number> {
    const rs = (await this.all({ type: 'advance' })) as Extract<WorkerReply, { type: 'advanced' }>[];
    this.take(rs);
    await this.share(
      rs.map((r) => r.level),
      next,
    );
    return this.levelSize;
  }

  /** Takes on a table the first worker grew (while seeding alone). */
  private async adopt(slots: SharedArrayBuffer): Promise<void> {
    if (slots === this.table.buffers.slots) return;
    this.table.attach(slots);
    await Promise.all(this.channels.slice(1, this.active).map((c) => c.ask({ type: 'table', slots })));
  }
}
