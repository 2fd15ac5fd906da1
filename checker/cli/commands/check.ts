/**
 * `check [SPEC...] [--suite NAME]`: model-checks checks (names from `list`, or paths to spec
 * modules) and judges each against its expectation. Load plans every check and checks the
 * report folder before anything runs; run streams a line (or JSON object) per check and
 * keeps one set of worker threads for all of them; render prints the table.
 */
import type { CheckEvent } from '../../core/explore.js';
import { defaultWorkers, WorkerPool } from '../../parallel/index.js';
import { VERSION } from '../../version.js';
import { defineCommand, type Context, type Io } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { checkWritableDir } from '../files.js';
import { numberOption, overrideOptions, overridesOf } from '../options.js';
import { plan, type PlannedCheck } from '../plan.js';
import { progressReporter, renderCounterexample, renderDetails, renderJson, renderTable } from '../render.js';
import { describeExpectation, exitCodeOf, runCheck, type RunRecord } from '../run.js';

/**
 * While a `check` command runs, SIGINT and SIGTERM print a summary (the checks done, and how
 * far the current one got) and exit 130 or 143; `--json` gets one object with `result:
 * "interrupted"`. A handler runs only when this thread is free: between checks, while reports
 * are written, between the levels of a parallel check, and every 100 ms of a one-worker check
 * (`checkAsync`). A liveness check runs in this thread without a pause, so it keeps Node's
 * default while it runs: Ctrl-C still stops it at once (without a summary).
 */
function signalGuard(io: Io, onSignal: (signal: 'SIGINT' | 'SIGTERM') => void): { synchronously: <T>(f: () => T) => T; dispose: () => void } {
  if (!io.signals) return { synchronously: (f) => f(), dispose: () => {} };
  const int = (): void => onSignal('SIGINT');
  const term = (): void => onSignal('SIGTERM');
  const on = (): void => {
    process.on('SIGINT', int);
    process.on('SIGTERM', term);
  };
  const off = (): void => {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  };
  on();
  return {
    synchronously: (f) => {
      off();
      try {
        return f();
      } finally {
        on();
      }
    },
    dispose: off,
  };
}

const withProgress = (a: ((e: CheckEvent) => void) | undefined, b: (e: CheckEvent) => void) => (e: CheckEvent): void => {
  a?.(e);
  b(e);
};

/** What `check` runs: the planned checks, the bounds and flags, and the JSON's `tool` and `options`. */
interface CheckPlan {
  readonly checks: readonly PlannedCheck[];
  readonly maxStates: number | undefined;
  readonly maxDepth: number | undefined;
  readonly timeLimit: number | undefined;
  readonly workers: number;
  readonly flags: {
    readonly symmetry: boolean | undefined;
    readonly strict: boolean;
    readonly progress: boolean;
    readonly reportDir: string | undefined;
    readonly json: boolean;
    readonly quiet: boolean;
    readonly continue: boolean;
    readonly levels: boolean;
    readonly deadlock: boolean;
    readonly details: boolean;
    readonly coverage: boolean;
    readonly fullStates: boolean;
  };
  /** The JSON's `tool` and `options`, on every line. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** The summary table, unless `--json` (printed at the end, on an interruption, and before a report error). */
function printTable(p: CheckPlan, records: readonly RunRecord[], io: Io): void {
  if (!p.flags.json && records.length > 0) io.out(renderTable(records) + '\n');
}

/** How far the check under way got (its last progress event), for a summary on SIGINT/SIGTERM. */
interface Current {
  readonly label: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
}

/** Prints what an interrupted `check` did (the checks done, how far the current one got), then exits 130 or 143 through `io.exit`. */
function interrupted(signal: 'SIGINT' | 'SIGTERM', p: CheckPlan, records: readonly RunRecord[], c: Current | null, { tool, io }: Context): void {
  const code = signal === 'SIGINT' ? EXIT.interrupted : 143;
  if (io.tty) io.tty.write('\r\x1b[K');
  if (p.flags.json) {
    io.out(
      JSON.stringify({
        result: 'interrupted',
        signal,
        spec: c?.label ?? null,
        distinctStates: c?.distinct ?? null,
        generatedStates: c?.generated ?? null,
        depth: c?.depth ?? null,
        seconds: c?.seconds ?? null,
        checksDone: records.length,
        checks: p.checks.length,
        ...p.meta,
      }) + '\n',
    );
  } else {
    printTable(p, records, io);
    const where = c ? `; ${c.label} had ${c.distinct.toLocaleString('en-US')} distinct states at depth ${c.depth} after ${c.seconds.toFixed(1)} s` : '';
    io.err(`${tool}: interrupted (${signal}) after ${records.length} of ${p.checks.length} checks${where}.\n`);
  }
  io.exit?.(code);
}

/** Runs the planned checks in order, printing each one's lines as it ends. */
async function runChecks(p: CheckPlan, ctx: Context): Promise<RunRecord[]> {
  const { tool, io } = ctx;
  const a = p.flags;
  const records: RunRecord[] = [];
  let current: Current | null = null;
  const track = (label: string, e: CheckEvent): void => {
    if (e.type === 'progress') current = { label, distinct: e.distinct, generated: e.generated, depth: e.depth, seconds: e.seconds };
  };
  const guard = signalGuard(io, (signal) => interrupted(signal, p, records, current, ctx));
  // One set of worker threads for every check of this run: each thread compiles the engine and
  // the model once, not once a check.
  const pool = p.workers > 1 ? new WorkerPool() : undefined;
  try {
    for (const c of p.checks) {
      if (!a.json && !a.quiet) io.err(`checking ${c.label} (${describeExpectation(c)})...\n`);
      const r = await runCheck(c, {
        workers: p.workers,
        ...(pool ? { pool } : {}),
        ...(p.maxStates !== undefined ? { maxStates: p.maxStates } : {}),
        ...(p.maxDepth !== undefined ? { maxDepth: p.maxDepth } : {}),
        ...(p.timeLimit !== undefined ? { timeLimitMs: p.timeLimit * 1000 } : {}),
        ...(a.symmetry !== undefined ? { symmetry: a.symmetry } : {}),
        continueAfterViolation: a.continue,
        checkDeadlock: a.deadlock,
        strict: a.strict,
        ...(a.reportDir ? { reportDir: a.reportDir } : {}),
        onEvent: withProgress(a.progress && !a.quiet ? progressReporter(io, c.label) : undefined, (e) => track(c.label, e)),
        ...(io.progressEveryMs !== undefined ? { progressIntervalMs: Math.min(1000, io.progressEveryMs) } : {}),
        synchronously: guard.synchronously,
      });
      current = null;
      records.push(r);
      // The spec is at fault (it threw, or an engine guard caught it): say so as a paragraph.
      if (r.error) io.err(`${tool}: ${r.label}: evaluation error in ${r.error}\n`);
      // A spec that could not run on worker threads says why (a small run on one worker is no news:
      // see the README's Workers); a liveness check always runs on one.
      if (r.workersNote !== null) io.err(`note: ${r.label} ${r.workersNote}.\n`);
      else if (c.liveness && p.workers > 1 && !a.quiet && !a.json) io.err(`note: ${r.label} is a liveness check: it runs on one worker.\n`);
      if (a.json) io.out(renderJson(r, p.meta) + '\n');
      else if (!a.quiet && (a.details || a.levels || a.coverage || p.checks.length === 1)) {
        // As TLC: the counterexample first, state by state, then the statistics.
        const cx = renderCounterexample(c.spec, r, a.fullStates);
        if (cx !== null) io.out(cx + '\n\n');
        io.out(renderDetails(r, a.levels, a.coverage || a.details) + '\n');
      }
      if (r.reportError) {
        // The results computed so far are printed first; the write error is a usage error.
        printTable(p, records, io);
        throw new UsageError(r.reportError);
      }
    }
  } finally {
    await pool?.close();
    guard.dispose();
  }
  return records;
}

/** `check [SPEC...]`. */
export const checkCommand = defineCommand({
  command: 'check [specs..]',
  describe: 'model-check specs (names from `list`, or paths to spec modules)',
  positionals: { specs: { type: 'string', array: true, default: [] as string[] } },
  options: {
    suite: { type: 'string', describe: 'run a suite of specs (see `list`)' },
    ...overrideOptions,
    'max-states': { type: 'string', describe: 'stop (incomplete) after this many distinct states' },
    'max-depth': { type: 'string', describe: 'do not expand states deeper than this (in states)' },
    'time-limit': { type: 'string', describe: 'stop (incomplete) after this many seconds' },
    symmetry: { type: 'boolean', describe: 'symmetry reduction (default: on for correct-protocol specs, where the spec has one)' },
    workers: { type: 'string', describe: 'workers (default: the number of cores); the first runs in the main thread, the others in worker threads' },
    strict: { type: 'boolean', default: false, describe: 'check every state against the spec mistakes the engine guards against (slower)' },
    progress: { type: 'boolean', default: true, describe: 'progress on stderr (a live line on a terminal, else a line every 5 s); --no-progress for none' },
    'report-dir': { type: 'string', describe: 'write DIR/<spec>/trace.json for each counterexample' },
    json: { type: 'boolean', default: false, describe: 'print one JSON object per spec, nothing else' },
    quiet: { type: 'boolean', default: false, describe: 'print only the summary table' },
    continue: { type: 'boolean', default: false, describe: 'keep exploring after a violation; report each violated invariant' },
    levels: { type: 'boolean', default: false, describe: 'print the number of new states at each depth' },
    deadlock: { type: 'boolean', default: false, describe: 'report states with no enabled action' },
    details: { type: 'boolean', default: false, describe: 'print coverage and counterexamples for every spec' },
    coverage: { type: 'boolean', default: false, describe: 'print how often each action fired' },
    'full-states': { type: 'boolean', default: false, describe: 'print every variable of every state of a counterexample (default: what changed)' },
  },
  async load(a, { tool, catalog }): Promise<CheckPlan> {
    const maxStates = numberOption('max-states', a['max-states']);
    const maxDepth = numberOption('max-depth', a['max-depth']);
    const timeLimit = numberOption('time-limit', a['time-limit'], { integer: false });
    const workersAsked = numberOption('workers', a.workers, { max: 64 });
    const workers = workersAsked ?? defaultWorkers();
    const checks = await plan(catalog, a.specs, a.suite, overridesOf(a), tool);
    // Before anything is computed: a report folder that cannot be written is a usage error now,
    // not after the run.
    if (a['report-dir']) checkWritableDir(a['report-dir']);
    return {
      checks,
      maxStates,
      maxDepth,
      timeLimit,
      workers,
      flags: {
        symmetry: a.symmetry,
        strict: a.strict,
        progress: a.progress,
        reportDir: a['report-dir'],
        json: a.json,
        quiet: a.quiet,
        continue: a.continue,
        levels: a.levels,
        deadlock: a.deadlock,
        details: a.details,
        coverage: a.coverage,
        fullStates: a['full-states'],
      },
      meta: {
        tool: { name: tool, version: VERSION },
        options: {
          maxStates: maxStates ?? null,
          maxDepth: maxDepth ?? null,
          timeLimitSeconds: timeLimit ?? null,
          // The flag as given (null: each spec's default); `symmetry` says what the run used.
          symmetry: a.symmetry ?? null,
          continue: a.continue,
          deadlock: a.deadlock,
          strict: a.strict,
          workers,
        },
      },
    };
  },
  async run(p, ctx) {
    return { plan: p, records: await runChecks(p, ctx) };
  },
  render({ plan: p, records }, { io }) {
    printTable(p, records, io);
    return exitCodeOf(records);
  },
});
