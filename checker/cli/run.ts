/**
 * Runs one planned check and judges it against its expectation: the run stage of the
 * `check` command (`commands/check.ts`). Produces a {@link RunRecord}, which is what the
 * table and the JSON lines render.
 */
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { REPORT_MARK, removeStaleReport, replaceDir, tempDirFor } from './files.js';
import { checkAsync, type CheckEvent, type CheckOptions, type CheckResult, type CheckStats } from '../core/explore.js';
import { checkParallel, type ParallelStats, type WorkerPool } from '../parallel/index.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { PlannedCheck } from './plan.js';
import type { Expectation } from './catalog.js';
import { EXIT, UsageError } from './errors.js';
import { writeReport } from '../report/report.js';
import { checkLiveness, LivenessRefused, type LivenessInfo } from '../core/liveness.js';

/** Options shared by every check of one CLI run. */
export interface RunOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  /** `--symmetry` / `--no-symmetry`; undefined: each spec's default. */
  readonly symmetry?: boolean;
  readonly continueAfterViolation: boolean;
  readonly checkDeadlock: boolean;
  /** `--strict`: the engine's guards on every state. */
  readonly strict?: boolean;
  /** Worker threads; 1 checks in this thread. */
  readonly workers: number;
  /** Worker threads kept up across the checks of one CLI run (parallel checks only). */
  readonly pool?: WorkerPool;
  /** Where to write `<spec>/trace.json` for violations; undefined: nowhere. */
  readonly reportDir?: string;
  readonly onEvent?: (event: CheckEvent) => void;
  /** How often the engine emits progress events, in ms (default: the engine's). */
  readonly progressIntervalMs?: number;
  /**
   * Wraps a check that runs synchronously in this thread: the CLI takes its signal handlers
   * off for its duration, since a handler could only run once the check is over.
   */
  readonly synchronously?: <T>(f: () => T) => T;
}

/** What one check produced, judged. */
export interface RunRecord {
  readonly spec: string;
  /** The spec with what the command line changed, e.g. `lease MaxGrants=2 mutant=ignoreSkew` (the spec's name when nothing). */
  readonly label: string;
  /** The spec module it came from (absolute path), or null. */
  readonly module: string | null;
  readonly constants: Readonly<Record<string, number | boolean>>;
  readonly mutant: string | null;
  /** `holds`, or `violates INV` (with the expected length when pinned). */
  readonly expected: string;
  readonly met: boolean;
  /** Why not met; empty when met. */
  readonly failures: readonly string[];
  readonly result: CheckResult<unknown>['kind'];
  /** The first violated property, if any. */
  readonly invariant: string | null;
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly traceLength: number | null;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly tracePath: string | null;
  readonly symmetry: boolean;
  /** Whether deadlock checking was on (`--deadlock`, or a module's `options.deadlock`). */
  readonly deadlock: boolean;
  /** Workers that took part: 1 for a small run (see the README's Workers), or when the spec cannot run on threads. */
  readonly workers: number;
  /** The workers asked for; more than {@link RunRecord.workers} when fewer took part. */
  readonly workersRequested: number;
  /** Why the run used one worker when more were asked for (a spec whose states cannot cross threads); null otherwise. */
  readonly workersNote: string | null;
  readonly adHoc: boolean;
  /** Report folders of an earlier run that this one removed (it found no counterexample). */
  readonly removedReports: readonly string[];
  /** Every violation (with `--continue`, possibly several). */
  readonly violations: readonly { readonly invariant: string; readonly traceLength: number; readonly tracePath: string | null }[];
  /** The first counterexample, formatted as `Action(args)` steps. */
  readonly trace: readonly string[] | null;
  /** The first counterexample itself (states and actions), for the terminal's TLC-style print; not in `--json`. */
  readonly counterexample: Trace<unknown> | null;
  readonly error: string | null;
  /** Report files that could not be rendered (the check result stands). */
  readonly renderErrors: readonly string[];
  /** The report folder could not be written (a usage error the CLI prints after the results). */
  readonly reportError: string | null;
  readonly stats: CheckStats;
  /** For a liveness check: what its pass measured (property, fairness, lasso, bytes). */
  readonly liveness?: LivenessInfo;
}

/** Describes an expectation for tables: `holds` or `violates INV (len N)`. */
export function describeExpectation(p: PlannedCheck): string {
  return p.adHoc ? 'ad hoc' : expectationText(p.expect);
}

/** The folder name of a check's report: the spec, then what the command line changed. */
export function reportFolder(p: PlannedCheck): string {
  return p.label.replace(/ /g, '+').replace(/[^A-Za-z0-9_.=+,-]/g, '_');
}

function judge(p: PlannedCheck, r: CheckResult<unknown>, symmetry: boolean): string[] {
  const f: string[] = [];
  const s = r.stats;
  if (r.kind === 'incomplete') f.push(`the run ended incomplete (${r.reason}) after ${s.distinctStates} states`);
  if (r.kind === 'error') f.push(`error in ${r.where}: ${r.message}`);
  // An ad hoc run has no expectation: what it found (a violation, a deadlock) is its outcome.
  if (p.adHoc) return f;
  const e = p.expect;
  if (r.kind === 'deadlock' && e.kind !== 'deadlock') f.push('deadlock');
  if (e.kind === 'deadlock') {
    if (r.kind === 'ok') f.push('no deadlock found');
    if (r.kind === 'violation') f.push(`violated ${r.violations.map((v) => v.property).join(', ')}, expected a deadlock`);
    if (r.kind === 'deadlock' && e.traceLength !== undefined && r.trace.states.length !== e.traceLength) {
      f.push(`deadlock after ${r.trace.states.length} states, pinned ${e.traceLength}`);
    }
  } else if (e.kind === 'holds') {
    if (r.kind === 'violation') f.push(`violated ${r.violations.map((v) => v.property).join(', ')}`);
    if (r.kind === 'ok' && !p.adHoc) {
      const pinned = symmetry ? e.symmetricStates : e.distinctStates;
      if (pinned !== undefined && s.distinctStates !== pinned) {
        f.push(`distinct states ${s.distinctStates}, pinned ${pinned}${symmetry ? ' with symmetry' : ''}`);
      }
      if (e.depth !== undefined && s.depth !== e.depth) f.push(`depth ${s.depth}, pinned ${e.depth}`);
      const missed = Object.entries(s.sometimes).filter(([, d]) => d === null).map(([k]) => k);
      if (missed.length > 0) f.push(`sometimes never held: ${missed.join(', ')}`);
    }
  } else {
    if (r.kind === 'ok') f.push(`not caught: ${e.invariant} holds`);
    if (r.kind === 'violation') {
      const v = r.violations[0]!;
      const loop = v.trace.loopStart;
      if (v.property !== e.invariant) f.push(`caught by ${v.property}, expected ${e.invariant}`);
      else if (e.lasso && !p.adHoc && loop !== undefined) {
        const got: [number, number] = [loop, Math.max(v.trace.states.length - 1 - loop, 1)];
        if (got[0] !== e.lasso[0] || got[1] !== e.lasso[1]) f.push(`lasso ${got[0]}+${got[1]}, pinned ${e.lasso[0]}+${e.lasso[1]}`);
      }
      else if (e.traceLength !== undefined && v.trace.states.length !== e.traceLength && !p.adHoc) {
        f.push(`counterexample of ${v.trace.states.length} states, pinned ${e.traceLength}`);
      }
    }
  }
  return f;
}

/** The engine's options for a planned check under the command line's. */
function engineOptions(p: PlannedCheck, o: RunOptions, symmetry: boolean): CheckOptions {
  const maxStates = o.maxStates ?? p.maxStates;
  const maxDepth = o.maxDepth ?? p.maxDepth;
  return {
    ...(p.invariants ? { invariants: p.invariants } : {}),
    continueAfterViolation: o.continueAfterViolation,
    checkDeadlock: o.checkDeadlock || (p.checkDeadlock ?? false),
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
    ...(o.strict ? { strict: true } : {}),
    symmetry,
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    ...(o.progressIntervalMs !== undefined ? { progressIntervalMs: o.progressIntervalMs } : {}),
  };
}

/** Runs the engine on a planned check: the liveness pass, or a safety search on one or more workers. */
async function explore(p: PlannedCheck, o: RunOptions, options: CheckOptions, symmetry: boolean): Promise<{ r: CheckResult<unknown>; liveness?: LivenessInfo }> {
  if (!p.liveness) {
    // One worker: the check runs in this thread and lets the event loop in every 100 ms, so that
    // SIGINT and SIGTERM get their summary here too.
    const r = o.workers > 1 ? await checkParallel(p.ref, p.spec, o.workers, { ...options, ...(o.pool ? { pool: o.pool } : {}) }) : await checkAsync(p.spec, options);
    return { r };
  }
  // The liveness pass is exact in one thread (it also checks the invariants): no workers.
  if (o.maxDepth !== undefined) throw new UsageError(`${p.name} is a liveness check: --max-depth would cut behaviours short and make the verdict unsound; use --max-states or --time-limit (an incomplete run gives no verdict).`);
  const live = p.liveness;
  const sync = o.synchronously ?? (<T>(f: () => T): T => f());
  try {
    const lr = sync(() =>
      checkLiveness(p.spec, {
        property: live.property,
        fairness: live.fairness,
        ...(p.invariants ? { invariants: p.invariants } : {}),
        symmetry,
        ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
        ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
      }),
    );
    return { r: lr, liveness: lr.liveness };
  } catch (e) {
    if (e instanceof LivenessRefused) throw new UsageError(`${p.name}: ${e.message}.`);
    throw e;
  }
}

/** Where a check's report went: the first trace file, each violation's, what could not be rendered, what was removed. */
interface Written {
  tracePath: string | null;
  readonly paths: (string | null)[];
  readonly renderErrors: string[];
  readonly removedReports: string[];
  reportError: string | null;
}

/**
 * Writes the report folder of a check's result under `reportDir` (with `--continue`, one
 * folder per violated property inside it), or removes an earlier run's when this one found
 * nothing. A folder that cannot be written is recorded as `reportError` (the CLI prints it
 * after the results), not thrown.
 */
async function writeReports(p: PlannedCheck, r: CheckResult<unknown>, reportDir: string, continued: boolean, symmetry: boolean, trace: Trace<unknown> | undefined, w: Written): Promise<void> {
  const violations = r.kind === 'violation' || r.kind === 'incomplete' ? r.violations : [];
  const first = violations[0];
  try {
    const final = join(reportDir, reportFolder(p));
    const meta = (property: string | null, kind: 'invariant' | 'action' | 'liveness' | null) => ({
      spec: p.name,
      model: p.model.name,
      constants: p.constants,
      mutant: p.mutant,
      symmetry,
      invariant: property,
      kind,
      result: r.kind,
      ...(p.model.module ? { module: p.model.module } : {}),
      ...(p.liveness ? { fairness: [...p.liveness.fairness] } : {}),
    });
    // With --continue, every violated property gets its own folder inside the spec's.
    const items: { sub: string | null; trace: Trace<unknown>; property: string | null; kind: 'invariant' | 'action' | 'liveness' | null; index: number }[] = [];
    if (continued && violations.length > 0) {
      violations.forEach((v, i) => items.push({ sub: v.property, trace: v.trace, property: v.property, kind: v.kind, index: i }));
    } else if (trace) {
      items.push({ sub: null, trace, property: first?.property ?? null, kind: first?.kind ?? null, index: 0 });
    }
    if (items.length === 0) {
      if (removeStaleReport(final)) w.removedReports.push(final);
      return;
    }
    // Filled under a temporary name, then swapped in whole: never half a report, never
    // files of an earlier run beside this one's.
    const tmp = tempDirFor(final);
    try {
      // A --continue folder has no trace.json of its own: the mark says whose it is.
      if (items[0]!.sub !== null) writeFileSync(join(tmp, REPORT_MARK), '');
      for (const it of items) {
        const dir = it.sub ? join(tmp, it.sub.replace(/[^A-Za-z0-9_.=+,-]/g, '_')) : tmp;
        const report = await writeReport(dir, p.spec, it.trace, meta(it.property, it.kind));
        w.renderErrors.push(...report.errors.map((e) => (it.sub ? `${it.sub}: ${e}` : e)));
        const path = join(final, dir.slice(tmp.length), 'trace.json');
        if (it.index < w.paths.length) w.paths[it.index] = path;
        if (it.index === 0) w.tracePath = path;
      }
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    replaceDir(tmp, final);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    w.reportError = e.message;
    w.tracePath = null;
    w.paths.fill(null);
  }
}

/** Runs a planned check and judges it; writes its report folder when asked to. */
export async function runCheck(p: PlannedCheck, o: RunOptions): Promise<RunRecord> {
  const symmetry = (o.symmetry ?? p.symmetry) && typeof p.spec.canonicalize === 'function';
  const options = engineOptions(p, o, symmetry);
  const { r, liveness } = await explore(p, o, options, symmetry);
  const violations = r.kind === 'violation' || r.kind === 'incomplete' ? r.violations : [];
  const first = violations[0];
  let trace: Trace<unknown> | undefined = first?.trace;
  if (r.kind === 'deadlock') trace = r.trace;
  if (r.kind === 'error') trace = r.trace;
  const w: Written = { tracePath: null, paths: violations.map(() => null), renderErrors: [], removedReports: [], reportError: null };
  if (o.reportDir) await writeReports(p, r, o.reportDir, o.continueAfterViolation, symmetry, trace, w);
  // How many workers took part (a small run is a one-worker run), and why fewer than asked.
  const workers = 'workers' in r.stats ? (r.stats as ParallelStats).workers : 1;
  const workersNote = 'workersNote' in r.stats ? ((r.stats as ParallelStats).workersNote ?? null) : null;
  const failures = judge(p, r, symmetry);
  return {
    spec: p.name,
    label: p.label,
    module: p.model.module ?? null,
    constants: p.constants,
    mutant: p.mutant,
    expected: describeExpectation(p),
    met: failures.length === 0 && (!p.adHoc || r.kind === 'ok'),
    failures,
    result: r.kind,
    invariant: first?.property ?? null,
    distinctStates: r.stats.distinctStates,
    generatedStates: r.stats.generatedStates,
    depth: r.stats.depth,
    traceLength: trace ? trace.states.length : null,
    seconds: r.stats.seconds,
    statesPerSecond: Math.round(r.stats.statesPerSecond),
    tracePath: w.tracePath,
    symmetry,
    deadlock: options.checkDeadlock ?? false,
    workers,
    workersRequested: o.workers,
    workersNote,
    adHoc: p.adHoc,
    removedReports: w.removedReports,
    violations: violations.map((v, i) => ({ invariant: v.property, traceLength: v.trace.states.length, tracePath: w.paths[i] ?? null })),
    trace: trace ? trace.actions.map(formatAction) : null,
    counterexample: trace ?? null,
    error: r.kind === 'error' ? `${r.where}: ${r.message}` : null,
    renderErrors: w.renderErrors,
    reportError: w.reportError,
    stats: r.stats,
    ...(liveness ? { liveness } : {}),
  };
}

/**
 * The exit code of a `check` command (see {@link EXIT}): 75 when a spec was at fault (an
 * `error` result), else 1 when an expectation failed, else for ad hoc runs the code of the
 * most serious finding (violation, liveness, deadlock, incomplete), else 0.
 */
export function exitCodeOf(records: readonly RunRecord[]): number {
  if (records.some((r) => r.result === 'error')) return EXIT.error;
  if (records.some((r) => !r.adHoc && !r.met)) return EXIT.failed;
  const found = (k: string): boolean => records.some((r) => r.adHoc && (r.result as string) === k);
  // A liveness check's violation is a lasso (TLC's 13); a safety violation is 12.
  const lasso = (r: RunRecord): boolean => r.liveness !== undefined && r.result === 'violation';
  if (records.some((r) => r.adHoc && r.result === 'violation' && !lasso(r))) return EXIT.violation;
  if (records.some((r) => r.adHoc && lasso(r))) return EXIT.liveness;
  if (found('deadlock')) return EXIT.deadlock;
  if (found('incomplete')) return EXIT.incomplete;
  return EXIT.ok;
}

/** An expectation as words: `holds`, `violates INV in N`, `deadlock in N`. */
export function expectationText(e: Expectation): string {
  if (e.kind === 'holds') return 'holds';
  if (e.kind === 'deadlock') return `deadlock${e.traceLength !== undefined ? ` in ${e.traceLength}` : ''}`;
  if (e.lasso) return `violates ${e.invariant} (lasso ${e.lasso[0]}+${e.lasso[1]})`;
  return `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength}` : ''}`;
}
