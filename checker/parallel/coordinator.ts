/**
 * Parallel breadth-first search on worker threads, level-synchronous. The workers share one
 * lock-free fingerprint table (`shared.ts`); each level is the union of what each worker
 * stored, and the workers claim its blocks from one shared cursor, so the work is balanced
 * and no state crosses threads by message. A worker answers trace lookups for the states it
 * stored first. The distinct-state count and the depth are exactly those of one worker; a
 * violation is reported at the level where it first appears, so its counterexample is a
 * shortest one. Which worker stores a state depends on timing, so with several workers the
 * first counterexample may differ between runs; its length does not.
 *
 * The coordinator (this thread) grows the shared table when the workers pause for it. Worker 0
 * runs in this thread too (`worker-core.ts`), between the coordinator's steps: it uses the spec
 * already built here and starts at once. The worker threads (about 0.1 s each to start) are
 * started once a level reaches an eighth of {@link ParallelOptions.soloBelow}, so that a small
 * run never pays for them: `gfs-n1` (3,155 states) takes the time of one worker. Runs that
 * share a {@link WorkerPool} (the CLI's checks of one command) take its threads instead, which
 * stay up between runs with what V8 compiled: each thread starts and compiles once per command,
 * not once a check.
 *
 * A run starts with worker 0 alone: it expands every level smaller than
 * {@link ParallelOptions.soloBelow} states, and the first large level opens to every worker.
 * Small levels gain nothing from sharing and cost three round trips each: plain calls to
 * worker 0, but a wait to be scheduled for each worker thread. (The measurements behind these
 * choices are in `docs/performance.md`, "Why the parallel checker is shaped as it is".)
 *
 * The other workers build their own spec from a {@link SpecRef} (a module and an export), since
 * a spec's functions cannot cross threads. States cross threads as words: the spec's own
 * `encode`/`decode`, or for a spec without them the derived encoding of `codec.ts` (plain
 * values: records, arrays, Sets, Maps, primitives), while fingerprints stay the spec's own. A
 * spec whose initial states the derived encoding cannot carry (a class instance, a function)
 * runs on one worker, and the result says so ({@link ParallelStats.workersNote}).
 * Bounds are checked between phases: `maxStates` may be passed by up to one level, and a
 * depth bound ends the run as incomplete whenever states remain at the bound.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { concludeRun, makeStats, mergeCoverage, type CheckOptions, type CheckResult, type CheckStats, type Finding } from '../core/explore.js';
import { explorerView } from '../core/verify.js';
import { actionChain, replayActions } from '../core/trace.js';
import { BLOCK, SharedTable, type LevelSource } from './shared.js';
import { workerHandler } from './worker-core.js';
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
 * two workers to share without waiting on each other. On `gfs-maxgrants2` the level sizes run
 * 2,008, 3,196, 5,002, so the other workers join at depth 14.
 */
export const SOLO_BELOW = 64 * BLOCK;

/** How the coordinator talks to one worker. */
interface WorkerChannel {
  /** Sends a message; resolves with the worker's reply (replies come in order). */
  ask(m: WorkerMessage): Promise<WorkerReply>;
  /** Ends the worker. */
  close(): Promise<unknown>;
}

/** Worker 0, in this thread: each message is answered at once. */
class LocalChannel implements WorkerChannel {
  constructor(private readonly handle: (m: WorkerMessage) => WorkerReply) {}
  ask(m: WorkerMessage): Promise<WorkerReply> {
    try {
      return Promise.resolve(this.handle(m));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  close(): Promise<unknown> {
    return Promise.resolve();
  }
}

/**
 * A worker thread, for one run: the channel sends it the run's `load` at once, and messages
 * sent before it has loaded wait their turn in the thread.
 */
class Channel implements WorkerChannel {
  private waiting: ((r: WorkerReply) => void)[] = [];
  private failure: Error | undefined;
  private readonly onMessage = (r: WorkerReply): void => this.waiting.shift()?.(r);
  private readonly onError = (e: Error): void => {
    this.failure = e;
    for (const w of this.waiting.splice(0)) w({ type: 'ready' });
  };
  /**
   * @param pool - the {@link WorkerPool} the thread belongs to, if any: closing the channel then
   * gives the thread back to it (unloaded, for the next run) instead of ending it
   */
  constructor(
    readonly worker: Worker,
    load: Extract<WorkerMessage, { type: 'load' }>,
    private readonly pool: WorkerPool | undefined,
  ) {
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    // Answered with `ready` once the thread has built the run's spec. A thread that fails
    // before it is needed is reported by the next ask, if any.
    this.ask(load).catch(() => undefined);
  }
  async close(): Promise<unknown> {
    if (!this.pool || this.failure) return this.worker.terminate();
    // Every reply must arrive while this channel listens (the thread may still be loading, if
    // the run never needed it): a late one would answer the next run's first message.
    await this.last.catch(() => undefined);
    if (this.failure) return this.worker.terminate();
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.postMessage({ type: 'unload' } satisfies WorkerMessage);
    this.pool.release(this.worker);
    return undefined;
  }
  next(): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else
        this.waiting.push((r) => {
          if (this.failure) reject(this.failure);
          else resolve(r);
        });
    });
  }
  ask(m: WorkerMessage): Promise<WorkerReply> {
    const p = this.next();
    this.worker.postMessage(m);
    this.last = p;
    return p;
  }
  /** The reply to the last message sent (replies come in order). */
  private last: Promise<unknown> = Promise.resolve();
}

/** The worker thread's module, and the boot module that registers tsx before loading it. */
const here = import.meta.url;
const fromSources = here.endsWith('.ts');
const workerUrl = new URL(fromSources ? './worker.ts' : './worker.js', here);
const bootUrl = new URL('./worker-boot.mjs', here);

/** Starts a worker thread; with `tsx`, one that can load TypeScript modules. */
function startThread(tsx: boolean): Worker {
  return tsx ? new Worker(bootUrl, { workerData: { entry: workerUrl.href } }) : new Worker(workerUrl);
}

/**
 * Worker threads shared by successive parallel runs ({@link ParallelOptions.pool}), such as
 * the checks of a suite. A thread is started when a run first needs it and stays up between
 * runs, unreferenced (it does not keep the process alive); {@link WorkerPool.close} ends them.
 * A thread that failed is replaced by a new one at the next run.
 */
export class WorkerPool {
  private readonly threads = new Map<number, { worker: Worker; tsx: boolean; alive: boolean }>();
  private closed = false;

  /**
   * The thread for worker `index` (1 and up: worker 0 is the coordinator's thread) of a run;
   * `tsx` when the run loads TypeScript.
   */
  take(index: number, tsx: boolean): Worker {
    if (this.closed) throw new Error('internal error: the worker pool is closed');
    let t = this.threads.get(index);
    if (t && (!t.alive || (tsx && !t.tsx))) {
      void t.worker.terminate();
      t = undefined;
    }
    if (!t) {
      const entry = { worker: startThread(tsx), tsx, alive: true };
      entry.worker.on('exit', () => (entry.alive = false));
      // An error also ends the thread; the run that used it reports it.
      entry.worker.on('error', () => (entry.alive = false));
      this.threads.set(index, (t = entry));
    }
    t.worker.ref();
    return t.worker;
  }

  /** Gives a thread back after a run: it stays up, but no longer keeps the process alive. */
  release(worker: Worker): void {
    worker.unref();
  }

  /** The thread ids of the threads started and still up (`worker.threadId`). */
  get threadIds(): number[] {
    return [...this.threads.values()].filter((t) => t.alive).map((t) => t.worker.threadId);
  }

  /** Ends every thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.threads.values()].map((t) => t.worker.terminate()));
    this.threads.clear();
  }
}

/**
 * Checks the spec `ref` names with `workers` worker threads. Same options and result as
 * {@link check}; `spec` is the same spec built in this thread (for traces and names).
 */
export async function checkParallel<S, A extends Action>(
  ref: SpecRef,
  spec: Spec<S, A>,
  workers: number,
  options: ParallelOptions = {},
): Promise<ParallelResult<S>> {
  const derive = !spec.encode || !spec.decode;
  if (derive) {
    const problem = derivedCodecProblem(spec);
    if (problem !== null) {
      const { pool: _pool, soloBelow: _solo, ...one } = options;
      return withWorkers(check(spec, one), 1, `ran on 1 worker, not ${workers}: ${problem}`);
    }
  }
  const run = derive ? withDerivedCodec(spec) : spec;
  const emit = options.onEvent;
  const start = Date.now();
  const deadline = options.timeLimitMs === undefined ? Infinity : start + options.timeLimitMs;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  // TypeScript (the worker itself, or the spec module) loads through tsx in the worker.
  const needsTsx = fromSources || ref.module.endsWith('.ts');
  const pool = options.pool;
  const wopts = {
    ...(options.invariants ? { invariants: [...options.invariants] } : {}),
    ...(options.continueAfterViolation ? { continueAfterViolation: true } : {}),
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.symmetry !== undefined ? { symmetry: options.symmetry } : {}),
    ...(options.checkDeadlock ? { checkDeadlock: true } : {}),
    ...(options.strict ? { strict: true } : {}),
  };
  const table = new SharedTable(SharedTable.create());
  // Worker 0 runs here, on the spec already built; the threads start when a run needs them.
  const channels: WorkerChannel[] = [new LocalChannel(workerHandler(run, wopts, 0, workers, table.buffers))];
  const spawn = (): void => {
    for (let index = channels.length; index < workers; index++) {
      const load = { type: 'load', ref, options: wopts, index, workers, table: table.buffers, derive } as const;
      channels.push(new Channel(pool ? pool.take(index, needsTsx) : startThread(needsTsx), load, pool));
    }
  };
  const findings: Finding[] = [];
  const idle: WorkerSummary = { size: 0, generated: 0, nextSize: 0, stopped: false, paused: false, findings: [] };
  /** Each worker's last summary (an idle one until it takes part). */
  const summaries: WorkerSummary[] = Array.from({ length: workers }, () => idle);
  let depth = 1;
  /** States in the level being expanded. */
  let levelSize = 0;
  /** Workers taking part so far: the first `active` ones (see {@link ParallelOptions.soloBelow}). */
  let active = options.soloBelow === 0 ? workers : 1;
  const soloBelow = options.soloBelow ?? SOLO_BELOW;
  /** Asks every active worker: the threads first, so that they work while worker 0 does here. */
  const all = async (m: WorkerMessage): Promise<WorkerReply[]> => {
    const others = channels.slice(1, active).map((c) => c.ask(m));
    return Promise.all([channels[0]!.ask(m), ...others]);
  };
  const take = (rs: WorkerReply[]): void => {
    rs.forEach((r, i) => (summaries[i] = (r as { summary: WorkerSummary }).summary));
    for (const r of rs) findings.push(...(r as { summary: WorkerSummary }).summary.findings);
  };
  const total = (k: 'size' | 'generated' | 'nextSize'): number => summaries.reduce((a, s) => a + s[k], 0);
  const stopNow = (): boolean =>
    findings.some((f) => f.kind === 'error' || f.kind === 'deadlock') ||
    (!options.continueAfterViolation && findings.length > 0) ||
    total('size') >= maxStates ||
    Date.now() >= deadline;
  /**
   * Shares the current level (depth `current`, made of `levels`) with every active worker;
   * the other workers join first when it is large.
   */
  const share = async (levels: readonly LevelSource[], current: number): Promise<void> => {
    levelSize = levels.reduce((a, l) => a + l.count, 0);
    // The threads start (about 0.1 s each) once a level reaches an eighth of `soloBelow`, so
    // that they are up when the levels are large; a run that stays smaller never starts them.
    if (levelSize >= soloBelow >> 3) spawn();
    if (active < workers && levelSize >= soloBelow) {
      await Promise.all(channels.slice(active).map((c) => c.ask({ type: 'join', depth: current, slots: table.buffers.slots })));
      active = workers;
    }
    table.resetCursor();
    await all({ type: 'open', levels });
  };
  /** Makes the next level (depth `next`) current in every active worker and shares it; returns its size. */
  const advance = async (next: number): Promise<number> => {
    const rs = await all({ type: 'advance' });
    take(rs);
    await share(rs.map((r) => (r as { level: LevelSource }).level), next);
    return levelSize;
  };
  /** Takes on a table the first worker grew. */
  const adopt = async (slots: SharedArrayBuffer): Promise<void> => {
    if (slots === table.buffers.slots) return;
    table.attach(slots);
    await Promise.all(channels.slice(1, active).map((c) => c.ask({ type: 'table', slots })));
  };

  try {
    emit?.({ type: 'start', spec: spec.name });
    let finished = false;
    let cut = false;
    if (active === workers) spawn();
    const seeded = await all({ type: 'seed' });
    take(seeded);
    await adopt((seeded[0] as { slots: SharedArrayBuffer }).slots);
    if (!stopNow()) {
      await advance(1);
      emit?.({ type: 'level', depth: 1, newStates: levelSize });
      for (;;) {
        if (levelSize === 0) {
          finished = true;
          break;
        }
        if (depth >= maxDepth) {
          cut = true;
          break;
        }
        for (;;) {
          take(await all({ type: 'expand', deadline }));
          if (!summaries.some((s) => s.paused) || stopNow()) break;
          // Every worker has paused or finished the level: grow the table, then go on.
          const grown = table.grown();
          table.attach(grown);
          await all({ type: 'table', slots: grown });
        }
        if (stopNow()) break;
        if (total('nextSize') === 0) {
          finished = true;
          break;
        }
        const n = await advance(depth + 1);
        depth++;
        emit?.({ type: 'level', depth, newStates: n });
        if (emit) {
          const sec = (Date.now() - start) / 1000;
          emit({ type: 'progress', distinct: total('size'), generated: total('generated'), queue: n, depth, statesPerSecond: sec > 0 ? total('size') / sec : 0, seconds: sec });
        }
      }
    }
    // Statistics and traces.
    // Workers that never joined hold nothing of this run.
    const stats = await all({ type: 'stats' });
    const st = stats as Extract<WorkerReply, { type: 'stats' }>[];
    const coverage = mergeCoverage(st.map((x) => new Map(x.coverage)));
    const sometimes: Record<string, number | null> = {};
    for (const x of st) for (const [k, d] of x.sometimes) sometimes[k] = d === null ? (sometimes[k] ?? null) : Math.min(d, sometimes[k] ?? Infinity);
    const distinct = total('size');
    // New states per depth, summed over workers (the level being built when a run stops included).
    const allLevels: number[] = [];
    for (const x of st) x.levels.forEach((n, i) => (allLevels[i] = (allLevels[i] ?? 0) + (n ?? 0)));
    const statsOut: CheckStats = makeStats({
      distinct,
      generated: total('generated'),
      levels: allLevels,
      queue: finished ? 0 : levelSize + total('nextSize'),
      coverage,
      sometimes,
      visitedBytes: table.bytes + st.reduce((a, x) => a + x.bytes, 0),
      start,
    });
    const canon = options.symmetry !== false && spec.canonicalize ? spec.canonicalize.bind(spec) : undefined;
    // Gather the parent chain of every finding from the workers that own each state; the
    // traces are then replayed here.
    const entries = new Map<number, [number, number]>();
    for (const f of findings) {
      for (let id = f.parent; id >= 0 && !entries.has(id); ) {
        const r = (await channels[id % workers]!.ask({ type: 'lookup', gid: id })) as { entry: [number, number] };
        entries.set(id, r.entry);
        id = r.entry[0];
      }
    }
    // The states the workers expanded: rebuilt from their words (the spec's or the derived encoding's).
    const view = explorerView(run);
    const r = concludeRun(spec, {
      findings,
      traceOf: (f) => replayActions(spec, actionChain((id) => entries.get(id)!, f.parent, f.action), canon, view),
      view,
      finished,
      cut,
      continueAfterViolation: options.continueAfterViolation ?? false,
      reachedMaxStates: distinct >= maxStates,
      stats: () => statsOut,
      ...(emit ? { emit } : {}),
    });
    return withWorkers(r, active);
  } finally {
    await Promise.all(channels.map((c) => c.close()));
  }
}
