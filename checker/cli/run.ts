/**
 * Runs one planned check and judges it against its expectation: the `check` step of the
 * CLI's `parse -> load -> check -> render -> exit` pipeline. Produces a {@link RunRecord},
 * which is what the table and the JSON lines render.
 */
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions, type CheckResult, type CheckStats } from '../core/explore.js';
import { checkParallel, type ParallelStats, type WorkerPool } from '../core/parallel.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { PlannedCheck } from './plan.js';
import { writeReport } from '../report/report.js';

/** Options shared by every check of one CLI run. */
export interface RunOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  /** `--symmetry` / `--no-symmetry`; undefined: each spec's default. */
  readonly symmetry?: boolean;
  readonly continueAfterViolation: boolean;
  readonly checkDeadlock: boolean;
  /** Worker threads; 1 checks in this thread. */
  readonly workers: number;
  /** Worker threads kept up across the checks of one CLI run (parallel checks only). */
  readonly pool?: WorkerPool;
  /** Where to write `<spec>/trace.json` for violations; undefined: nowhere. */
  readonly reportDir?: string;
  readonly onEvent?: (event: CheckEvent) => void;
}

/** What one check produced, judged. */
export interface RunRecord {
  readonly spec: string;
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
  /** Workers that took part: 1 for a small run (see the README's Workers), or when the spec cannot run on threads. */
  readonly workers: number;
  /** Why the run used one worker when more were asked for (a spec whose states cannot cross threads); null otherwise. */
  readonly workersNote: string | null;
  readonly adHoc: boolean;
  /** Every violation (with `--continue`, possibly several). */
  readonly violations: readonly { readonly invariant: string; readonly traceLength: number }[];
  /** The first counterexample, formatted as `Action(args)` steps. */
  readonly trace: readonly string[] | null;
  readonly error: string | null;
  /** Report files that could not be rendered (the check result stands). */
  readonly renderErrors: readonly string[];
  readonly stats: CheckStats;
}

/** Describes an expectation for tables: `holds` or `violates INV (len N)`. */
export function describeExpectation(p: PlannedCheck): string {
  const e = p.expect;
  if (e.kind === 'holds') return 'holds';
  return `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength}` : ''}`;
}

function judge(p: PlannedCheck, r: CheckResult<unknown>, symmetry: boolean): string[] {
  const f: string[] = [];
  const s = r.stats;
  if (r.kind === 'incomplete') f.push(`the run ended incomplete (${r.reason}) after ${s.distinctStates} states`);
  if (r.kind === 'error') f.push(`error in ${r.where}: ${r.message}`);
  if (r.kind === 'deadlock') f.push('deadlock');
  const e = p.expect;
  if (e.kind === 'holds') {
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
      if (v.property !== e.invariant) f.push(`caught by ${v.property}, expected ${e.invariant}`);
      else if (e.traceLength !== undefined && v.trace.states.length !== e.traceLength && !p.adHoc) {
        f.push(`counterexample of ${v.trace.states.length} states, pinned ${e.traceLength}`);
      }
    }
  }
  return f;
}

/** Runs a planned check and judges it; writes its trace file when asked to. */
export async function runCheck(p: PlannedCheck, o: RunOptions): Promise<RunRecord> {
  const symmetry = (o.symmetry ?? p.symmetry) && typeof p.spec.canonicalize === 'function';
  const options: CheckOptions = {
    ...(p.invariants ? { invariants: p.invariants } : {}),
    continueAfterViolation: o.continueAfterViolation,
    checkDeadlock: o.checkDeadlock,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
    symmetry,
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  };
  const r: CheckResult<unknown> =
    o.workers > 1 ? await checkParallel(p.ref, p.spec, o.workers, { ...options, ...(o.pool ? { pool: o.pool } : {}) }) : check(p.spec, options);
  const violations = r.kind === 'violation' || r.kind === 'incomplete' ? r.violations : [];
  const first = violations[0];
  let trace: Trace<unknown> | undefined = first?.trace;
  if (r.kind === 'deadlock') trace = r.trace;
  if (r.kind === 'error') trace = r.trace;
  let tracePath: string | null = null;
  const renderErrors: string[] = [];
  if (o.reportDir && trace) {
    const dir = join(o.reportDir, p.name);
    tracePath = join(dir, 'trace.json');
    const report = await writeReport(
      dir,
      p.spec,
      trace,
      {
        spec: p.name,
        model: p.family?.name ?? p.spec.name,
        constants: p.constants,
        mutant: p.mutant,
        symmetry,
        invariant: first?.property ?? null,
        kind: first?.kind ?? null,
        result: r.kind,
      },
    );
    renderErrors.push(...report.errors);
  }
  // How many workers took part (a small run is a one-worker run), and why fewer than asked.
  const workers = 'workers' in r.stats ? (r.stats as ParallelStats).workers : 1;
  const workersNote = 'workersNote' in r.stats ? ((r.stats as ParallelStats).workersNote ?? null) : null;
  const failures = judge(p, r, symmetry);
  return {
    spec: p.name,
    constants: p.constants,
    mutant: p.mutant,
    expected: describeExpectation(p),
    met: failures.length === 0,
    failures,
    result: r.kind,
    invariant: first?.property ?? null,
    distinctStates: r.stats.distinctStates,
    generatedStates: r.stats.generatedStates,
    depth: r.stats.depth,
    traceLength: trace ? trace.states.length : null,
    seconds: r.stats.seconds,
    statesPerSecond: Math.round(r.stats.statesPerSecond),
    tracePath,
    symmetry,
    workers,
    workersNote,
    adHoc: p.adHoc,
    violations: violations.map((v) => ({ invariant: v.property, traceLength: v.trace.states.length })),
    trace: trace ? trace.actions.map(formatAction) : null,
    error: r.kind === 'error' ? `${r.where}: ${r.message}` : null,
    renderErrors,
    stats: r.stats,
  };
}
